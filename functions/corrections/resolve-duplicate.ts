import { isDeepStrictEqual } from 'node:util';
import type { DuplicateResolution, DuplicateResolved } from '#contract/api/correction-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { changedCoverageFields } from '#model/coverage.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { triageSlipId } from '#model/staff-task.ts';
import { type AuditEvent, auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { type CorrectionDeps, correctionContext } from './correction-context.ts';
import type { DuplicateStore, HeldJourney } from './duplicate-store.ts';

export interface ResolveDuplicateDeps extends CorrectionDeps, Pick<SharedStores, 'submissions' | 'tasks'> {
  duplicates: DuplicateStore;
}

/** What a merge carries over from the submitter's record to the patient they matched: how to reach them, and who they are. */
const CARRIED_OVER = ['email', 'phone', 'address', 'communication', 'sex', 'preferredLanguage'] as const;

/**
 * Staff settle a possible duplicate that holds a journey at intake (submit-intake.ts registered the submitter apart):
 * - MERGE: the same person. The patient they matched takes the submitted contact details and insurance, the journey and
 *   its submission become that patient's, and the record registered apart is removed; all in one transaction, only
 *   while the journey still waits unresolved, audited for both patients with the changed field names.
 * - KEEP_APART: two people. The submitter stays a patient of their own (without a match entry: the name and birth date
 *   stay the other's).
 * Either way, a RETRY of the intake task then goes on with the journey. Sending the same resolution again answers the
 * same; another one, once resolved, is refused (409).
 */
export async function resolveDuplicate(
  deps: ResolveDuplicateDeps,
  person: StaffPrincipal,
  journeyId: string,
  { resolution }: DuplicateResolution,
  via: string,
): Promise<DuplicateResolved> {
  const { now, journey, session } = await correctionContext(deps, person, journeyId, via, ['submission.read']);
  const submission = await deps.submissions.read(journey, session, ['possibleDuplicateOf', 'duplicateResolution']);
  const other = submission.possibleDuplicateOf;
  if (!other) throw HttpError.withMessage(409, 'This journey’s patient is not held as a possible duplicate');
  if (submission.duplicateResolution === resolution || (resolution === 'MERGE' && journey.patientId === other))
    return { journeyId, resolution, patientId: journey.patientId };
  if (submission.duplicateResolution) throw HttpError.withMessage(409, `Already resolved: ${submission.duplicateResolution}`);
  if (journey.status !== 'WAITING_FOR_STAFF')
    throw HttpError.withMessage(409, 'The journey is not waiting for staff: resolve it while it is');

  const held: HeldJourney = { clinicId: journey.clinicId, journeyId, submissionId: journey.submissionId, patientId: journey.patientId };
  const event = (patientId: string, action: AuditEvent['action'], fields?: string[]): AuditEvent => ({
    ...session.subject,
    patientId,
    action,
    ...(fields ? { fields } : {}),
    outcome: 'success',
  });

  if (resolution === 'KEEP_APART') {
    refuseUnlessResolved(await deps.duplicates.keepApart(held, event(held.patientId, 'patient.separate'), now));
    log.info('Possible duplicate kept apart', { clinicId: journey.clinicId, journeyId, outcome: 'KEEP_APART' });
    return { journeyId, resolution, patientId: held.patientId };
  }

  // Both patients' records are read in full, each audited under its patient before the reads.
  await session.before('patient.read', 'coverage.read');
  const otherRef = { clinicId: journey.clinicId, patientId: other, journeyId };
  const otherSession = auditSession(deps.audit, { ...session.subject, patientId: other }, now);
  await otherSession.before('patient.read', 'coverage.read');
  const taskIds = [journey.stages.INTAKE?.staffTaskId, triageSlipId(journey.clinicId, journeyId)];
  const [submitter, coverage, matched, matchedCoverage, ...tasks] = await Promise.all([
    deps.patients.read(journey, session),
    deps.patients.readCoverage(journey, session),
    deps.patients.read(otherRef, otherSession),
    deps.patients.readCoverage(otherRef, otherSession),
    // The journey's tasks (the intake hold, a triage slip) name the merged-in patient from now on: those that exist.
    ...taskIds.map((taskId) => (taskId ? deps.tasks.get(journey.clinicId, taskId) : undefined)),
  ]);
  const merged: PatientRecord = { ...matched, updatedAt: now.toISOString() };
  for (const field of CARRIED_OVER) if (submitter[field] !== undefined) Object.assign(merged, { [field]: submitter[field] });
  const changed: string[] = CARRIED_OVER.filter((field) => !isDeepStrictEqual(matched[field], merged[field]));
  const nextCoverage = coverage ? { ...coverage, patientId: other, updatedAt: now.toISOString() } : undefined;
  if (nextCoverage && (!matchedCoverage || changedCoverageFields(matchedCoverage, nextCoverage).length > 0)) changed.push('coverage');
  const outcome = await deps.duplicates.merge(
    {
      held,
      merged,
      readAt: matched.updatedAt,
      submitterReadAt: { patient: submitter.updatedAt, ...(coverage ? { coverage: coverage.updatedAt } : {}) },
      ...(matchedCoverage ? { matchedCoverageReadAt: matchedCoverage.updatedAt } : {}),
      ...(nextCoverage ? { coverage: nextCoverage } : {}),
      taskIds: tasks.flatMap((task) => (task ? [task.taskId] : [])),
      audits: [event(other, 'patient.merge', changed), event(held.patientId, 'patient.merge')],
    },
    now,
  );
  refuseUnlessResolved(outcome);
  log.info('Possible duplicate merged', { clinicId: journey.clinicId, journeyId, outcome: 'MERGE' });
  return { journeyId, resolution, patientId: other };
}

function refuseUnlessResolved(outcome: 'RESOLVED' | 'CHANGED_MEANWHILE'): void {
  if (outcome === 'CHANGED_MEANWHILE') throw HttpError.withMessage(409, 'The journey or a patient changed meanwhile: read them again');
}
