import { describe, expect, it } from 'vitest';
import { composeAppointmentConfirmation } from '#functions/correspondence/compose-appointment-confirmation.ts';
import { calendarUid, composeCalendarInvite } from '#functions/correspondence/compose-calendar-invite.ts';
import { composePaymentRequest } from '#functions/correspondence/compose-payment-request.ts';
import { formatWhen } from '#shared/mail/compose-format.ts';
import { appointment, clinicalDetails, clinicProfile, identifyingDetails } from '#test/support/fixtures/records.ts';

const clinic = { name: clinicProfile.name, phone: clinicProfile.phone };

/** Every string a recipient or their calendar could see. */
function everythingVisible(email: ReturnType<typeof composeAppointmentConfirmation>): string {
  return [email.subject, email.text, email.html, ...(email.attachments ?? []).map((a) => `${a.filename} ${String(a.content)}`)].join('\n');
}

/** Unfolds iCalendar content lines (RFC 5545 §3.1) into name → value. */
function icsProperties(ics: string): Map<string, string> {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  return new Map(
    unfolded
      .split(/\r?\n/)
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)] as [string, string]),
  );
}

describe('Function: formatWhen', () => {
  it('renders the time in the location zone with the zone name', () => {
    expect(formatWhen('2026-03-03T14:30:00.000Z', 'America/New_York')).toBe(
      'Tuesday, March 3, 2026 at 9:30 AM EST (Eastern Standard Time)',
    );
  });

  it('follows daylight saving time', () => {
    expect(formatWhen('2026-07-07T13:30:00.000Z', 'America/New_York')).toBe('Tuesday, July 7, 2026 at 9:30 AM EDT (Eastern Daylight Time)');
  });

  it('uses the zone of the location rather than the zone of the timestamp', () => {
    expect(formatWhen('2026-03-03T09:30:00-05:00', 'America/Los_Angeles')).toBe(
      'Tuesday, March 3, 2026 at 6:30 AM PST (Pacific Standard Time)',
    );
  });
});

describe('Function: composeAppointmentConfirmation', () => {
  it('says when (local time, zone), where, with whom, to arrive early and how to reschedule', () => {
    // Act
    const email = composeAppointmentConfirmation({ firstName: 'Jordan', clinic, appointment });

    // Assess
    expect(email.subject).toBe('Appointment confirmed: Tuesday, March 3 at 9:30 AM');
    expect(email.text).toContain('Hello Jordan,');
    expect(email.text).toContain('When: Tuesday, March 3, 2026 at 9:30 AM EST (Eastern Standard Time)');
    expect(email.text).toContain('Where: Back Bay Clinic, 100 Boylston St, Boston, MA 02116');
    expect(email.text).toContain('With: Dana Lee, RT, Imaging');
    expect(email.text).toContain('Please arrive by 9:15 AM (15 minutes early)');
    expect(email.text).toContain('call us at (617) 555-0100');
    expect(email.html).toContain('9:30 AM EST');
  });

  it('contains no clinical detail and nothing identifying beyond the first name', () => {
    // Act
    const visible = everythingVisible(composeAppointmentConfirmation({ firstName: 'Jordan', clinic, appointment }));

    // Assess
    for (const detail of [...clinicalDetails, ...identifyingDetails, appointment.resource?.name ?? 'resource']) {
      expect(visible).not.toContain(detail);
    }
  });

  it('escapes HTML in names it shows', () => {
    const email = composeAppointmentConfirmation({ firstName: '<b>Jo</b>', clinic: { ...clinic, name: 'A & B Care' }, appointment });

    expect(email.html).toContain('Hello &lt;b&gt;Jo&lt;/b&gt;,');
    expect(email.html).toContain('A &amp; B Care');
    expect(email.html).not.toContain('<b>Jo</b>');
  });

  it('attaches a calendar invite', () => {
    const email = composeAppointmentConfirmation({ firstName: 'Jordan', clinic, appointment });

    expect(email.attachments).toHaveLength(1);
    expect(email.attachments?.[0]).toMatchObject({ filename: 'appointment.ics', contentType: expect.stringContaining('text/calendar') });
  });
});

describe('Function: composeCalendarInvite', () => {
  it('builds an iCalendar event in UTC with a UID stable per appointment', () => {
    // Act
    const invite = composeCalendarInvite({ clinic, appointment });
    const again = composeCalendarInvite({ clinic, appointment });

    // Assess
    const ics = String(invite.content);
    const properties = icsProperties(ics);
    expect(ics.startsWith('BEGIN:VCALENDAR')).toBe(true);
    expect(ics).toContain('BEGIN:VEVENT');
    expect(properties.get('METHOD')).toBe('PUBLISH');
    expect(properties.get('DTSTART')).toBe('20260303T143000Z');
    expect(properties.get('DTEND')).toBe('20260303T151500Z');
    expect(properties.get('UID')).toBe(calendarUid('appt-123'));
    expect(icsProperties(String(again.content)).get('UID')).toBe(properties.get('UID'));
    expect(properties.get('LOCATION')).toBe('Back Bay Clinic\\, 100 Boylston St\\, Boston\\, MA 02116');
    expect(properties.get('SUMMARY')).toBe('Appointment at Demo Health');
  });

  it('gives another appointment another UID', () => {
    const other = composeCalendarInvite({ clinic, appointment: { ...appointment, appointmentId: 'appt-456' } });

    expect(icsProperties(String(other.content)).get('UID')).not.toBe(calendarUid('appt-123'));
  });
});

describe('Function: composePaymentRequest', () => {
  it('states the amount due, the visit date and how to pay', () => {
    // Act
    const email = composePaymentRequest({ firstName: 'Jordan', clinic, amountDueCents: 4000, appointment });

    // Assess
    expect(email.subject).toBe('Payment due for your visit on Tuesday, March 3');
    expect(email.text).toContain('Hello Jordan,');
    expect(email.text).toContain('Amount due: $40.00');
    expect(email.text).toContain('call us at (617) 555-0100');
    expect(email.text).toContain('front desk');
    expect(email.attachments).toBeUndefined();
  });

  it('contains no clinical detail and nothing identifying beyond the first name', () => {
    const visible = everythingVisible(composePaymentRequest({ firstName: 'Jordan', clinic, amountDueCents: 4000, appointment }));

    for (const detail of [...clinicalDetails, ...identifyingDetails, 'Imaging', 'Dana Lee']) expect(visible).not.toContain(detail);
  });

  it('refuses to ask for nothing', () => {
    expect(() => composePaymentRequest({ firstName: 'Jordan', clinic, amountDueCents: 0 })).toThrow(/positive amount/);
  });
});
