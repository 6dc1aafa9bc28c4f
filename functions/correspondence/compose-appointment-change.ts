import type { JourneyAppointment } from '#model/journey.ts';
import {
  appointmentDetails,
  type ClinicContact,
  type ComposedEmail,
  escapeHtml,
  formatClock,
  formatDay,
  formatPhone,
  formatWhen,
  htmlDocument,
} from '#shared/mail/compose-format.ts';
import { composeCalendarInvite } from './compose-calendar-invite.ts';

export interface AppointmentChangeInput {
  /** Greeting only. */
  firstName: string;
  clinic: ClinicContact;
  /** The appointment as it is now (a cancelled one: the time it had). */
  appointment: JourneyAppointment;
  change: 'reschedule' | 'cancel';
  /** The appointment's revision: the calendar invite's SEQUENCE, so the patient's calendar moves or removes the event. */
  revision: number;
  /** A reschedule's previous start, to say what moved. */
  previousStart?: string;
}

/**
 * The email that tells a patient their appointment moved or was cancelled, with the calendar invite that updates the
 * event they have (same UID, higher SEQUENCE; METHOD:CANCEL for a cancellation). Like the confirmation, it says when,
 * where and with whom, never what for.
 */
export function composeAppointmentChange(input: AppointmentChangeInput): ComposedEmail {
  const { firstName, clinic, appointment, change } = input;
  const { timeZone, start } = appointment;
  const details = appointmentDetails(appointment);
  const phone = formatPhone(clinic.phone);
  const moved = change === 'reschedule';
  const lines = {
    greeting: `Hello ${firstName},`,
    what: moved
      ? `Your appointment at ${clinic.name} has a new time${input.previousStart ? ` (it was ${formatWhen(input.previousStart, timeZone)})` : ''}.`
      : `Your appointment at ${clinic.name} is cancelled.`,
    next: moved ? `To change it again, please call us at ${phone}.` : `To book another time, please call us at ${phone}.`,
    invite: moved
      ? 'The attached calendar invitation updates the event in your calendar.'
      : 'The attached calendar update removes the event from your calendar.',
  };
  const text = [lines.greeting, '', lines.what, '', ...details.lines, '', lines.next, lines.invite, '', clinic.name, ''].join('\n');
  const html = htmlDocument([
    escapeHtml(lines.greeting),
    escapeHtml(lines.what),
    details.html,
    escapeHtml(lines.next),
    escapeHtml(lines.invite),
    escapeHtml(clinic.name),
  ]);
  return {
    subject: `Appointment ${moved ? 'moved' : 'cancelled'}: ${formatDay(start, timeZone)} at ${formatClock(start, timeZone)}`,
    text,
    html,
    attachments: [composeCalendarInvite({ clinic, appointment, sequence: input.revision, cancelled: !moved })],
  };
}
