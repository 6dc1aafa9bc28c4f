import { BadRequestException, SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { wasNotSent } from '#shared/mail/mailer-port.ts';
import { MESSAGE_KEY_HEADER, sesMailer } from '#shared/mail/ses-mail-adapter.ts';

const sesMock = mockClient(SESv2Client);
const email = {
  to: 'patient@example.com',
  subject: 'Appointment confirmed',
  text: 'Hello',
  html: '<p>Hello</p>',
  replyTo: 'desk@clinic.example',
  attachments: [{ filename: 'appointment.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: 'BEGIN:VCALENDAR' }],
  idempotencyKey: 'journey-j-1-APPOINTMENT_CONFIRMATION',
};

describe('Adapter: sesMailer', () => {
  beforeEach(() => sesMock.reset());

  it('sends simple content with the attachment, sender, reply-to, configuration set and message key', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = sesMailer({ client: new SESv2Client({}), from: 'noreply@clinic.example', configurationSetName: 'patient-access' });

    // Act
    const result = await mailer.send(email);

    // Assess
    expect(result).toEqual({ messageId: 'm-1' });
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'noreply@clinic.example',
      Destination: { ToAddresses: ['patient@example.com'] },
      ReplyToAddresses: ['desk@clinic.example'],
      ConfigurationSetName: 'patient-access',
    });
    const simple = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple;
    expect(simple?.Subject?.Data).toBe('Appointment confirmed');
    expect(simple?.Body?.Html?.Data).toBe('<p>Hello</p>');
    expect(simple?.Headers).toEqual([{ Name: MESSAGE_KEY_HEADER, Value: 'journey-j-1-APPOINTMENT_CONFIRMATION' }]);
    expect(simple?.Attachments?.[0]).toMatchObject({
      FileName: 'appointment.ics',
      ContentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    });
    expect(new TextDecoder().decode(simple?.Attachments?.[0]?.RawContent)).toBe('BEGIN:VCALENDAR');
  });

  it('omits the configuration set when none is configured', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    await sesMailer({ client: new SESv2Client({}), from: 'noreply@clinic.example' }).send(email);

    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).not.toHaveProperty('ConfigurationSetName');
  });

  it('throws MessagingUnavailable, marked not sent, when SES throttles', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));
    const mailer = sesMailer({ client: new SESv2Client({}), from: 'noreply@clinic.example' });

    // Act
    const error = await mailer.send(email).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'MessagingUnavailable' });
    expect(wasNotSent(error)).toBe(true);
  });

  it('throws a non-transient error, marked not sent, when SES rejects the request', async () => {
    sesMock.on(SendEmailCommand).rejects(new BadRequestException({ message: 'bad', $metadata: { httpStatusCode: 400 } }));

    const error = await sesMailer({ client: new SESv2Client({}), from: 'noreply@clinic.example' })
      .send(email)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toMatchObject({ name: 'MessagingUnavailable' });
    expect(wasNotSent(error)).toBe(true);
  });

  it('throws MessagingUnavailable with an unknown outcome when the request times out', async () => {
    sesMock.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ETIMEDOUT' }));

    const error = await sesMailer({ client: new SESv2Client({}), from: 'noreply@clinic.example' })
      .send(email)
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'MessagingUnavailable' });
    expect(wasNotSent(error)).toBe(false);
  });
});
