import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CorrespondenceRequest } from '#contract/journey-workflow.ts';
import { makeSendCorrespondence } from '#functions/correspondence/send-correspondence.handler.ts';
import { CANCELLED_REASON, NO_EMAIL_CONSENT_REASON, UNCERTAIN_DELIVERY_REASON } from '#functions/correspondence/send-correspondence.ts';
import type { JourneyRecord } from '#model/journey.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoCorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { type Mailer, markNotSent, type OutgoingEmail } from '#shared/mail/mailer-port.ts';
import { dynamoMessageStore, type MessageRecord } from '#shared/mail/message-store.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditLines, auditRecords } from '#test/support/audit-trail.ts';
import { clinicProfile, journeyWithAppointment, patient } from '#test/support/fixtures/records.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const tableRef = { client, tableName: 'patient-access-test' };
const confirmation: CorrespondenceRequest = { clinicId: 'c-1', journeyId: 'j-1', kind: 'APPOINTMENT_CONFIRMATION' };
const paymentRequest: CorrespondenceRequest = { ...confirmation, kind: 'PAYMENT_REQUEST' };
const now = new Date('2026-03-01T12:00:00Z');
const journeyKey = keys.journey('c-1', 'j-1');
const confirmationKey = keys.message('c-1', 'j-1', 'APPOINTMENT_CONFIRMATION');
let table: ReturnType<typeof inMemoryTable>;

/** Accepts every email (or fails each with `failure`); `duringSend` runs while the provider has the message. */
class FakeMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  constructor(
    private readonly failure?: Error,
    private readonly duringSend: () => void = () => undefined,
  ) {}
  async send(email: OutgoingEmail) {
    this.duringSend();
    if (this.failure) throw this.failure;
    this.sent.push(email);
    return { messageId: `m-${this.sent.length}` };
  }
}

/** Runs the task for `request` with the real stores over the in-memory table and `mailer`. */
function send(mailer: Mailer, request: CorrespondenceRequest = confirmation) {
  const task = makeSendCorrespondence({
    journeys: dynamoJourneyStore(tableRef),
    patients: dynamoPatientStore(tableRef),
    recipients: dynamoCorrespondenceStore(tableRef),
    messages: dynamoMessageStore(tableRef),
    audit: dynamoAuditLog(tableRef),
    mailer,
    now: () => now,
  });
  return task(request, lambdaContext);
}

/** The journey, its patient and the clinic's profile as intake and the catalog left them. */
function given({ journey = journeyWithAppointment(), person = patient }: { journey?: JourneyRecord; person?: PatientRecord } = {}) {
  table.seed(journeyKey, journey);
  table.seed(keys.patient('c-1', 'p-1'), person);
  table.seed(keys.clinic('c-1'), { type: 'ClinicProfile', ...clinicProfile });
}
/** The confirmation's claim as an earlier attempt left it. */
function givenConfirmationClaim(status: MessageRecord['status']) {
  table.seed(confirmationKey, {
    type: 'Message',
    clinicId: 'c-1',
    journeyId: 'j-1',
    kind: 'APPOINTMENT_CONFIRMATION',
    channel: 'email',
    status,
    claimedAt: now.toISOString(),
  });
}
const stages = () => (table.get(journeyKey) as unknown as JourneyRecord).stages;
const auditActions = () => auditLines(table.audits());

