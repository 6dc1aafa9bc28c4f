import * as z from 'zod';
import { sfn } from '#shared/aws/sfn-client.ts';
import { sns } from '#shared/aws/sns-client.ts';
import { requireEnv } from '#shared/env.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type ExecutionOutcome, type RecordExecutionOutcomeDeps, recordExecutionOutcome } from './record-execution-outcome.ts';
import { sfnJourneyEngine } from './sfn-journey-engine-adapter.ts';

/** The part of Step Functions' "Execution Status Change" event (EventBridge) this reads. */
const StatusChangeSchema = z.object({
  detail: z.object({
    executionArn: z.string().min(1),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    error: z.string().nullish(),
    redriveCount: z.number().int().nonnegative().nullish(),
  }),
});

/**
 * Records one status change of a journey's execution (record-execution-outcome.ts): the journey of an execution that
 * failed, timed out or was aborted is held for staff.
 */
export function makeRecordExecutionOutcome(deps: RecordExecutionOutcomeDeps) {
  return (event: unknown): Promise<ExecutionOutcome> => recordExecutionOutcome(deps, StatusChangeSchema.parse(event).detail);
}

/** The queue's event (JourneyStatusEvents): each record's body is one status-change event, as EventBridge sent it. */
const QueueEventSchema = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

/**
 * Target of the queue the rule on the journey state machine's status changes feeds. The batch holds one record (batch
 * size 1), so a throw returns exactly that event to the queue, to be offered again until it succeeds or is
 * dead-lettered.
 */
export function fromQueue(record: (event: unknown) => Promise<ExecutionOutcome>) {
  return taskHandler(QueueEventSchema, async ({ Records }) => {
    for (const { body } of Records) await record(JSON.parse(body));
  });
}

export const handler = fromQueue(
  makeRecordExecutionOutcome({
    ...dynamoStores(tableFromEnv()),
    alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
    escalations: escalationsFromEnv(),
    engine: sfnJourneyEngine(sfn),
    metrics: emfJourneyMetrics(),
    now: systemClock,
  }),
);
