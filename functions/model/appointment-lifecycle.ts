import type { AppointmentChange, AppointmentStatus, CANCELLED_BY } from '#contract/appointments.ts';
import type { Interval } from './busy-time.ts';

/**
 * An appointment's life after booking, as a front desk runs it: pure rules, no AWS. The store applies a change as one
 * conditional write on the status read here (appointment-store.ts), so two people acting at once can never both win.
 *
 *   BOOKED ──check-in──▶ CHECKED_IN ──complete──▶ COMPLETED
 *     │ ╰──reschedule──▶ BOOKED (same appointment, new time, history kept)      ▲
 *     ├──cancel──▶ CANCELLED                                                    │ check-in (a late arrival,
 *     ╰──no-show──▶ NO_SHOW ─────────────────────────────────────────────────────┘  the same day, time still free)
 */

const TRANSITIONS: Record<AppointmentChange, { from: AppointmentStatus; to: AppointmentStatus }> = {
  reschedule: { from: 'BOOKED', to: 'BOOKED' },
  cancel: { from: 'BOOKED', to: 'CANCELLED' },
  'check-in': { from: 'BOOKED', to: 'CHECKED_IN' },
  'no-show': { from: 'BOOKED', to: 'NO_SHOW' },
  complete: { from: 'CHECKED_IN', to: 'COMPLETED' },
};

/** Hours before the start within which a patient's cancellation is late, unless the clinic says otherwise. */
export const DEFAULT_LATE_CANCEL_HOURS = 24;
/** Minutes after the start after which a booked appointment nobody checked in is marked a no-show. */
export const DEFAULT_NO_SHOW_AFTER_MINUTES = 30;

export type TransitionCheck =
  /** Make the change: `from` is the status the write is conditional on. */
  | { kind: 'APPLY'; from: AppointmentStatus; to: AppointmentStatus }
  /** Already in the status the change leads to (a repeated request): answer with the appointment as it is. */
  | { kind: 'ALREADY' }
  /** Not from this status (check in a cancelled visit, cancel a completed one): 409. */
  | { kind: 'ILLEGAL'; message: string };

/** Whether `change` may be made to an appointment in `status`. A reschedule is never "already" done: it always moves. */
export function checkTransition(status: AppointmentStatus, change: AppointmentChange): TransitionCheck {
  // A patient marked a no-show (by the automatic check, 30 minutes in) who then arrives is checked in after all.
  if (change === 'check-in' && status === 'NO_SHOW') return { kind: 'APPLY', from: 'NO_SHOW', to: 'CHECKED_IN' };
  const { from, to } = TRANSITIONS[change];
  if (status === from) return { kind: 'APPLY', from, to };
  if (status === to && change !== 'reschedule') return { kind: 'ALREADY' };
  return { kind: 'ILLEGAL', message: `Cannot ${VERBS[change]} an appointment that is ${status.toLowerCase().replace('_', '-')}` };
}

const VERBS: Record<AppointmentChange, string> = {
  reschedule: 'reschedule',
  cancel: 'cancel',
  'check-in': 'check in',
  'no-show': 'record a no-show for',
  complete: 'complete',
};

/**
 * Time rules on top of the statuses: a visit cannot be missed before it starts, nor moved once it has begun, and a
 * patient checks in on the day of the visit (the location's calendar), not a day before or after.
 */
export function checkTiming(change: AppointmentChange, start: Date, now: Date, timeZone: string): string | undefined {
  if (change === 'check-in' && localDate(now, timeZone) !== localDate(start, timeZone)) {
    return `A patient checks in on the day of the visit (${localDate(start, timeZone)})`;
  }
  if (change === 'no-show' && now < start) return 'A no-show can only be recorded once the appointment has started';
  if ((change === 'reschedule' || change === 'cancel') && now >= start) {
    return `Cannot ${VERBS[change]} an appointment that has started: check the patient in or record a no-show`;
  }
  return undefined;
}

/** A patient's cancellation within the clinic's late-cancel window (a clinic's own cancellation is never late). */
export function isLateCancel(
  start: Date,
  now: Date,
  by: (typeof CANCELLED_BY)[number],
  lateCancelHours = DEFAULT_LATE_CANCEL_HOURS,
): boolean {
  return by === 'patient' && start.getTime() - now.getTime() < lateCancelHours * 3_600_000;
}

/** When a booked appointment not checked in becomes a no-show. */
export function noShowDueAt(start: Date, afterMinutes = DEFAULT_NO_SHOW_AFTER_MINUTES): Date {
  return new Date(start.getTime() + afterMinutes * 60_000);
}

/** Whether an appointment in this status holds its resources' time: a cancelled or missed one gives it back. */
export const holdsTime = (status: AppointmentStatus) => status !== 'CANCELLED' && status !== 'NO_SHOW';

/** The instants an appointment holds its resources: its own, widened by the type's buffers. */
export function heldInterval(appointment: {
  start: string;
  end: string;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
}): Interval {
  return {
    start: new Date(Date.parse(appointment.start) - (appointment.bufferBeforeMinutes ?? 0) * 60_000),
    end: new Date(Date.parse(appointment.end) + (appointment.bufferAfterMinutes ?? 0) * 60_000),
  };
}

/** The date of an instant in a time zone, YYYY-MM-DD ('en-CA' formats dates that way): a visit's local day. */
export function localDate(at: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}
