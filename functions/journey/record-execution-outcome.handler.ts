import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { isPathId } from '#contract/api/path-ids.ts';
import { dynamo, sfn, sns } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { getJourney, holdStoppedJourney } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { openTaskAndAlert, type StaffAlertPort } from '#shared/staff-alerts.ts';
import { expireIfOpen, getStaffTask, openStaffTask, type StaffTask, staffTaskId } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';
import { allowedActions } from './staff-decision.ts';
import { stageAtStop, stoppedReason } from './stopped-execution.ts';

export interface RecordExecutionOutcomeDeps {
  table: TableRef;
  sfn: SFNClient;
  alerts: StaffAlertPort;
  now?: () => Date;
}

/** The part of Step Functions' "Execution Status Change" event (EventBridge) this reads. */
const StatusChangeSchema = z.object({
  detail: z.object({
    executionArn: z.string().min(1),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    error: z.string().nullish(),
    redriveCount: z.number().int().nonnegative().nullish(),
  }),
});
/** The execution input: the journey's IDs (and nothing else, by the journey contract). */
const JourneyInputSchema = z.object({ clinicId: z.string().refine(isPathId), journeyId: z.string().refine(isPathId) });

export type ExecutionOutcome = { outcome: 'IGNORED' | 'ALREADY_ENDED' | 'HELD_FOR_STAFF' };

/**
 * Target of the rule on the journey state machine's execution status changes. The workflow records every outcome it
 * reaches itself; this handles the ones it cannot: an execution that failed (e.g. DynamoDB unreachable past every
 * retry), timed out or was aborted leaves the journey's read model RUNNING or waiting on a dead task. Here the journey
 * converges to the execution's truth: WAITING_FOR_STAFF with a task whose RETRY redrives the execution. Safe to
 * repeat (EventBridge delivers at least once and retries): the task ID derives from the execution and its redrive
 * count, and a journey that has ended is left alone. An event that the execution has outrun (redriven since) is ignored.
 */
export function makeRecordExecutionOutcome(deps: RecordExecutionOutcomeDeps) {
  return async (event: unknown): Promise<ExecutionOutcome> => {
    const { detail } = StatusChangeSchema.parse(event);
    if (detail.status !== 'FAILED' && detail.status !== 'TIMED_OUT' && detail.status !== 'ABORTED') return { outcome: 'IGNORED' };
    const redriveCount = detail.redriveCount ?? 0;
    // The execution itself is the truth (and its input, unlike the event's, is there even when the state machine's
    // customer managed key keeps execution data out of events).
    const current = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: detail.executionArn }));
    const ref = JourneyInputSchema.parse(JSON.parse(current.input ?? '{}'));
    const fields = { clinicId: ref.clinicId, journeyId: ref.journeyId, outcome: detail.status };
    if (current.status === 'RUNNING' || (current.redriveCount ?? 0) > redriveCount) {
      log.info('Execution redriven since the event; nothing to record', fields);
      return { outcome: 'IGNORED' };
    }
    const now = deps.now?.() ?? new Date();
    const journey = await getJourney(deps.table, ref, { consistent: true });
    if (!journey || !['RUNNING', 'WAITING_FOR_STAFF'].includes(journey.status)) {
      log.info('Journey already ended; its end stands', fields);
      return { outcome: 'ALREADY_ENDED' };
    }

    const stage = stageAtStop(journey);
    const taskId = staffTaskId(`${detail.executionArn}#${redriveCount}`);
    // A repeated event for a stop staff have already decided must not hold the journey again.
    const existing = await getStaffTask(deps.table, ref.clinicId, taskId);
    if (existing && existing.status !== 'OPEN') {
      log.info('Stop already decided; nothing to record', fields);
      return { outcome: 'IGNORED' };
    }
    const canCancel = allowedActions({ kind: 'EXECUTION_STOPPED', stage }).includes('CANCEL');
    const reason = stoppedReason(detail.status, stage, detail.error ?? undefined, canCancel);
    const task: StaffTask = {
      type: 'StaffTask',
      clinicId: ref.clinicId,
      taskId,
      journeyId: ref.journeyId,
      kind: 'EXECUTION_STOPPED',
      stage,
      reason,
      status: 'OPEN',
      createdAt: now.toISOString(),
      executionArn: detail.executionArn,
    };
    // The task first, so the journey never points at a task that does not exist; staff hear of it only once the
    // journey waits on it (a decision is accepted only then).
    await openStaffTask(deps.table, task);
    const held = await holdStoppedJourney(
      deps.table,
      ref,
      stage,
      { status: 'WAITING_FOR_STAFF', at: now.toISOString(), reason, staffTaskId: taskId },
      now,
    );
    if (!held) {
      await expireIfOpen(deps.table, ref.clinicId, taskId);
      return { outcome: 'ALREADY_ENDED' };
    }
    // Tasks of the stopped execution (a park's) can no longer resume anything.
    for (const state of Object.values(journey.stages)) {
      if (state.staffTaskId && state.staffTaskId !== taskId) await expireIfOpen(deps.table, ref.clinicId, state.staffTaskId);
    }
    await openTaskAndAlert(
      { table: deps.table, alerts: deps.alerts },
      task,
      {
        subject: `Journey stopped: ${stage}`,
        message: { kind: 'EXECUTION_STOPPED', clinicId: ref.clinicId, journeyId: ref.journeyId, taskId, stage, status: detail.status },
        attributes: { clinicId: ref.clinicId },
      },
      { actor: 'function:recordExecutionOutcome', patientId: journey.patientId },
      now,
    );
    log.warn('Stopped journey held for staff', { ...fields, taskId, stage });
    return { outcome: 'HELD_FOR_STAFF' };
  };
}

/** The queue's event (JourneyStatusEvents): each record's body is one status-change event, as EventBridge sent it. */
const QueueEventSchema = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

/**
 * Reads the status-change events off the queue. The batch holds one record (batch size 1), so a throw returns exactly
 * that event to the queue, to be offered again until it succeeds or is dead-lettered.
 */
export function fromQueue(record: (event: unknown) => Promise<ExecutionOutcome>) {
  return async (event: unknown): Promise<void> => {
    for (const { body } of QueueEventSchema.parse(event).Records) await record(JSON.parse(body));
  };
}

export const handler = fromQueue(
  makeRecordExecutionOutcome({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    sfn,
    alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
  }),
);