describe('Function: sendCorrespondence', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
  });

  it('claims, sends the confirmation with its invite, marks it sent, audits and completes the stage', async () => {
    // Prepare
    given();
    const mailer = new FakeMailer();

    // Act
    const result = await send(mailer);

    // Assess
    expect(result).toEqual({ outcome: 'SENT' });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      to: patient.email,
      replyTo: clinicProfile.replyToEmail,
      idempotencyKey: 'journey-j-1-APPOINTMENT_CONFIRMATION',
      attachments: [expect.objectContaining({ filename: 'appointment.ics' })],
    });
    expect(table.get(confirmationKey)).toMatchObject({ status: 'SENT', providerMessageId: 'm-1', sentAt: now.toISOString() });
    // One record of the read and the send, written before the read.
    expect(auditActions()).toEqual(['patient.read+message.send:success']);
    expect(auditRecords(table.audits())).toEqual([
      expect.objectContaining({ actor: 'function:sendCorrespondence', patientId: 'p-1', journeyId: 'j-1', at: now.toISOString() }),
    ]);
    expect(stages().CONFIRMATION).toMatchObject({ status: 'COMPLETED' });
  });

  it('confirms nothing for a visit the clinic cancelled while the journey ran, and reads no patient', async () => {
    // Prepare
    const journey = journeyWithAppointment();
    if (!journey.appointment) throw new Error('fixture has an appointment');
    given({ journey: { ...journey, appointment: { ...journey.appointment, status: 'CANCELLED' } } });
    const mailer = new FakeMailer();

    // Act
    const result = await send(mailer);

    // Assess
    expect(result).toEqual({ outcome: 'NOT_NEEDED' });
    expect(mailer.sent).toEqual([]);
    expect(stages().CONFIRMATION).toMatchObject({ status: 'SKIPPED', reason: CANCELLED_REASON });
    expect(auditActions()).toEqual([]);
  });

  it('has audited the read and the send when it crashes after sending', async () => {
    // Prepare: the email goes out, then DynamoDB fails before the claim is marked sent.
    given();
    const mailer = new FakeMailer(undefined, () =>
      table.beforeNext('Update', () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
      }),
    );

    // Act
    const sending = send(mailer);

    // Assess
    await expect(sending).rejects.toThrow('ECONNREFUSED');
    expect(mailer.sent).toHaveLength(1);
    expect(auditActions()).toEqual(['patient.read+message.send:success']);
  });

  it('writes no stage once a newer attempt holds the journey', async () => {
    // Prepare: while the email is out, the journey moves on (a park, a redrive).
    given();
    const mailer = new FakeMailer(undefined, () =>
      table.change(journeyKey, (journey) => {
        journey.attempt = 9;
      }),
    );

    // Act
    const sending = send(mailer);

    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(stages().CONFIRMATION.status).toBe('PENDING');
  });

  it('claims before sending', async () => {
    // Prepare
    given();
    const claimsWhenSent: unknown[] = [];
    const mailer = new FakeMailer(undefined, () => claimsWhenSent.push(table.get(confirmationKey)?.status));

    // Act
    await send(mailer);

    // Assess
    expect(claimsWhenSent).toEqual(['SENDING']);
  });

  it('returns ALREADY_SENT for a repeated request without sending again', async () => {
    // Prepare
    given();
    givenConfirmationClaim('SENT');
    const mailer = new FakeMailer();

    // Act
    const result = await send(mailer);

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_SENT' });
    expect(mailer.sent).toHaveLength(0);
    expect(stages().CONFIRMATION).toEqual({ status: 'COMPLETED', at: now.toISOString() });
    // The earlier attempt's record covers its send; this one says it sent nothing.
    expect(auditActions()).toEqual(['patient.read+message.send:success', 'message.send:failure']);
  });

  it('asks staff to confirm by phone when an earlier attempt ended with an unknown outcome', async () => {
    // Prepare
    given();
    givenConfirmationClaim('SENDING');
    const mailer = new FakeMailer();

    // Act
    const result = await send(mailer);

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_SENT' });
    expect(mailer.sent).toHaveLength(0);
    expect(stages().CONFIRMATION).toMatchObject({ status: 'COMPLETED', reason: UNCERTAIN_DELIVERY_REASON });
  });

  it.each([
    ['has no email address', { ...patient, email: undefined }],
    ['did not consent to email', { ...patient, communication: { email: false, sms: true } }],
  ])('returns NO_CONSENT and records the reason when the patient %s', async (_case, person) => {
    // Prepare
    given({ person });
    const mailer = new FakeMailer();

    // Act
    const result = await send(mailer);

    // Assess
    expect(result).toEqual({ outcome: 'NO_CONSENT' });
    expect(mailer.sent).toHaveLength(0);
    expect(table.get(confirmationKey)).toBeUndefined();
    expect(stages().CONFIRMATION).toMatchObject({ status: 'SKIPPED', reason: NO_EMAIL_CONSENT_REASON });
    expect(auditActions()).toEqual(['patient.read+message.send:success', 'message.send:failure']);
  });

  it('sends a payment request for the amount still due without touching the confirmation stage', async () => {
    // Prepare
    given({ journey: journeyWithAppointment({ amounts: { currency: 'USD', dueCents: 4000 } }) });
    const mailer = new FakeMailer();

    // Act
    const result = await send(mailer, paymentRequest);

    // Assess
    expect(result).toEqual({ outcome: 'SENT' });
    expect(mailer.sent[0]?.text).toContain('$40.00');
    expect(mailer.sent[0]?.idempotencyKey).toBe('journey-j-1-PAYMENT_REQUEST');
    expect(table.get(keys.message('c-1', 'j-1', 'PAYMENT_REQUEST'))).toMatchObject({ status: 'SENT' });
    expect(stages().CONFIRMATION.status).toBe('PENDING');
  });

  it('sends no payment request when nothing is due and leaves the payment stage as it is, consent or not', async () => {
    // Prepare: paid in full, and the patient does not take email (a run resumed after a park asks anyway).
    given({
      journey: journeyWithAppointment({ amounts: { currency: 'USD', dueCents: 0 } }),
      person: { ...patient, communication: { email: false, sms: true } },
    });
    const mailer = new FakeMailer();
    const paymentBefore = stages().PAYMENT;

    // Act
    const result = await send(mailer, paymentRequest);

    // Assess
    expect(result).toEqual({ outcome: 'NOT_NEEDED' });
    expect(mailer.sent).toHaveLength(0);
    expect(stages().PAYMENT).toEqual(paymentBefore);
    expect(table.get(keys.message('c-1', 'j-1', 'PAYMENT_REQUEST'))).toBeUndefined();
  });

  it('releases the claim and rethrows when SES certainly did not send, so the retry can send', async () => {
    // Prepare
    given();
    const failure = markNotSent(new TransientDependencyError('MessagingUnavailable', 'throttled'));

    // Act
    const sending = send(new FakeMailer(failure));

    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'MessagingUnavailable' });
    expect(table.get(confirmationKey)).toBeUndefined();
    expect(auditActions()).toEqual(['patient.read+message.send:success', 'message.send:failure']);
    expect(stages().CONFIRMATION.status).toBe('PENDING');
  });

  it('keeps the claim when the outcome of the send is unknown', async () => {
    // Prepare
    given();
    const failure = new TransientDependencyError('MessagingUnavailable', 'timed out');

    // Act
    const sending = send(new FakeMailer(failure));

    // Assess
    await expect(sending).rejects.toThrow('timed out');
    expect(table.get(confirmationKey)).toMatchObject({ status: 'SENDING' });
  });

  it('throws without sending when the patient is missing, auditing the failed read', async () => {
    // Prepare
    table.seed(journeyKey, journeyWithAppointment());
    const mailer = new FakeMailer();

    // Act
    const sending = send(mailer);

    // Assess
    await expect(sending).rejects.toThrow('Patient p-1 of journey j-1 not found');
    expect(auditActions()).toEqual(['patient.read+message.send:success', 'patient.read:failure']);
    expect(mailer.sent).toHaveLength(0);
  });

  it('fails without claiming when the journey has no appointment to confirm', async () => {
    // Prepare
    given({ journey: journeyWithAppointment({ appointment: undefined }) });

    // Act
    const sending = send(new FakeMailer());

    // Assess
    await expect(sending).rejects.toThrow(/no appointment/);
    expect(table.get(confirmationKey)).toBeUndefined();
  });
});
