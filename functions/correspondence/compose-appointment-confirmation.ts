import type { JourneyAppointment } from '#model/journey.ts';
import {
  appointmentDetails,
  type ClinicContact,
  type ComposedEmail,
  escapeHtml,
  formatClock,
  formatDay,
  formatPhone,
  htmlDocument,
} from '#shared/mail/compose-format.ts';
import { composeCalendarInvite } from './compose-calendar-invite.ts';

export interface AppointmentConfirmationInput {
  /** Greeting only; no other personal detail goes into the message. */
  firstName: string;
  clinic: ClinicContact;
  appointment: JourneyAppointment;
}

/** Minutes before the start the patient is asked to arrive (check-in, forms). */
export const ARRIVE_EARLY_MINUTES = 15;

/**
 * The APPOINTMENT_CONFIRMATION email: when (in the location's zone, named), where, with whom, arrive early, how to
 * reschedule, plus the calendar invite. Email is not a secure channel, so it names the department and provider but
 * never the appointment type, the reason for the visit, answers or anything else clinical.
 */
export function composeAppointmentConfirmation(input: AppointmentConfirmationInput): ComposedEmail {
  const { firstName, clinic, appointment } = input;
  const { timeZone, start } = appointment;
  const details = appointmentDetails(appointment);
  const arriveBy = formatClock(start, timeZone, ARRIVE_EARLY_MINUTES);
  const phone = formatPhone(clinic.phone);

  const lines = {
    greeting: `Hello ${firstName},`,
    confirmed: `Your appointment at ${clinic.name} is confirmed.`,
    arrive: `Please arrive by ${arriveBy} (${ARRIVE_EARLY_MINUTES} minutes early) to check in.`,
    reschedule: `To reschedule or cancel, please call us at ${phone}.`,
    invite: 'A calendar invitation is attached.',
  };
  const text = [
    lines.greeting,
    '',
    lines.confirmed,
    '',
    ...details.lines,
    '',
    lines.arrive,
    lines.reschedule,
    lines.invite,
    '',
    clinic.name,
    '',
  ].join('\n');
  const html = htmlDocument([
    escapeHtml(lines.greeting),
    escapeHtml(lines.confirmed),
    details.html,
    escapeHtml(lines.arrive),
    escapeHtml(lines.reschedule),
    escapeHtml(lines.invite),
    escapeHtml(clinic.name),
  ]);
  return {
    subject: `Appointment confirmed: ${formatDay(start, timeZone)} at ${formatClock(start, timeZone)}`,
    text,
    html,
    attachments: [composeCalendarInvite({ clinic, appointment })],
  };
}
