import { QueuedOfferEventSchema } from '#contract/appointment-events.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { taskHandler } from '#shared/handler.ts';
import { tableFromEnv } from '#shared/stores.ts';
import { type OfferDeps, offerFreedTime, offerOpenedTime } from './waitlist.ts';
import { offerDepsFromEnv } from './waitlist-offer-adapter.ts';

/**
 * Target of two rules' queues (contract/appointment-events.ts): OfferFreedTime (an appointment cancelled or moved) and
 * OfferOpenedTime (a calendar change opened time). Either way, the time goes to the waitlist.
 */
export function makeOfferFreedTime(deps: OfferDeps) {
  return taskHandler(QueuedOfferEventSchema, async ({ Records }) => {
    const outcomes = [];
    for (const { body } of Records) {
      if (!body) continue;
      outcomes.push('opening' in body ? await offerOpenedTime(deps, body.opening) : await offerFreedTime(deps, body.change));
    }
    return { outcomes };
  });
}

// The catalog as it is now, not cached: an opening's event follows the change that opened the time within a second.
export const handler = makeOfferFreedTime({ ...offerDepsFromEnv(), catalog: dynamoCatalogStore(tableFromEnv()) });
