import { createEvent } from 'ics';
import type { JourneyAppointment } from '#model/journey.ts';
import { type ClinicContact, formatPhone } from '#shared/mail/compose-format.ts';
import type { EmailAttachment } from '#shared/mail/mailer-port.ts';

/** UID of the appointment's calendar event: stable, so a re-sent invite updates the event instead of adding one. */
export function calendarUid(appointmentId: string): string {
  return `appointment-${appointmentId}@patient-access`;
}

/**
 * The appointment as an iCalendar file (METHOD:PUBLISH: an announcement, not a meeting request, so calendar apps do
 * not offer to reply to the clinic's no-reply sender). Times are UTC. Calendars are often shared or synced to other
 * devices, so the event says where and when, never why.
 */
export function composeCalendarInvite(input: {
  clinic: ClinicContact;
  appointment: JourneyAppointment;
  /**
   * The appointment's revision: a later invite of the same UID with a higher SEQUENCE replaces the event in the
   * patient's calendar (a new time), and METHOD:CANCEL with STATUS:CANCELLED removes it.
   */
  sequence?: number;
  cancelled?: boolean;
}): EmailAttachment {
  const { clinic, appointment } = input;
  const method = input.cancelled ? 'CANCEL' : 'PUBLISH';
  const { error, value } = createEvent({
    uid: calendarUid(appointment.appointmentId),
    productId: 'patient-access/correspondence',
    method,
    sequence: input.sequence ?? 0,
    status: input.cancelled ? 'CANCELLED' : 'CONFIRMED',
    busyStatus: 'BUSY',
    title: `Appointment at ${clinic.name}`,
    description: `With ${appointment.provider.name}, ${appointment.department.name}. Please arrive 15 minutes early. To reschedule, call ${formatPhone(clinic.phone)}.`,
    location: `${appointment.location.name}, ${appointment.location.address}`,
    start: Date.parse(appointment.start),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: Date.parse(appointment.end),
    endInputType: 'utc',
    endOutputType: 'utc',
    alarms: [{ action: 'display', description: `Appointment at ${clinic.name}`, trigger: { hours: 24, before: true } }],
  });
  if (error || !value) throw new Error(`Calendar invite could not be built: ${error?.message ?? 'empty'}`);
  return { filename: 'appointment.ics', contentType: `text/calendar; charset=utf-8; method=${method}`, content: value };
}
