import type { AuthorizationRecorded, PriorAuthorizationView, RecordAuthorizationBody } from '#contract/api/prior-authorization-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import {
  authorizationHold,
  authorizationView,
  isAuthorizationHold,
  lapseTaskIdsOf,
  type PriorAuthorizationCase,
  recordAuthorization,
  visitDateOf,
} from '#model/prior-authorization.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { type DecideStaffTaskDeps, decideStaffTask } from './decide-staff-task.ts';

export type PriorAuthorizationDeps = DecideStaffTaskDeps & Pick<SharedStores, 'authorizations' | 'audit'>;

/** Rounds of read-then-write when two people record on the same case at once. */
const MAX_ROUNDS = 3;

/** A visit's prior-authorization case as its people see it; the read is audited in the person's name. */
export async function getAuthorization(
  deps: PriorAuthorizationDeps,
  person: StaffPrincipal,
  appointmentId: string,
  via: string,
): Promise<PriorAuthorizationView> {
  const { authorization, appointment } = await caseOf(deps, person.clinicId, appointmentId);
  await deps.audit.record({ ...subjectOf(authorization, person, via), action: 'authorization.read', outcome: 'success' }, deps.now());
  return authorizationView(authorization, appointment);
}

/**
 * Staff record what the payer did (submitted, pending, approved, denied). Conditional on the case's revision, so two
 * people recording at once cannot both win; the same record again changes nothing. When the case now lets the visit
 * be confirmed (an approval covering its day) and its journey waits on the scheduling task, the journey is resumed in
 * this person's name, as if they had decided RETRY: scheduling reads the approval and goes on to payment and the
 * confirmation. A journey not resumable now (no longer waiting, or the person does not work that task's queue) is
 * left for a RETRY by hand: `journeyResumed` says which.
 */
export async function recordAuthorizationStatus(
  deps: PriorAuthorizationDeps,
  person: StaffPrincipal,
  appointmentId: string,
  body: RecordAuthorizationBody,
  via: string,
): Promise<AuthorizationRecorded> {
  const actor = staffActor(person);
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const now = deps.now();
    const { authorization, appointment } = await caseOf(deps, person.clinicId, appointmentId);
    if (appointment.status !== 'BOOKED') {
      throw HttpError.withMessage(409, `The visit is ${appointment.status.toLowerCase().replace('_', '-')}: its authorization is closed`);
    }
    const change = recordAuthorization(authorization, body, actor, now.toISOString());
    if (change.kind === 'ILLEGAL') throw HttpError.withMessage(409, change.message);
    let current = authorization;
    const audit = auditSession(deps.audit, subjectOf(authorization, person, via), now);
    // A repeat writes nothing, but its answer shows the case: a read.
    await audit.before(change.kind === 'APPLY' ? 'authorization.record' : 'authorization.read');
    if (change.kind === 'APPLY') {
      if (!(await deps.authorizations.save(change.next))) continue;
      current = change.next;
      log.info('Prior authorization recorded', { clinicId: person.clinicId, journeyId: current.journeyId, outcome: current.status });
    }
    const confirmed = authorizationHold(current, visitDateOf(appointment)) === undefined;
    if (confirmed) await closeLapseTasks(deps, current, person, via);
    const journeyResumed = confirmed && (await resumeWaitingJourney(deps, current, person, via));
    return { authorization: authorizationView(current, appointment), journeyResumed };
  }
  throw HttpError.withMessage(409, 'The authorization keeps changing: read it again');
}

/** Resumes the journey held on its scheduling task for this case, when it is; true when this call resumed it. */
async function resumeWaitingJourney(
  deps: PriorAuthorizationDeps,
  authorization: PriorAuthorizationCase,
  person: StaffPrincipal,
  via: string,
): Promise<boolean> {
  if (!authorization.journeyId) return false;
  const journey = await deps.journeys.get({ clinicId: authorization.clinicId, journeyId: authorization.journeyId }, { consistent: true });
  const scheduling = journey?.stages.SCHEDULING;
  if (journey?.status !== 'WAITING_FOR_STAFF' || scheduling?.status !== 'WAITING_FOR_STAFF' || !scheduling.staffTaskId) return false;
  return decideInTheirName(deps, person, via, {
    clinicId: authorization.clinicId,
    taskId: scheduling.staffTaskId,
    action: 'RETRY',
    note: 'Prior authorization approved',
    // Only a hold for this authorization is settled whoever has it claimed; a hold of another kind stays theirs.
    ...(isAuthorizationHold(scheduling.reason) ? { settlesClaim: true as const } : {}),
  });
}

/** An approval that covers the visit again settles the tasks its expiries opened (handled: PROCEED, in this person's name). */
async function closeLapseTasks(deps: PriorAuthorizationDeps, authorization: PriorAuthorizationCase, person: StaffPrincipal, via: string) {
  for (const taskId of lapseTaskIdsOf(authorization)) {
    const task = await deps.tasks.get(authorization.clinicId, taskId);
    if (task?.status !== 'OPEN') continue;
    await decideInTheirName(deps, person, via, {
      clinicId: authorization.clinicId,
      taskId,
      action: 'PROCEED',
      note: `Prior authorization ${authorization.status === 'APPROVED' ? 'approved' : 'not required'}`,
      settlesClaim: true,
    });
  }
}

/**
 * A decision this person's recording of the case carries out on a task, as if they had made it; false when it is not
 * theirs to make now: decided by someone meanwhile, claimed by a colleague (unless `settlesClaim`: the task waited for
 * this very event), or a queue they do not work (the case stands either way).
 */
async function decideInTheirName(
  deps: PriorAuthorizationDeps,
  person: StaffPrincipal,
  via: string,
  decision: { clinicId: string; taskId: string; action: 'RETRY' | 'PROCEED'; note: string; settlesClaim?: true },
): Promise<boolean> {
  try {
    await decideStaffTask(deps, { ...decision, actor: staffActor(person), roles: person.roles, via });
    return true;
  } catch (error) {
    if (error instanceof HttpError && (error.statusCode === 403 || error.statusCode === 409)) return false;
    throw error;
  }
}

async function caseOf(
  deps: PriorAuthorizationDeps,
  clinicId: string,
  appointmentId: string,
): Promise<{ authorization: PriorAuthorizationCase; appointment: AppointmentRecord }> {
  const [authorization, appointment] = await Promise.all([
    deps.authorizations.get(clinicId, appointmentId),
    deps.appointments.getById(clinicId, appointmentId),
  ]);
  if (!authorization || !appointment) throw HttpError.withMessage(404, 'This visit has no prior authorization');
  return { authorization, appointment };
}

const subjectOf = (authorization: PriorAuthorizationCase, person: StaffPrincipal, via: string) => ({
  clinicId: authorization.clinicId,
  actor: staffActor(person),
  patientId: authorization.patientId,
  ...(authorization.journeyId ? { journeyId: authorization.journeyId } : {}),
  via,
});
