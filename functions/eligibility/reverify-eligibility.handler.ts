import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoEligibilityStore } from './eligibility-store.ts';
import { type ReverifyEligibilityDeps, reverifyEligibility } from './reverify-eligibility.ts';
import { stediEligibilityAdapterFromEnv } from './stedi-eligibility-adapter.ts';

/** What a coverage re-check's schedule hands the function: IDs, the revision it was planned for, and which check. */
const RecheckSchema = z.object({
  clinicId: PathIdSchema,
  appointmentId: PathIdSchema,
  // Schedule inputs are strings.
  revision: z.coerce.number().int().nonnegative(),
  when: z.enum(['ahead', 'day']),
});

/** Target of a visit's coverage re-check schedule (reverify-eligibility.ts). A throw gets Lambda's retries, then the dead-letter queue. */
export function makeReverifyEligibility(deps: ReverifyEligibilityDeps) {
  return taskHandler(RecheckSchema, async (check) => ({ outcome: await reverifyEligibility(deps, check) }));
}

const table = tableFromEnv();
export const handler = makeReverifyEligibility({
  ...dynamoStores(table),
  store: dynamoEligibilityStore(table),
  eligibility: stediEligibilityAdapterFromEnv(),
  escalations: escalationsFromEnv(),
  now: systemClock,
});
