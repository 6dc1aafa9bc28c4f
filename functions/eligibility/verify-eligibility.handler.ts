import { JourneyRefSchema } from '#contract/journey-workflow.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoEligibilityStore } from './eligibility-store.ts';
import { stediEligibilityAdapterFromEnv } from './stedi-eligibility-adapter.ts';
import type { VerifyEligibilityDeps } from './verify-eligibility.ts';
import { verifyEligibility } from './verify-eligibility.ts';

/**
 * Journey task VerifyEligibility: asks the payer (through the clearinghouse) whether the patient's plan covers the
 * appointment type, records the result and the patient's estimated share, and returns only the outcome
 * (verify-eligibility.ts). A clearinghouse outage throws ClearinghouseUnavailable for the workflow's Retry.
 */
export function makeVerifyEligibility(deps: VerifyEligibilityDeps) {
  return taskHandler(JourneyRefSchema, (ref) => verifyEligibility(deps, ref));
}

const table = tableFromEnv();
export const handler = makeVerifyEligibility({
  ...dynamoStores(table),
  store: dynamoEligibilityStore(table),
  eligibility: stediEligibilityAdapterFromEnv(),
  now: systemClock,
});
