import { QueuedCalendarClosedSchema } from '#contract/appointment-events.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type RescheduleCollisionsDeps, rescheduleCollisions } from './reschedule-collisions.ts';

/** Target of the RescheduleCollisions rule's queue (contract/appointment-events.ts): visits in time a change took away. */
export function makeRescheduleCollisions(deps: RescheduleCollisionsDeps) {
  return taskHandler(QueuedCalendarClosedSchema, async ({ Records }) => {
    const tasks = [];
    for (const { body } of Records) if (body) tasks.push(await rescheduleCollisions(deps, body));
    return { tasks };
  });
}

const table = tableFromEnv();
// The catalog as it is now, not cached: the change that took the time away is in it.
export const handler = makeRescheduleCollisions({
  ...dynamoStores(table),
  catalog: dynamoCatalogStore(table),
  escalations: escalationsFromEnv(),
  now: systemClock,
});
