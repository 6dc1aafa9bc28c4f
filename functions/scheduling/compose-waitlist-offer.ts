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

export interface WaitlistOfferInput {
  firstName: string;
  clinic: ClinicContact;
  /** The freed time, as it would be booked. */
  appointment: Omit<JourneyAppointment, 'appointmentId'>;
  /** The page where the patient accepts (a link with the offer's token). */
  acceptUrl: string;
  expiresAt: string;
}

/**
 * The email offering a waitlisted patient freed time: when, where, with whom, until when the offer holds, and the link
 * to accept it (or a call). Like every message, it never says what the visit is for.
 */
export function composeWaitlistOffer(input: WaitlistOfferInput): ComposedEmail {
  const { firstName, clinic, appointment, acceptUrl } = input;
  const { timeZone, start } = appointment;
  const details = appointmentDetails(appointment);
  const until = `${formatDay(input.expiresAt, timeZone)} at ${formatClock(input.expiresAt, timeZone)}`;
  const lines = {
    greeting: `Hello ${firstName},`,
    offer: `An appointment has opened up at ${clinic.name}, and you are next on the waiting list for it.`,
    hold: `It is yours if you accept by ${until}; after that it goes to the next person waiting.`,
    accept: `To accept, open this link: ${acceptUrl}`,
    call: `Or call us at ${formatPhone(clinic.phone)}. If you do not want it, there is nothing to do: you keep your place.`,
  };
  const text = [lines.greeting, '', lines.offer, '', ...details.lines, '', lines.hold, lines.accept, lines.call, '', clinic.name, ''].join(
    '\n',
  );
  const html = htmlDocument([
    escapeHtml(lines.greeting),
    escapeHtml(lines.offer),
    details.html,
    escapeHtml(lines.hold),
    `<a href="${escapeHtml(acceptUrl)}">Accept this appointment</a>`,
    escapeHtml(lines.call),
    escapeHtml(clinic.name),
  ]);
  return { subject: `An earlier appointment is available: ${formatDay(start, timeZone)} at ${formatClock(start, timeZone)}`, text, html };
}
