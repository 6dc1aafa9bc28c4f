import type { CalendarClosedDetail, CalendarOpenedDetail } from '#contract/appointment-events.ts';
import { routeStaffTask, type StaffTask } from '#model/staff-task.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import { outsideCalendar } from './calendar-changes.ts';
import { findCollisions } from './calendar-collisions.ts';
import { openRescheduleTask, RESCHEDULE_WITHDRAWN_BY, rescheduleTaskIdOf } from './reschedule-task.ts';

export interface RescheduleCollisionsDeps extends Pick<SharedStores, 'appointments' | 'catalog' | 'tasks' | 'audit'> {
  escalations: EscalationSchedulePort;
  now: () => Date;
}

/** Tasks opened (or withdrawn) at once: a change of a year's hours may collide with hundreds of visits. */
const TASKS_AT_ONCE = 10;
/** Open tasks read a page at a time from the queues. */
const TASK_PAGE = 100;

/**
 * Time an admin's change took away (a CalendarClosed event): every booked visit now outside the clinic's time gets its
 * RESCHEDULE task, in the admin's name. Read against the catalog as it is now (the handler's store is not cached). A
 * redelivery finds the tasks open and opens none twice.
 */
export async function rescheduleCollisions(deps: RescheduleCollisionsDeps, event: CalendarClosedDetail): Promise<number> {
  const now = deps.now();
  // Strongly consistent: the change that took the time away, or a withdrawal's undoing of an earlier one, is in it.
  const catalog = await deps.catalog.load(event.clinicId, { consistent: true });
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

/**
 * Time an admin's change opened (a CalendarOpened event: a time off or block removed, a closure lifted, hours widened):
 * each RESCHEDULE task still open in the queues of the opened resources' departments whose visit the calendar now has
 * room for again is withdrawn (EXPIRED, by RESCHEDULE_WITHDRAWN_BY), so the queue shows only visits that still need
 * moving. Left alone: a task a colleague has claimed (they may be on the phone with the patient), and one whose visit
 * has moved or been cancelled since (the task is no longer the visit's own revision). The calendar is read strongly
 * consistent, and again after each withdrawal: time taken away once more in between opens the task again, as its
 * CalendarClosed would. A redelivery finds the tasks gone and does nothing.
 */
export async function withdrawUndoneCollisions(deps: RescheduleCollisionsDeps, opening: CalendarOpenedDetail): Promise<number> {
  const now = deps.now();
  const catalog = await deps.catalog.load(opening.clinicId, { consistent: true });
  if (!catalog) return 0;
  const departments = new Set(catalog.resources.filter((r) => opening.resourceIds.includes(r.resourceId)).map((r) => r.departmentId));
  const queues = [
    ...new Set(
      catalog.departments
        .filter((d) => departments.has(d.departmentId))
        .map((d) => routeStaffTask({ kind: 'RESCHEDULE', ...(d.staffQueue ? { departmentQueue: d.staffQueue } : {}) }).queue),
    ),
  ];
  const withdrawOne = async (task: StaffTask): Promise<boolean> => {
    // The visit is the patient's data: its read is recorded first, in this function's name.
    await deps.audit.append(
      {
        clinicId: opening.clinicId,
        actor: RESCHEDULE_WITHDRAWN_BY,
        ...(task.patientId ? { patientId: task.patientId } : {}),
        actions: ['appointment.read'],
      },
      now,
    );
    const visit = await deps.appointments.getById(opening.clinicId, task.appointmentId ?? '');
    if (visit?.status !== 'BOOKED' || rescheduleTaskIdOf(visit) !== task.taskId || outsideCalendar(catalog, visit)) return false;
    if (!(await deps.tasks.expireIfOpen(opening.clinicId, task.taskId, RESCHEDULE_WITHDRAWN_BY, now, { unclaimedOnly: true })))
      return false;
    const current = await deps.catalog.load(opening.clinicId, { consistent: true });
    const why = current && outsideCalendar(current, visit);
    if (why) await openRescheduleTask(deps, current, visit, why, RESCHEDULE_WITHDRAWN_BY, now);
    return !why;
  };
  let withdrawn = 0;
  let after: string | undefined;
  do {
    const page = await deps.tasks.list({
      clinicId: opening.clinicId,
      queues,
      status: 'OPEN',
      limit: TASK_PAGE,
      ...(after ? { after } : {}),
    });
    const candidates = page.tasks.filter((t) => t.kind === 'RESCHEDULE' && t.appointmentId && !t.owner);
    for (let i = 0; i < candidates.length; i += TASKS_AT_ONCE)
      withdrawn += (await Promise.all(candidates.slice(i, i + TASKS_AT_ONCE).map(withdrawOne))).filter(Boolean).length;
    after = page.next;
  } while (after);
  log.info('Reschedule tasks withdrawn: the calendar has room again', { clinicId: opening.clinicId, count: withdrawn });
  return withdrawn;
}
