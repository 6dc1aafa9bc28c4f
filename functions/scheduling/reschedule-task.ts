import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { type StaffTaskDraft, staffTaskId } from '#model/staff-task.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { newStaffTask, openTaskWithoutAlert, type StaffAlertDeps } from '#shared/staff-alerts.ts';
import type { CalendarConstraint } from './calendar-changes.ts';

const WHY: Readonly<Record<CalendarConstraint['kind'], string>> = {
  away: 'time off or a block',
  hours: 'weekly hours',
  closed: 'a closure',
};

/**
 * Opens the task that asks someone to move a booked visit the clinic's calendar no longer has room for: RESCHEDULE,
 * in the scheduling queue of the visit's department, one per visit and revision (whoever finds the collision first
 * opens it; the others find it open). Returns its ID.
 */
export async function openRescheduleTask(
  deps: Pick<StaffAlertDeps, 'tasks' | 'audit' | 'escalations' | 'catalog'>,
  catalog: ClinicCatalog,
  appointment: AppointmentRecord,
  why: CalendarConstraint['kind'],
  actor: string,
  now: Date,
): Promise<string> {
  const department = catalog.departments.find((d) => d.departmentId === appointment.department.id);
  const draft: StaffTaskDraft = {
    clinicId: appointment.clinicId,
    taskId: staffTaskId(`reschedule#${appointment.clinicId}#${appointment.appointmentId}#${appointment.revision ?? 0}`),
    kind: 'RESCHEDULE',
    patientId: appointment.patientId,
    appointmentId: appointment.appointmentId,
    ...(department?.staffQueue ? { departmentQueue: department.staffQueue } : {}),
    reason:
      `${appointment.appointmentType} on ${appointment.start} at ${appointment.location.name} is outside the clinic's time ` +
      `(${WHY[why]}): move or cancel it with the patient, then mark this task handled.`,
  };
  const task = await newStaffTask(deps, draft, actor, now);
  await openTaskWithoutAlert(deps, task, actor, now);
  return task.taskId;
}
