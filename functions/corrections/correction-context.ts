import type { StaffPrincipal } from '#contract/staff-roles.ts';
import type { JourneyRecord } from '#model/journey.ts';
import { type AuditAction, type AuditSession, auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import type { CorrectionOutcome } from '#shared/patient-store.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface CorrectionDeps extends Pick<SharedStores, 'journeys' | 'patients' | 'audit'> {
  now: () => Date;
}

const ENDED: ReadonlySet<JourneyRecord['status']> = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/**
 * What every correction starts from: the journey of the person's clinic (404 otherwise), still going (409 once it has
 * ended: nothing would run with the correction), and one audit record of the reads about to be made, in the person's
 * name, before them.
 */
export async function correctionContext(
  deps: CorrectionDeps,
  person: StaffPrincipal,
  journeyId: string,
  via: string,
  reads: readonly AuditAction[],
): Promise<{ now: Date; journey: JourneyRecord; session: AuditSession }> {
  const now = deps.now();
  const journey = await deps.journeys.get({ clinicId: person.clinicId, journeyId });
  if (!journey) throw HttpError.withMessage(404, 'Journey not found');
  if (ENDED.has(journey.status))
    throw HttpError.withMessage(409, `The journey has ended (${journey.status.toLowerCase()}): there is nothing to resume`);
  const subject = { clinicId: journey.clinicId, actor: staffActor(person), journeyId, patientId: journey.patientId, via };
  const session = auditSession(deps.audit, subject, now);
  await session.before('journey.read', ...reads);
  return { now, journey, session };
}

/** A correction that could not be written: 409, saying why. */
export function refuseUnless(outcome: CorrectionOutcome): void {
  if (outcome === 'CHANGED_MEANWHILE') throw HttpError.withMessage(409, 'The record was changed meanwhile: read it again, then correct it');
  if (outcome === 'MATCH_TAKEN')
    throw HttpError.withMessage(409, 'Another patient of this clinic has this name and birth date: a possible duplicate, not corrected');
}

/** The fields a PATCH body sets (absent ones leave the record as it is). */
export function definedFields<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
