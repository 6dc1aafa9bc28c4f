import { CollectPaymentRequestSchema } from '#contract/journey-workflow.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type CollectPaymentDeps, collectPayment } from './collect-payment.ts';
import { dynamoPaymentStore } from './payment-store.ts';
import { stripePaymentAdapterFromEnv } from './stripe-payment-adapter.ts';

/**
 * CollectPayment / DeferPayment task: charges what the patient owes for the visit at most once per journey, or (DEFER,
 * after staff PROCEED) records only a charge the processor already holds (collect-payment.ts).
 */
export function makeCollectPayment(deps: CollectPaymentDeps) {
  return taskHandler(CollectPaymentRequestSchema, (input) => collectPayment(deps, input));
}

const table = tableFromEnv();
export const handler = makeCollectPayment({
  ...dynamoStores(table),
  payments: dynamoPaymentStore(table),
  processor: stripePaymentAdapterFromEnv(),
  now: systemClock,
});
