import { JourneyRefSchema } from '#contract/journey-workflow.ts';
import { sns } from '#shared/aws/sns-client.ts';
import { requireEnv } from '#shared/env.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import type { ScreenIntakeDeps } from './screen-intake.ts';
import { screenIntake } from './screen-intake.ts';

/** Journey task ScreenIntake: completes intake, opening a triage slip and alerting staff when the answers show risk (screen-intake.ts). */
export function makeScreenIntake(deps: ScreenIntakeDeps) {
  return taskHandler(JourneyRefSchema, (ref) => screenIntake(deps, ref));
}

export const handler = makeScreenIntake({
  ...dynamoStores(tableFromEnv()),
  alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
  escalations: escalationsFromEnv(),
  now: systemClock,
});
