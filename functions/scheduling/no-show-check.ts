import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { noShowDueAt } from '#model/appointment-lifecycle.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { type ChangeAppointmentDeps, changeAppointment } from './change-appointment.ts';

/** Where a visit's no-show check is scheduled (EventBridge Scheduler: no-show-timer-adapter.ts). */
export interface NoShowTimerPort {
  /** At `at` (or the minute after), markNoShow runs for the appointment; one schedule per appointment revision. */
  schedule(check: { clinicId: string; appointmentId: string; revision: number; at: Date }): Promise<void>;
}

export interface WatchForNoShowDeps extends Pick<SharedStores, 'appointments' | 'catalog'> {
  timers: NoShowTimerPort;
  now: () => Date;
}

/**
 * On a booking or a new time (an AppointmentChanged event): schedules the visit's no-show check, the clinic's
 * `noShowAfterMinutes` (30 by default) after its start. An event overtaken by a later new time or cancellation schedules
 * nothing (the later one's event does); a check that comes due for a visit moved since finds it not due and does nothing.
 */
export async function watchForNoShow(deps: WatchForNoShowDeps, event: AppointmentChangedDetail): Promise<'SCHEDULED' | 'NOT_NEEDED'> {
  const appointment = await deps.appointments.getById(event.clinicId, event.appointmentId);
  const later = appointment?.history?.slice(event.revision) ?? [];
  if (appointment?.status !== 'BOOKED' || later.some((h) => h.change === 'reschedule' || h.change === 'cancel')) {
    return 'NOT_NEEDED';
  }
  const profile = (await deps.catalog.load(event.clinicId))?.profile;
  // A due time already past (events delayed by an outage) is checked a minute from now.
  const at = new Date(
    Math.max(noShowDueAt(new Date(appointment.start), profile?.noShowAfterMinutes).getTime(), deps.now().getTime() + 60_000),
  );
  await deps.timers.schedule({ clinicId: event.clinicId, appointmentId: event.appointmentId, revision: event.revision, at });
  log.info('No-show check scheduled', { clinicId: event.clinicId, outcome: 'SCHEDULED' });
  return 'SCHEDULED';
}

const ACTOR = 'function:markNoShow';

/**
 * A no-show check comes due: a visit still BOOKED (nobody checked the patient in) whose start is the clinic's
 * `noShowAfterMinutes` or more ago is marked NO_SHOW, as staff would (one conditional transition, audited in the
 * function's name, its remaining time given back). A visit checked in, cancelled or moved later is left as it is.
 */
export async function markNoShow(
  deps: ChangeAppointmentDeps,
  check: { clinicId: string; appointmentId: string },
): Promise<'MARKED' | 'NOT_DUE'> {
  const appointment = await deps.appointments.getById(check.clinicId, check.appointmentId);
  if (appointment?.status !== 'BOOKED') return 'NOT_DUE';
  const profile = (await deps.catalog.load(check.clinicId))?.profile;
  if (deps.now() < noShowDueAt(new Date(appointment.start), profile?.noShowAfterMinutes)) return 'NOT_DUE';
  try {
    const result = await changeAppointment(deps, { clinicId: check.clinicId, actor: ACTOR }, check.appointmentId, { change: 'no-show' });
    log.info('No-show marked', { clinicId: check.clinicId, outcome: result.outcome });
    return result.outcome === 'CHANGED' ? 'MARKED' : 'NOT_DUE';
  } catch (error) {
    // Checked in (or cancelled) between the read and the write: nothing to mark, and nothing to retry.
    if (error instanceof HttpError && error.statusCode === 409) return 'NOT_DUE';
    throw error;
  }
}
