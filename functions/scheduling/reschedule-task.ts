import type { ClosedTime } from '#contract/appointment-events.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { openedStaffTask, type StaffTaskDraft, serviceLevelsOf, staffTaskId } from '#model/staff-task.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { openTaskWithoutAlert, type StaffAlertDeps } from '#shared/staff-alerts.ts';

const WHY: Readonly<Record<ClosedTime['kind'], string>> = {
  away: 'time off or a block',
  hours: 'weekly hours',
  closed: 'a closure',
};

/** Who withdraws a RESCHEDULE task when an undone calendar change gives its visit room again (withdrawUndoneCollisions). */
export const RESCHEDULE_WITHDRAWN_BY = 'function:rescheduleCollisions';

/** The RESCHEDULE task of a visit: one per visit and revision, whoever finds the collision first. */
export const rescheduleTaskIdOf = (appointment: Pick<AppointmentRecord, 'clinicId' | 'appointmentId' | 'revision'>) =>
  staffTaskId(`reschedule#${appointment.clinicId}#${appointment.appointmentId}#${appointment.revision ?? 0}`);

/**
 * Opens the task that asks someone to move a booked visit the clinic's calendar no longer has room for: RESCHEDULE,
 * in the scheduling queue of the visit's department, due by the clinic's service level (the catalog given). Opening it
 * again finds it open; one an undone change withdrew opens again (the time was taken away once more). Returns its ID.
 */
export async function openRescheduleTask(
  deps: Pick<StaffAlertDeps, 'tasks' | 'audit' | 'escalations'>,
  catalog: ClinicCatalog,
  appointment: AppointmentRecord,
  why: ClosedTime['kind'],
  actor: string,
  now: Date,
): Promise<string> {
  const department = catalog.departments.find((d) => d.departmentId === appointment.department.id);
  const draft: StaffTaskDraft = {
    clinicId: appointment.clinicId,
    taskId: rescheduleTaskIdOf(appointment),
    kind: 'RESCHEDULE',
    patientId: appointment.patientId,
    appointmentId: appointment.appointmentId,
    ...(department?.staffQueue ? { departmentQueue: department.staffQueue } : {}),
    reason:
      `${appointment.appointmentType} on ${appointment.start} at ${appointment.location.name} is outside the clinic's time ` +
      `(${WHY[why]}): move or cancel it with the patient, then mark this task handled.`,
  };
  const task = openedStaffTask(draft, serviceLevelsOf(catalog.profile.serviceLevels), actor, now);
  await deps.tasks.reopenWithdrawn(task.clinicId, task.taskId, RESCHEDULE_WITHDRAWN_BY, actor, now);
  await openTaskWithoutAlert(deps, task, actor, now);
  return task.taskId;
}
