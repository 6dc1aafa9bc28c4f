import { QueuedAppointmentEventSchema } from '#contract/appointment-events.ts';
import { taskHandler } from '#shared/handler.ts';
import { type OfferDeps, offerFreedTime } from './waitlist.ts';
import { offerDepsFromEnv } from './waitlist-offer-adapter.ts';

/** Target of the OfferFreedTime rule's queue (contract/appointment-events.ts): freed time goes to the waitlist. */
export function makeOfferFreedTime(deps: OfferDeps) {
  return taskHandler(QueuedAppointmentEventSchema, async ({ Records }) => {
    const outcomes = [];
    for (const { body } of Records) if (body) outcomes.push(await offerFreedTime(deps, body));
    return { outcomes };
  });
}

export const handler = makeOfferFreedTime(offerDepsFromEnv());
