import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { composeAppointmentConfirmation } from '#functions/correspondence/compose-appointment-confirmation.ts';
import { readSentEmails } from '#local/ses-emulator.ts';
import { sesMailer } from '#shared/mail/ses-mail-adapter.ts';
import { appointment, clinicProfile } from '#test/support/fixtures/records.ts';

describe('Adapter: sesMailer against the SES emulator', () => {
  it('delivers the confirmation with its .ics attachment', async () => {
    // Prepare
    const endpoint = process.env.AWS_ENDPOINT_URL_SESV2 ?? '';
    const to = `ses-adapter-${Date.now()}@example.com`;
    const composed = composeAppointmentConfirmation({ firstName: 'Jordan', clinic: clinicProfile, appointment });
    const mailer = sesMailer({ client: new SESv2Client({}), from: 'front-desk@demo-clinic.example' });

    // Act
    const { messageId } = await mailer.send({
      ...composed,
      to,
      replyTo: clinicProfile.replyToEmail,
      idempotencyKey: 'journey-j-ses-APPOINTMENT_CONFIRMATION',
    });

    // Assess
    const [stored] = (await readSentEmails(endpoint)).filter((e) => e.destination.to.includes(to));
    expect(stored?.messageId).toBe(messageId);
    expect(stored?.from).toBe('front-desk@demo-clinic.example');
    expect(stored?.subject).toBe(composed.subject);
    expect(stored?.body.text).toContain('9:30 AM EST');
    expect(stored?.body.html).toContain('Hello Jordan,');
    expect(stored?.attachments).toHaveLength(1);
    const [invite] = stored?.attachments ?? [];
    expect(invite?.filename).toBe('appointment.ics');
    expect(invite?.contentType).toContain('text/calendar');
    const ics = Buffer.from(invite?.content ?? '', 'base64').toString('utf8');
    expect(ics).toContain('DTSTART:20260303T143000Z');
    expect(ics).toContain('UID:appointment-appt-123@patient-access');
  });
});
