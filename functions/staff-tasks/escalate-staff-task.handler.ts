import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { sns } from '#shared/aws/sns-client.ts';
import { requireEnv } from '#shared/env.ts';
import { taskHandler } from '#shared/handler.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type EscalateStaffTaskDeps, escalateStaffTask } from './escalate-staff-task.ts';

/** What a task's escalation schedule sends (escalation-schedule-adapter.ts): the task's IDs. */
const EscalationRequestSchema = z.strictObject({ clinicId: PathIdSchema, taskId: PathIdSchema });

/** Invoked by the task's one-time EventBridge schedule at its due time (escalate-staff-task.ts). */
export function makeEscalateStaffTask(deps: EscalateStaffTaskDeps) {
  return taskHandler(EscalationRequestSchema, (request) => escalateStaffTask(deps, request));
}

export const handler = makeEscalateStaffTask({
  ...dynamoStores(tableFromEnv()),
  alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
  metrics: emfJourneyMetrics(),
  now: systemClock,
});
