import type { CalendarClosedDetail } from '#contract/appointment-events.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import { findCollisions } from './calendar-collisions.ts';
import { openRescheduleTask } from './reschedule-task.ts';

export interface RescheduleCollisionsDeps extends Pick<SharedStores, 'appointments' | 'catalog' | 'tasks' | 'audit'> {
  escalations: EscalationSchedulePort;
  now: () => Date;
}

/** Tasks opened at once: a change of a year's hours may collide with hundreds of visits. */
const TASKS_AT_ONCE = 10;

/**
 * Time an admin's change took away (a CalendarClosed event): every booked visit now outside the clinic's time gets its
 * RESCHEDULE task, in the admin's name. Read against the catalog as it is now (the handler's store is not cached). A
 * redelivery finds the tasks open and opens none twice.
 */
export async function rescheduleCollisions(deps: RescheduleCollisionsDeps, event: CalendarClosedDetail): Promise<number> {
  const now = deps.now();
  const catalog = await deps.catalog.load(event.clinicId);
  if (!catalog) return 0;
  const visits = await findCollisions(deps, catalog, event.clinicId, event.closed);
  for (let i = 0; i < visits.length; i += TASKS_AT_ONCE) {
    await Promise.all(
      visits.slice(i, i + TASKS_AT_ONCE).map((visit) => openRescheduleTask(deps, catalog, visit, event.closed.kind, event.by, now)),
    );
  }
  log.info('Calendar collisions given to staff', { clinicId: event.clinicId, count: visits.length });
  return visits.length;
}
