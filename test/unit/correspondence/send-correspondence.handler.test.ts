import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CorrespondenceRequest } from '#contract/journey-workflow.ts';
import { type Mailer, markNotSent, type OutgoingEmail } from '#functions/correspondence/mailer-port.ts';
import { makeHandler, NO_EMAIL_CONSENT_REASON, UNCERTAIN_DELIVERY_REASON } from '#functions/correspondence/send-correspondence.handler.ts';
import type { JourneyRecord } from '#model/journey.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { keys } from '#shared/keys.ts';
import { clinicProfile, journeyWithAppointment, patient } from '#test/support/fixtures/records.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const table = { client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'patient-access-test' };
const confirmation: CorrespondenceRequest = { clinicId: 'c-1', journeyId: 'j-1', kind: 'APPOINTMENT_CONFIRMATION' };
const paymentRequest: CorrespondenceRequest = { ...confirmation, kind: 'PAYMENT_REQUEST' };
const now = new Date('2026-03-01T12:00:00Z');

class FakeMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  constructor(private readonly failure?: Error) {}
  async send(email: OutgoingEmail) {
    if (this.failure) throw this.failure;
    this.sent.push(email);
    return { messageId: `m-${this.sent.length}` };
  }
}

/** The journey as the task's claim returns it (beginAttempt: `ADD attempt :one`, ALL_NEW). */
function given({ journey = journeyWithAppointment(), person = patient }: { journey?: JourneyRecord; person?: PatientRecord } = {}) {
  ddb
    .on(UpdateCommand, { Key: keys.journey('c-1', 'j-1'), UpdateExpression: 'ADD attempt :one' })
    .resolves({ Attributes: { ...journey, attempt: journey.attempt + 1 } });
  ddb.on(GetCommand, { Key: keys.patient('c-1', 'p-1') }).resolves({ Item: person });
  ddb.on(GetCommand, { Key: keys.clinic('c-1') }).resolves({ Item: { ...keys.clinic('c-1'), type: 'ClinicProfile', ...clinicProfile } });
}
/** Answers the message claim (a Put of a Message item) with `claim`; other Puts (audit) succeed. */
function onClaim(claim: () => Promise<unknown>) {
  ddb.on(PutCommand).callsFake(async (input: { Item?: { type?: string } }) => (input.Item?.type === 'Message' ? claim() : {}));
}
const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
const stages = () =>
  ddb.commandCalls(UpdateCommand).flatMap((c) => {
    const values = c.args[0].input.ExpressionAttributeValues ?? {};
    return ':stage' in values ? [{ stage: c.args[0].input.ExpressionAttributeNames?.['#stage'], ...(values[':stage'] as object) }] : [];
  });

