import { lapsedBeforeVisit, lapseTaskId, type PriorAuthorizationCase, visitDateOf } from '#model/prior-authorization.ts';
import { openedStaffTask, serviceLevelsOf } from '#model/staff-task.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { auditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import { type EscalationSchedulePort, openTaskWithoutAlert } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface ReopenLapsedAuthorizationDeps extends Pick<SharedStores, 'authorizations' | 'tasks' | 'audit' | 'catalog'> {
  escalations: EscalationSchedulePort;
}

/**
 * A visit's approval whose dates no longer cover the visit's day (the visit moved past its last day or before its
 * first, or the approval was short) is reopened: the case becomes EXPIRED and a PRIOR_AUTHORIZATION task asks the
 * radiology queue to get a new one or an extension, before the patient arrives. Run on every booking and move
 * (planReverification) and at each coverage re-check. One task per expiry, opened again by a later run if the one that
 * expired the case stopped before it; a case changed meanwhile is left for the next check. The reads are audited.
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
  if (!authorization) return false;
  const subject = {
    clinicId: appointment.clinicId,
    actor,
    patientId: appointment.patientId,
    ...(appointment.journeyId ? { journeyId: appointment.journeyId } : {}),
  };
  const audit = auditSession(deps.audit, subject, now);
  await audit.before('authorization.read');
  // Expired by an earlier run that may have stopped before its task: the task again (its ID makes it once).
  if (authorization.status === 'EXPIRED' && authorization.history.at(-1)?.by.startsWith('function:')) {
    await openLapseTask(deps, appointment, authorization, actor, now);
    return false;
  }
  if (!lapsedBeforeVisit(authorization, visitDate)) return false;
  const at = now.toISOString();
  const { validFrom, validTo } = authorization.approval ?? {};
  const expired: PriorAuthorizationCase = {
    ...authorization,
    status: 'EXPIRED',
    revision: authorization.revision + 1,
    updatedAt: at,
    history: [
      ...authorization.history,
      { at, by: actor, status: 'EXPIRED', note: `Valid ${validFrom} to ${validTo}; the visit is on ${visitDate}` },
    ],
  };
  await audit.before('authorization.record');
  if (!(await deps.authorizations.save(expired))) return false;
  await openLapseTask(deps, appointment, expired, actor, now);
  log.info('Prior authorization lapsed before the visit', { clinicId: appointment.clinicId, outcome: 'EXPIRED' });
  return true;
}

/** The task that asks radiology for a new approval: one per expiry (the case's revision). */
async function openLapseTask(
  deps: ReopenLapsedAuthorizationDeps,
  appointment: AppointmentRecord,
  expired: PriorAuthorizationCase,
  actor: string,
  now: Date,
): Promise<void> {
  const visitDate = visitDateOf(appointment);
  const catalog = await deps.catalog.load(appointment.clinicId);
  const task = openedStaffTask(
    {
      clinicId: appointment.clinicId,
      taskId: lapseTaskId(appointment.clinicId, appointment.appointmentId, expired.revision),
      kind: 'PRIOR_AUTHORIZATION',
      patientId: appointment.patientId,
      ...(appointment.journeyId ? { journeyId: appointment.journeyId } : {}),
      appointmentId: appointment.appointmentId,
      reason:
        `The prior authorization of the visit (now on ${visitDate}) is valid ${expired.approval?.validFrom} to ${expired.approval?.validTo}, ` +
        'which no longer covers it: ask the payer for a new one or an extension and record it on the visit’s authorization.',
    },
    serviceLevelsOf(catalog?.profile.serviceLevels),
    actor,
    now,
  );
  await openTaskWithoutAlert(deps, task, actor, now);
}
