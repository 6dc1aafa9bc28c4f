import { QueuedCalendarChangeSchema } from '#contract/appointment-events.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type RescheduleCollisionsDeps, rescheduleCollisions, withdrawUndoneCollisions } from './reschedule-collisions.ts';

/**
 * Target of the RescheduleCollisions and WithdrawUndoneCollisions rules' queues (contract/appointment-events.ts): visits
 * in time a change took away get their tasks; visits in time a change opened again lose theirs.
 */
export function makeRescheduleCollisions(deps: RescheduleCollisionsDeps) {
  return taskHandler(QueuedCalendarChangeSchema, async ({ Records }) => {
    const tasks = [];
    let withdrawn = 0;
    for (const { body } of Records) {
      if (body && 'closing' in body) tasks.push(await rescheduleCollisions(deps, body.closing));
      if (body && 'opening' in body) withdrawn += await withdrawUndoneCollisions(deps, body.opening);
    }
    return { tasks, withdrawn };
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
