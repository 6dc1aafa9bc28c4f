import type { StaffTaskDetail } from '#contract/api/staff-task-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { coverageView } from '#model/coverage.ts';
import { appointmentIdOf } from '#model/journey.ts';
import { authorizationView } from '#model/prior-authorization.ts';
import { allowedActions, worksTask } from '#model/staff-decision.ts';
import { POSSIBLE_DUPLICATE_REASON, type StaffTask } from '#model/staff-task.ts';
import { type AuditSession, auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import type { SharedStores } from '#shared/stores.ts';
import { staffTaskSummary } from './staff-task-view.ts';

export interface GetStaffTaskDeps
  extends Pick<
    SharedStores,
    'tasks' | 'patients' | 'audit' | 'submissions' | 'journeys' | 'eligibilityChecks' | 'appointments' | 'authorizations'
  > {
  now: () => Date;
}

/**
 * One task with what the person needs to act: the patient to call back, the insurance in question for an eligibility
 * task, notes, history and the decisions open to them. Only for people who work the task's queue (a billing clerk
 * never opens a triage slip); the read of the patient's record is audited in the person's name before it is made.
 */
export async function getStaffTask(deps: GetStaffTaskDeps, person: StaffPrincipal, taskId: string, via: string): Promise<StaffTaskDetail> {
  const now = deps.now();
  const task = await deps.tasks.get(person.clinicId, taskId);
  if (!task) throw HttpError.withMessage(404, 'Staff task not found');
  if (!worksTask(task, person.roles)) throw HttpError.withMessage(403, 'Your roles do not work this task’s queue');

  const withCoverage = task.stage === 'ELIGIBILITY' && task.kind !== 'TRIAGE';
  // A visit waiting for its prior authorization (or whose approval ran out): the case, to its people only (diagnoses).
  const authorizedVisit =
    person.roles.some((role) => role === 'radiology' || role === 'admin') &&
    (task.kind === 'PRIOR_AUTHORIZATION'
      ? task.appointmentId
      : task.stage === 'SCHEDULING' && task.journeyId
        ? appointmentIdOf(task.journeyId)
        : undefined);
  // A journey's patient is read and shown; a logged contact shows what was logged (its patient, if named, by ID).
  const ref =
    task.journeyId && task.patientId ? { clinicId: task.clinicId, journeyId: task.journeyId, patientId: task.patientId } : undefined;
  const audit = auditSession(
    deps.audit,
    {
      clinicId: task.clinicId,
      actor: staffActor(person),
      ...(task.journeyId ? { journeyId: task.journeyId } : {}),
      ...(task.patientId ? { patientId: task.patientId } : {}),
      via,
    },
    now,
  );
  // One record, before any read: the task (its reason and notes), the patient, and the coverage where shown.
  const duplicate = task.reason === POSSIBLE_DUPLICATE_REASON;
  await audit.before(
    'staffTask.read',
    ...(ref ? (['patient.read'] as const) : []),
    ...(withCoverage ? (['coverage.read'] as const) : []),
    ...(duplicate ? (['journey.read', 'submission.read'] as const) : []),
    ...(authorizedVisit ? (['authorization.read'] as const) : []),
  );
  const [patient, coverage, check] = ref
    ? await Promise.all([
        // A record merged away since (a possible duplicate's): the task shows without it (the read's failure is audited).
        deps.patients.read(ref, audit, ['patientId', 'firstName', 'lastName', 'birthDate', 'phone', 'email']).catch(() => undefined),
        // Eligibility tasks show the insurance on file (what a correction would change) and how the payer answered.
        withCoverage ? deps.patients.readCoverage(ref, audit) : undefined,
        withCoverage ? deps.eligibilityChecks.get(ref) : undefined,
      ])
    : [undefined, undefined, undefined];
  return {
    ...staffTaskSummary(task, now),
    reason: task.reason,
    allowedActions: task.status === 'OPEN' ? [...allowedActions(task)] : [],
    ...(patient
      ? {
          patient: {
            patientId: patient.patientId,
            firstName: patient.firstName,
            lastName: patient.lastName,
            birthDate: patient.birthDate,
            ...(patient.phone ? { phone: patient.phone } : {}),
            ...(patient.email ? { email: patient.email } : {}),
          },
        }
      : {}),
    ...(task.contact ? { contact: contactView(task.contact, task.patientId) } : {}),
    ...(coverage ? { coverage: coverageView(coverage) } : {}),
    ...(check?.summary.benefits ? { eligibility: eligibilityView(check) } : {}),
    ...(authorizedVisit ? await authorizationOf(deps, task.clinicId, authorizedVisit) : {}),
    ...(await possibleDuplicateOf(deps, duplicate ? ref : undefined, audit, now)),
    notes: (task.notes ?? []).map((note) => ({ at: note.at, by: { userId: note.by }, text: note.text })),
    history: task.history.map((entry) => ({ at: entry.at, by: { userId: entry.by }, event: entry.event })),
    ...decisionOf(task),
    ...(task.disposition
      ? {
          disposition: {
            code: task.disposition.code,
            note: task.disposition.note,
            disposedBy: { userId: task.disposition.disposedBy },
            disposedAt: task.disposition.disposedAt,
          },
        }
      : {}),
  };
}

async function authorizationOf(
  deps: GetStaffTaskDeps,
  clinicId: string,
  appointmentId: string,
): Promise<Pick<StaffTaskDetail, 'authorization'>> {
  const [authorization, appointment] = await Promise.all([
    deps.authorizations.get(clinicId, appointmentId),
    deps.appointments.getById(clinicId, appointmentId),
  ]);
  return authorization && appointment ? { authorization: authorizationView(authorization, appointment) } : {};
}

function decisionOf(task: StaffTask): Pick<StaffTaskDetail, 'decision'> {
  if (!task.decision) return {};
  const { action, decidedBy, decidedAt, note } = task.decision;
  return { decision: { action, decidedBy: { userId: decidedBy }, decidedAt, ...(note ? { note } : {}) } };
}

async function possibleDuplicateOf(
  deps: GetStaffTaskDeps,
  ref: { clinicId: string; journeyId: string; patientId: string } | undefined,
  audit: AuditSession,
  now: Date,
): Promise<Pick<StaffTaskDetail, 'possibleDuplicate'>> {
  const possibleDuplicate = ref ? await otherPatientOf(deps, ref, audit, now) : undefined;
  return possibleDuplicate ? { possibleDuplicate } : {};
}

/**
 * A possible duplicate's other patient, to compare before merging or keeping apart: the submission names them (read
 * under the task's patient), and their record is read under their own audit record, before the read.
 */
async function otherPatientOf(
  deps: GetStaffTaskDeps,
  task: { clinicId: string; journeyId: string; patientId: string },
  audit: AuditSession,
  now: Date,
): Promise<StaffTaskDetail['possibleDuplicate']> {
  const journey = await deps.journeys.require(task);
  const submission = await deps.submissions.read(journey, audit, ['possibleDuplicateOf', 'duplicateFields', 'duplicateResolution']);
  const otherId = submission.possibleDuplicateOf;
  // Settled (merged or kept apart): nothing to compare any more.
  if (!otherId || submission.duplicateResolution || otherId === task.patientId) return undefined;
  const otherRef = { clinicId: task.clinicId, patientId: otherId, journeyId: task.journeyId };
  const otherAudit = auditSession(deps.audit, { ...audit.subject, patientId: otherId }, now);
  const other = await deps.patients.read(otherRef, otherAudit, ['patientId', 'firstName', 'lastName', 'birthDate', 'phone', 'email']);
  return {
    fields: submission.duplicateFields ?? [],
    otherPatient: {
      patientId: other.patientId,
      firstName: other.firstName,
      lastName: other.lastName,
      birthDate: other.birthDate,
      ...(other.phone ? { phone: other.phone } : {}),
      ...(other.email ? { email: other.email } : {}),
    },
  };
}

/** A logged contact as staff see it: what was logged, without the body's fingerprint. */
function contactView(contact: NonNullable<StaffTask['contact']>, patientId: string | undefined): NonNullable<StaffTaskDetail['contact']> {
  const { bodyHash: _, ...shown } = contact;
  return { ...shown, ...(patientId ? { patientId } : {}) };
}

/** The check as staff read it: the reading's terms and the payer's words, its time, payer and estimate. */
function eligibilityView(check: EligibilityCheckRecord): NonNullable<StaffTaskDetail['eligibility']> {
  const { serviceTypeCode: _, ...reading } = check.summary.benefits as NonNullable<EligibilityCheckRecord['summary']['benefits']>;
  return {
    checkedAt: check.checkedAt,
    serviceTypeCode: check.serviceTypeCode,
    ...(check.payerId ? { payerId: check.payerId } : {}),
    ...reading,
    ...(check.dueCents !== undefined ? { dueCents: check.dueCents } : {}),
    ...(check.estimate ? { estimate: check.estimate } : {}),
    ...(check.coordination ? { coordination: check.coordination } : {}),
  };
}
