import { type ParkForStaffRequest, TRANSIENT_ERRORS, UNEXPECTED_STOP_MESSAGE } from '#contract/journey-workflow.ts';
import type { StaffQueue } from '#contract/staff-queues.ts';
import type { JourneyRecord, StageState } from '#model/journey.ts';
import { authorizationHold, visitDateOf } from '#model/prior-authorization.ts';
import { staffTaskId } from '#model/staff-task.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import type { JourneyMetrics } from '#shared/journey-metrics.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort, StaffAlertPort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import type { JourneyEngine } from './journey-engine-port.ts';
import { alertStaffOfTask, journeyTask } from './journey-task.ts';
import { parkReason } from './park-reason.ts';
import { namedStop, stageStopOf } from './stage-stop.ts';

export interface ParkForStaffDeps
  extends Pick<SharedStores, 'journeys' | 'tasks' | 'audit' | 'catalog' | 'submissions' | 'authorizations'> {
  metrics: JourneyMetrics;
  /** Alerts staff of the task it opens (openTaskAndAlert). */
  alerts: StaffAlertPort;
  /** Schedules the task's escalation at its due time (openTaskAndAlert). */
  escalations: EscalationSchedulePort;
  /** Answers the park's own token when staff have decided already. */
  engine: JourneyEngine;
  now: () => Date;
}

const ACTOR = 'function:parkForStaff';

/**
 * Invoked with .waitForTaskToken (HoldForStaff) after the journey's stages stopped: works out where and why
 * (stageStopOf), marks the journey WAITING_FOR_STAFF, opens a staff task holding the token and the checkpoint, and
 * alerts staff. It returns without resuming anything — the journey resumes when a person decides
 * (decide-staff-task.ts sends the token back). Safe to retry: a retry (which Step Functions gives a new token)
 * updates the task it opened instead of opening another, and the alert is sent again only if it never went out.
 *
 * One park answers itself: when the execution stopped here (e.g. DynamoDB was unreachable while parking) and staff
 * chose RETRY on the stopped execution, the redrive comes back to this state. Staff have decided already, so the park
 * carries out their RETRY at once instead of asking again with a reason that no longer holds; if the stage fails
 * again, the next park asks with its fresh reason. Likewise a booking held for its prior authorization whose approval
 * was recorded while the run stopped (before this park, so nothing could resume it): the park retries scheduling,
 * which confirms the visit.
 */
