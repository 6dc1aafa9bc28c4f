import { lapsedBeforeVisit, visitDateOf } from '#model/prior-authorization.ts';
import { openedStaffTask, serviceLevelsOf, staffTaskId } from '#model/staff-task.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { auditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import { type EscalationSchedulePort, openTaskWithoutAlert } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface ReopenLapsedAuthorizationDeps extends Pick<SharedStores, 'authorizations' | 'tasks' | 'audit' | 'catalog'> {
  escalations: EscalationSchedulePort;
}

/**
 * A visit's approval that ends before the visit's day (the visit moved later, or the approval was short) no longer
 * covers it: the case becomes EXPIRED and a PRIOR_AUTHORIZATION task asks the radiology queue to get a new one or an
 * extension, before the patient arrives. Run on every booking and move (planReverification) and at each coverage
 * re-check. One task per case revision; a case changed meanwhile is left for the next check.
 */
export async function reopenLapsedAuthorization(
  deps: ReopenLapsedAuthorizationDeps,
  appointment: AppointmentRecord,
  actor: string,
  now: Date,
): Promise<boolean> {
  if (appointment.status !== 'BOOKED' || !appointment.authorizationStatus) return false;
  const authorization = await deps.authorizations.get(appointment.clinicId, appointment.appointmentId);
  const visitDate = visitDateOf(appointment);
  if (!authorization || !lapsedBeforeVisit(authorization, visitDate)) return false;
  const at = now.toISOString();
  const validTo = authorization.approval?.validTo;
  const expired = {
    ...authorization,
    status: 'EXPIRED' as const,
    revision: authorization.revision + 1,
    updatedAt: at,
    history: [
      ...authorization.history,
      { at, by: actor, status: 'EXPIRED' as const, note: `Valid to ${validTo}; the visit is on ${visitDate}` },
    ],
  };
  const subject = {
    clinicId: appointment.clinicId,
    actor,
    patientId: appointment.patientId,
    ...(appointment.journeyId ? { journeyId: appointment.journeyId } : {}),
  };
  await auditSession(deps.audit, subject, now).before('authorization.record');
  if (!(await deps.authorizations.save(expired))) return false;
  const catalog = await deps.catalog.load(appointment.clinicId);
  const task = openedStaffTask(
    {
      clinicId: appointment.clinicId,
      taskId: staffTaskId(`authorization#${appointment.clinicId}#${appointment.appointmentId}#${expired.revision}`),
      kind: 'PRIOR_AUTHORIZATION',
      patientId: appointment.patientId,
      ...(appointment.journeyId ? { journeyId: appointment.journeyId } : {}),
      appointmentId: appointment.appointmentId,
      reason:
        `The prior authorization of the visit on ${visitDate} ran to ${validTo}, before the visit: ask the payer for a new ` +
        'one or an extension and record it on the visit’s authorization.',
    },
    serviceLevelsOf(catalog?.profile.serviceLevels),
    actor,
    now,
  );
  await openTaskWithoutAlert(deps, task, actor, now);
  log.info('Prior authorization lapsed before the visit', { clinicId: appointment.clinicId, outcome: 'EXPIRED' });
  return true;
}
