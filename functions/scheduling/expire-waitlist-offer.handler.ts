import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { taskHandler } from '#shared/handler.ts';
import { expireOffer, type OfferDeps } from './waitlist.ts';
import { offerDepsFromEnv } from './waitlist-offer-adapter.ts';

const OfferExpirySchema = z.object({ clinicId: PathIdSchema, offerId: PathIdSchema });

/** Target of an offer's expiry schedule: the offer lapses and the slot goes to the next in line (waitlist.ts). */
export function makeExpireWaitlistOffer(deps: OfferDeps) {
  return taskHandler(OfferExpirySchema, async (ref) => ({ outcome: await expireOffer(deps, ref) }));
}

export const handler = makeExpireWaitlistOffer(offerDepsFromEnv());
