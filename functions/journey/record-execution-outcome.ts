import { JourneyRefSchema } from '#contract/journey-workflow.ts';
import { currentStage } from '#model/journey.ts';
import { allowedActions } from '#model/staff-decision.ts';
import { stoppedExecutionTaskId } from '#model/staff-task.ts';
import type { JourneyMetrics } from '#shared/journey-metrics.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort, StaffAlertPort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import type { JourneyEngine } from './journey-engine-port.ts';
import { alertStaffOfTask, journeyTask } from './journey-task.ts';
import { type StoppedStatus, stoppedReason } from './stopped-execution.ts';

export interface RecordExecutionOutcomeDeps extends Pick<SharedStores, 'journeys' | 'tasks' | 'audit' | 'catalog'> {
  metrics: JourneyMetrics;
  /** Alerts staff of the stopped execution's task (openTaskAndAlert). */
  alerts: StaffAlertPort;
  /** Schedules the task's escalation at its due time (openTaskAndAlert). */
  escalations: EscalationSchedulePort;
  /** The execution itself is the truth the event is checked against. */
  engine: JourneyEngine;
  now: () => Date;
}

/** What a status-change event says: the execution, its new status, the error it ended with and its run. */
export interface StatusChange {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'PENDING_REDRIVE' | StoppedStatus;
  error?: string | null;
  redriveCount?: number | null;
}

export type ExecutionOutcome = { outcome: 'IGNORED' | 'ALREADY_ENDED' | 'HELD_FOR_STAFF' };

const ACTOR = 'function:recordExecutionOutcome';

/**
 * The workflow records every outcome it reaches itself; this handles the ones it cannot: an execution that failed
 * (e.g. DynamoDB unreachable past every retry), timed out or was aborted leaves the journey's read model RUNNING or
 * waiting on a dead task. Here the journey converges to the execution's truth: WAITING_FOR_STAFF with a task whose
 * RETRY redrives the execution. Safe to repeat (events come at least once): the task ID derives from the execution
 * and its redrive count, and a journey that has ended is left alone. An event that the execution has outrun
 * (redriven since) is ignored.
 */
export async function recordExecutionOutcome(deps: RecordExecutionOutcomeDeps, change: StatusChange): Promise<ExecutionOutcome> {
  if (change.status !== 'FAILED' && change.status !== 'TIMED_OUT' && change.status !== 'ABORTED') return { outcome: 'IGNORED' };
  const redriveCount = change.redriveCount ?? 0;
  // The execution itself is the truth (and its input, unlike the event's, is there even when the state machine's
  // customer managed key keeps execution data out of events).
  const current = await deps.engine.describe(change.executionArn);
  const ref = JourneyRefSchema.parse(current.input);
  const fields = { clinicId: ref.clinicId, journeyId: ref.journeyId, outcome: change.status };
  if (current.status === 'RUNNING' || current.redriveCount > redriveCount) {
    log.info('Execution redriven since the event; nothing to record', fields);
    return { outcome: 'IGNORED' };
  }
  const now = deps.now();
  const journey = await deps.journeys.get(ref, { consistent: true });
  if (!journey || !['RUNNING', 'WAITING_FOR_STAFF'].includes(journey.status)) {
    log.info('Journey already ended; its end stands', fields);
    return { outcome: 'ALREADY_ENDED' };
  }

  const stage = currentStage(journey);
  const taskId = stoppedExecutionTaskId(change.executionArn, redriveCount);
  // A repeated event for a stop staff have already decided must not hold the journey again.
  const existing = await deps.tasks.get(ref.clinicId, taskId);
  if (existing && existing.status !== 'OPEN') {
    log.info('Stop already decided; nothing to record', fields);
    return { outcome: 'IGNORED' };
  }
  const canCancel = allowedActions({ kind: 'EXECUTION_STOPPED', stage }).includes('CANCEL');
  const reason = stoppedReason(change.status, stage, change.error ?? undefined, canCancel);
  const task = await journeyTask(
    deps,
    { ...ref, taskId, patientId: journey.patientId, kind: 'EXECUTION_STOPPED', stage, reason, executionArn: change.executionArn },
    ACTOR,
    now,
  );
  // The task first, so the journey never points at a task that does not exist; staff hear of it only once the
  // journey waits on it (a decision is accepted only then).
  await deps.tasks.open(task);
  const held = await deps.journeys.holdStopped(
    ref,
    stage,
    { status: 'WAITING_FOR_STAFF', at: now.toISOString(), reason, staffTaskId: taskId },
    now,
  );
  if (!held) {
    await deps.tasks.expireIfOpen(ref.clinicId, taskId, ACTOR, now);
    return { outcome: 'ALREADY_ENDED' };
  }
  // Counted by the hold that made the journey wait on this stop: a repeat (or a retry after the hold) finds it so.
  if (journey.stages[stage]?.staffTaskId !== taskId) deps.metrics.stopped(stage, now);
  // Tasks of the stopped execution (a park's) can no longer resume anything.
  for (const state of Object.values(journey.stages)) {
    if (state.staffTaskId && state.staffTaskId !== taskId) await deps.tasks.expireIfOpen(ref.clinicId, state.staffTaskId, ACTOR, now);
  }
  await alertStaffOfTask(deps, task, ACTOR, now, { status: change.status });
  log.warn('Stopped journey held for staff', { ...fields, taskId, stage });
  return { outcome: 'HELD_FOR_STAFF' };
}
