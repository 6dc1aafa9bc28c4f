import { ParkForStaffRequestSchema } from '#contract/journey-workflow.ts';
import { sfn } from '#shared/aws/sfn-client.ts';
import { sns } from '#shared/aws/sns-client.ts';
import { requireEnv } from '#shared/env.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type ParkForStaffDeps, parkForStaff } from './park-for-staff.ts';
import { sfnJourneyEngine } from './sfn-journey-engine-adapter.ts';

/** PatientJourney's HoldForStaff state (.waitForTaskToken): the journey waits for a person's decision (park-for-staff.ts). */
export function makeParkForStaff(deps: ParkForStaffDeps) {
  return taskHandler(ParkForStaffRequestSchema, (request) => parkForStaff(deps, request));
}

export const handler = makeParkForStaff({
  ...dynamoStores(tableFromEnv()),
  alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
  escalations: escalationsFromEnv(),
  engine: sfnJourneyEngine(sfn),
  metrics: emfJourneyMetrics(),
  now: systemClock,
});
