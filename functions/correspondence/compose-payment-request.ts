import type { JourneyAppointment } from '#model/journey.ts';
import {
  type ClinicContact,
  type ComposedEmail,
  escapeHtml,
  formatDay,
  formatPhone,
  formatUsd,
  htmlDocument,
} from '#shared/mail/compose-format.ts';

export interface PaymentRequestInput {
  firstName: string;
  clinic: ClinicContact;
  amountDueCents: number;
  /** For the visit's date; the request makes sense without it. */
  appointment?: Pick<JourneyAppointment, 'start' | 'timeZone'>;
}

/**
 * The PAYMENT_REQUEST email: the amount due for the visit and how to pay (by phone or at the desk). It says why no
 * card was charged in neutral terms and carries nothing clinical. No payment link: card details are taken by the
 * desk or the processor's own pages, never by reply email.
 */
export function composePaymentRequest(input: PaymentRequestInput): ComposedEmail {
  const { firstName, clinic, amountDueCents, appointment } = input;
  if (!Number.isInteger(amountDueCents) || amountDueCents <= 0) throw new Error('A payment request needs a positive amount due');
  const amount = formatUsd(amountDueCents);
  const phone = formatPhone(clinic.phone);
  const visit = appointment ? `your visit on ${formatDay(appointment.start, appointment.timeZone)}` : 'your visit';

  const paragraphs = [
    `Hello ${firstName},`,
    `A balance of ${amount} is due for ${visit} at ${clinic.name}. No card was charged for it.`,
    `Amount due: ${amount}`,
    `How to pay: call us at ${phone} to pay by card over the phone, or pay at the front desk when you arrive.`,
    'Your appointment is not affected.',
    clinic.name,
  ];
  return {
    subject: `Payment due for ${visit}`,
    text: `${paragraphs.join('\n\n')}\n`,
    html: htmlDocument(paragraphs.map(escapeHtml)),
  };
}
