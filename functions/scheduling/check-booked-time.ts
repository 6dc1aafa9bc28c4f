import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import { outsideCalendar } from './calendar-changes.ts';
import { openRescheduleTask } from './reschedule-task.ts';

export interface CheckBookedTimeDeps extends Pick<SharedStores, 'appointments' | 'catalog' | 'tasks' | 'audit'> {
  escalations: EscalationSchedulePort;
  now: () => Date;
}

const ACTOR = 'function:checkBookedTime';

/**
 * A visit just booked or moved is checked against the calendar as it is now (the catalog read afresh). Searches read
 * the catalog through a short cache, so a booking in the minute after an admin's change (time off, a closure, new
 * hours) may land in time that change took away, after the change listed its collisions: such a visit gets the same
 * RESCHEDULE task the change would have opened. Acts on the event's revision only (a later change is checked itself).
 */
export async function checkBookedTime(deps: CheckBookedTimeDeps, event: AppointmentChangedDetail): Promise<'INSIDE' | 'OUTSIDE' | 'STALE'> {
  if (event.change !== 'book' && event.change !== 'reschedule') return 'STALE';
  const appointment = await deps.appointments.getById(event.clinicId, event.appointmentId);
  if (appointment?.status !== 'BOOKED' || (appointment.revision ?? 0) !== event.revision) return 'STALE';
  const catalog = await deps.catalog.load(event.clinicId);
  const why = catalog && outsideCalendar(catalog, appointment);
  if (!catalog || !why) return 'INSIDE';
  await openRescheduleTask(deps, catalog, appointment, why, ACTOR, deps.now());
  log.warn('Visit booked outside the calendar', { clinicId: event.clinicId, outcome: why });
  return 'OUTSIDE';
}
