import { QueuedAppointmentEventSchema } from '#contract/appointment-events.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type CheckBookedTimeDeps, checkBookedTime } from './check-booked-time.ts';

/** Target of the CheckBookedTime rule's queue (contract/appointment-events.ts): a booked or moved visit vs the calendar. */
export function makeCheckBookedTime(deps: CheckBookedTimeDeps) {
  return taskHandler(QueuedAppointmentEventSchema, async ({ Records }) => {
    const outcomes = [];
    for (const { body } of Records) if (body) outcomes.push(await checkBookedTime(deps, body));
    return { outcomes };
  });
}

const table = tableFromEnv();
// The catalog as it is now, not cached: the point is to see a change the searches' cache may not have yet.
export const handler = makeCheckBookedTime({
  ...dynamoStores(table),
  catalog: dynamoCatalogStore(table),
  escalations: escalationsFromEnv(),
  now: systemClock,
});
