import { isDeepStrictEqual } from 'node:util';
import type { CorrectionApplied, PatientCorrection } from '#contract/api/correction-schema.ts';
import { ContactSchema, PatientSchema } from '#contract/api/submission-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { patientMatchHash } from '#model/patient-match.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { POSSIBLE_DUPLICATE_REASON } from '#model/staff-task.ts';
import { type FieldError, HttpError } from '#shared/http/http-error.ts';
import { toFieldErrors } from '#shared/http/parse-json-body.ts';
import { log } from '#shared/observability.ts';
import { type CorrectionDeps, correctionContext, definedFields, refuseUnless } from './correction-context.ts';

export interface CorrectPatientDeps extends CorrectionDeps {
  /** The deployment's patient identity key: keys the patient match entries (patientMatchHash), as intake does. */
  identityKey: () => Promise<string>;
}

const DEMOGRAPHICS = ['firstName', 'lastName', 'birthDate', 'sex', 'preferredLanguage', 'address'] as const;
const CONTACT = ['email', 'phone', 'communication'] as const;

/**
 * Staff correct a journey's patient: demographics and contact details, each validated as at intake, and the corrected
 * record as a whole too (e.g. email consent needs an email address): 400 with every problem. Written only if nobody
 * changed the patient since it was read (409), with an audit record naming the person and the changed fields, never
 * their values. A new name or birth date moves the patient's match entry: if another patient of the clinic already has
 * them, nothing is written (409, a possible duplicate: not merged silently). The next stage run (RETRY) reads the
 * corrected record. Sending the same correction again changes nothing and answers the same.
 */
export async function correctPatient(
  deps: CorrectPatientDeps,
  person: StaffPrincipal,
  journeyId: string,
  correction: PatientCorrection,
  via: string,
): Promise<CorrectionApplied> {
  const { now, journey, session } = await correctionContext(deps, person, journeyId, via, ['patient.read']);
  const current = await deps.patients.read(journey, session);
  const next: PatientRecord = { ...current, ...definedFields(correction) };
  assertWhole(next);

  // By value, whatever the order of a map's keys (DynamoDB does not keep it).
  const changedFields = [...DEMOGRAPHICS, ...CONTACT].filter((field) => !isDeepStrictEqual(current[field], next[field]));
  if (changedFields.length > 0) {
    const identityKey = await deps.identityKey();
    const renamed = (['firstName', 'lastName', 'birthDate'] as const).some((field) => changedFields.includes(field));
    // Held as a possible duplicate, the patient's identity is being settled (a merge removes this record): not now.
    if (renamed && journey.stages.INTAKE?.reason === POSSIBLE_DUPLICATE_REASON && journey.stages.INTAKE.status === 'WAITING_FOR_STAFF')
      throw HttpError.withMessage(
        409,
        'The patient is held as a possible duplicate: merge or keep apart first, then correct the name or birth date',
      );
    const [from, to] = [patientMatchHash(current, identityKey), patientMatchHash(next, identityKey)];
    const outcome = await deps.patients.correct(
      { ...next, updatedAt: now.toISOString() },
      current.updatedAt,
      from === to ? undefined : { from, to },
      { ...session.subject, action: 'patient.correct', fields: changedFields, outcome: 'success' },
      now,
    );
    refuseUnless(outcome);
    log.info('Patient corrected', { clinicId: journey.clinicId, journeyId, outcome: changedFields.join(',') });
  }
  return { journeyId, changedFields };
}

/** The corrected record must still pass intake's rules, as a whole; problems are named by the body's field names. */
function assertWhole(patient: PatientRecord): void {
  const demographics = PatientSchema.safeParse(pick(patient, DEMOGRAPHICS));
  const contact = ContactSchema.safeParse(pick(patient, CONTACT));
  const errors: FieldError[] = [
    ...(demographics.success ? [] : toFieldErrors(demographics.error.issues)),
    ...(contact.success ? [] : toFieldErrors(contact.error.issues)),
  ];
  if (errors.length > 0) throw HttpError.badRequest(errors);
}

function pick<K extends keyof PatientRecord>(record: PatientRecord, names: readonly K[]): Partial<Pick<PatientRecord, K>> {
  return Object.fromEntries(names.filter((name) => record[name] !== undefined).map((name) => [name, record[name]])) as Partial<
    Pick<PatientRecord, K>
  >;
}