export async function parkForStaff(deps: ParkForStaffDeps, request: ParkForStaffRequest): Promise<{ taskId: string }> {
  const now = deps.now();
  // The park is the stage's newest attempt: a stage call that timed out but still runs can no longer write.
  const journey = await deps.journeys.beginAttempt(request, { parking: true });
  const { stage, checkpoint, error } = stageStopOf(request.stopped, journey);
  const fields = { clinicId: request.clinicId, journeyId: request.journeyId, stage };
  // Staff get a task either way; ops must hear of a run that ended without naming its checkpoint (the alarm on this
  // message: infra/constructs/monitoring.ts), since that is a time-out, a crash or a workflow bug, not a business stop.
  if (!namedStop(request.stopped)) log.error(UNEXPECTED_STOP_MESSAGE, { ...fields, errorName: error?.Error ?? '' });

  const current = journey.stages[stage];
  const retried = (await staffRetriedStopHere(deps, request.clinicId, current))
    ? 'Retried by staff.'
    : stage === 'SCHEDULING' && (await authorizedMeanwhile(deps, journey, now))
      ? 'Prior authorization approved.'
      : undefined;
  if (retried) {
    if ((await deps.engine.resume(request.taskToken, { action: 'RETRY', checkpoint })) === 'TOKEN_GONE')
      throw new Error('The park’s own task token is no longer waiting: its execution has moved on');
    // The decision is carried out once: dropping the task from the stage means a later park asks staff again.
    await deps.journeys.updateStage(journey, stage, { status: 'IN_PROGRESS', reason: retried }, now);
    log.info('Journey retried at once', fields);
    return { taskId: current?.staffTaskId ?? '' };
  }
  // A retried invocation of this same park carries a new token: keep the task staff already see, with that token.
  const parkedAlready =
    journey.status === 'WAITING_FOR_STAFF' &&
    current?.status === 'WAITING_FOR_STAFF' &&
    current.staffTaskId !== undefined &&
    (await deps.tasks.refreshToken(request.clinicId, current.staffTaskId, request.taskToken));
  const taskId = parkedAlready && current.staffTaskId ? current.staffTaskId : staffTaskId(request.taskToken);
  const reason = parkedAlready && current.reason ? current.reason : parkReason({ stage, error }, current);
  // Before the stage points at the task: a retried park keeps the task it opened, queue and all.
  const departmentQueue = stage === 'SCHEDULING' && !parkedAlready ? await schedulingQueueOf(deps, journey, now) : undefined;
  // Before the alert: a decision is accepted only while the journey is WAITING_FOR_STAFF.
  await deps.journeys.updateStage(
    journey,
    stage,
    { status: 'WAITING_FOR_STAFF', reason, staffTaskId: taskId, journeyStatus: 'WAITING_FOR_STAFF' },
    now,
  );

  const task = await journeyTask(
    deps,
    {
      ...fields,
      taskId,
      patientId: journey.patientId,
      kind: 'STAGE_BLOCKED',
      reason,
      taskToken: request.taskToken,
      checkpoint,
      ...(departmentQueue ? { departmentQueue } : {}),
    },
    ACTOR,
    now,
  );
  try {
    await alertStaffOfTask(deps, task, ACTOR, now);
  } catch (error) {
    // The journey already waits and the task is in the staff queue: an alert SNS would not take (after the SDK's own
    // retries) must not fail the journey. The task keeps no alertedAt, so any later park of it alerts again.
    if ((error as Error).name !== TRANSIENT_ERRORS.messagingUnavailable) throw error;
    log.error('Staff alert not sent; the task is in the queue', { ...fields, taskId, errorName: (error as Error).name });
  }
  if (!parkedAlready) deps.metrics.parked(stage, now);
  log.info('Journey parked for staff', { ...fields, taskId });
  return { taskId };
}

/** The stage still carries the staff RETRY of a stopped execution: the redrive has not run the stage since. */
async function staffRetriedStopHere(deps: ParkForStaffDeps, clinicId: string, current: StageState | undefined): Promise<boolean> {
  if (current?.status !== 'IN_PROGRESS' || !current.staffTaskId) return false;
  const task = await deps.tasks.get(clinicId, current.staffTaskId);
  return task?.kind === 'EXECUTION_STOPPED' && task.status === 'DECIDED' && task.decision?.action === 'RETRY';
}

/**
 * The booking held for its authorization (the stage waits, no task yet: this is its first park) waits no more: an
 * approval covering it was recorded meanwhile. Only then, so a scheduling failure of another kind never loops.
 */
async function authorizedMeanwhile(deps: ParkForStaffDeps, journey: JourneyRecord, now: Date): Promise<boolean> {
  const scheduling = journey.stages.SCHEDULING;
  if (scheduling?.status !== 'WAITING_FOR_STAFF' || scheduling.staffTaskId) return false;
  if (!journey.appointment || journey.appointment.status === 'CANCELLED') return false;
  await journeyAuditSession(deps.audit, ACTOR, journey, now).before('authorization.read');
  const authorization = await deps.authorizations.get(journey.clinicId, journey.appointment.appointmentId);
  return (
    authorization !== undefined &&
    authorization.status !== 'OPEN' &&
    authorizationHold(authorization, visitDateOf(journey.appointment)) === undefined
  );
}

/**
 * The queue a clinic routes its appointment type's department's scheduling problems to (catalog `staffQueue`, e.g.
 * imaging to radiology), if it does: the appointment type is read from the submission (projected, audited).
 */
async function schedulingQueueOf(deps: ParkForStaffDeps, journey: JourneyRecord, now: Date): Promise<StaffQueue | undefined> {
  const submission = await deps.submissions.read(journey, journeyAuditSession(deps.audit, ACTOR, journey, now), [
    'visit.appointmentTypeCode',
  ]);
  const catalog = await deps.catalog.load(journey.clinicId);
  const type = catalog?.appointmentTypes.find((t) => t.code === submission.visit?.appointmentTypeCode);
  return catalog?.departments.find((d) => d.departmentId === type?.departmentId)?.staffQueue;
}