describe('Function: sendCorrespondence', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
  });

  it('claims, sends the confirmation with its invite, marks it sent, audits and completes the stage', async () => {
    // Prepare
    given();
    const mailer = new FakeMailer();

    // Act
    const result = await makeHandler({ table, mailer, now: () => now })(confirmation);

    // Assess
    expect(result).toEqual({ outcome: 'SENT' });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      to: patient.email,
      replyTo: clinicProfile.replyToEmail,
      idempotencyKey: 'journey-j-1-APPOINTMENT_CONFIRMATION',
      attachments: [expect.objectContaining({ filename: 'appointment.ics' })],
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...keys.message('c-1', 'j-1', 'APPOINTMENT_CONFIRMATION'), status: 'SENDING' }),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.message('c-1', 'j-1', 'APPOINTMENT_CONFIRMATION'),
      ExpressionAttributeValues: expect.objectContaining({ ':sent': 'SENT', ':id': 'm-1' }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'patient.read', patientId: 'p-1' }) });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'message.send', outcome: 'success' }) });
    expect(stages()).toContainEqual(expect.objectContaining({ stage: 'CONFIRMATION', status: 'COMPLETED' }));
    // The stage is written only while the journey is still this attempt's.
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.journey('c-1', 'j-1'),
      ConditionExpression: '#attempt = :attempt',
      ExpressionAttributeValues: expect.objectContaining({ ':attempt': 1 }),
    });
  });

  it('claims before sending', async () => {
    // Prepare
    given();
    const order: string[] = [];
    onClaim(async () => order.push('claim'));
    const mailer: Mailer = {
      send: async () => {
        order.push('send');
        return { messageId: 'm-1' };
      },
    };

    // Act
    await makeHandler({ table, mailer, now: () => now })(confirmation);

    // Assess
    expect(order).toEqual(['claim', 'send']);
  });

  it('returns ALREADY_SENT for a repeated request without sending again', async () => {
    // Prepare
    given();
    onClaim(async () => {
      throw conditionFailed();
    });
    ddb.on(GetCommand, { Key: keys.message('c-1', 'j-1', 'APPOINTMENT_CONFIRMATION') }).resolves({
      Item: {
        type: 'Message',
        clinicId: 'c-1',
        journeyId: 'j-1',
        kind: 'APPOINTMENT_CONFIRMATION',
        status: 'SENT',
        claimedAt: now.toISOString(),
      },
    });
    const mailer = new FakeMailer();

    // Act
    const result = await makeHandler({ table, mailer, now: () => now })(confirmation);

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_SENT' });
    expect(mailer.sent).toHaveLength(0);
    expect(stages()).toContainEqual(expect.objectContaining({ stage: 'CONFIRMATION', status: 'COMPLETED' }));
  });

  it('asks staff to confirm by phone when an earlier attempt ended with an unknown outcome', async () => {
    // Prepare
    given();
    onClaim(async () => {
      throw conditionFailed();
    });
    ddb.on(GetCommand, { Key: keys.message('c-1', 'j-1', 'APPOINTMENT_CONFIRMATION') }).resolves({
      Item: {
        type: 'Message',
        clinicId: 'c-1',
        journeyId: 'j-1',
        kind: 'APPOINTMENT_CONFIRMATION',
        status: 'SENDING',
        claimedAt: now.toISOString(),
      },
    });
    const mailer = new FakeMailer();

    // Act
    const result = await makeHandler({ table, mailer, now: () => now })(confirmation);

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_SENT' });
    expect(mailer.sent).toHaveLength(0);
    expect(stages()).toContainEqual(expect.objectContaining({ stage: 'CONFIRMATION', reason: UNCERTAIN_DELIVERY_REASON }));
  });

  it.each([
    ['has no email address', { ...patient, email: undefined }],
    ['did not consent to email', { ...patient, communication: { email: false, sms: true } }],
  ])('returns NO_CONSENT and records the reason when the patient %s', async (_case, person) => {
    // Prepare
    given({ person });
    const mailer = new FakeMailer();

    // Act
    const result = await makeHandler({ table, mailer, now: () => now })(confirmation);

    // Assess
    expect(result).toEqual({ outcome: 'NO_CONSENT' });
    expect(mailer.sent).toHaveLength(0);
    expect(ddb).not.toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ type: 'Message' }) });
    expect(stages()).toContainEqual(expect.objectContaining({ stage: 'CONFIRMATION', status: 'SKIPPED', reason: NO_EMAIL_CONSENT_REASON }));
  });

  it('sends a payment request for the amount still due without touching the confirmation stage', async () => {
    // Prepare
    given({ journey: journeyWithAppointment({ amounts: { currency: 'USD', dueCents: 4000 } }) });
    const mailer = new FakeMailer();

    // Act
    const result = await makeHandler({ table, mailer, now: () => now })(paymentRequest);

    // Assess
    expect(result).toEqual({ outcome: 'SENT' });
    expect(mailer.sent[0]?.text).toContain('$40.00');
    expect(mailer.sent[0]?.idempotencyKey).toBe('journey-j-1-PAYMENT_REQUEST');
    expect(stages()).not.toContainEqual(expect.objectContaining({ stage: 'CONFIRMATION' }));
  });

  it('releases the claim and rethrows when SES certainly did not send, so the retry can send', async () => {
    // Prepare
    given();
    const failure = markNotSent(new TransientDependencyError('MessagingUnavailable', 'throttled'));

    // Act
    const sending = makeHandler({ table, mailer: new FakeMailer(failure), now: () => now })(confirmation);

    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'MessagingUnavailable' });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: keys.message('c-1', 'j-1', 'APPOINTMENT_CONFIRMATION') });
    expect(stages()).toHaveLength(0);
  });

  it('keeps the claim when the outcome of the send is unknown', async () => {
    given();
    const failure = new TransientDependencyError('MessagingUnavailable', 'timed out');

    await expect(makeHandler({ table, mailer: new FakeMailer(failure), now: () => now })(confirmation)).rejects.toThrow('timed out');

    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('fails without claiming when the journey has no appointment to confirm', async () => {
    given({ journey: journeyWithAppointment({ appointment: undefined }) });

    await expect(makeHandler({ table, mailer: new FakeMailer(), now: () => now })(confirmation)).rejects.toThrow(/no appointment/);

    expect(ddb).not.toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ type: 'Message' }) });
  });
});
