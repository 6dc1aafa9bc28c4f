import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.PAYMENTS_BASE_URL ??= 'http://127.0.0.1:9';
  process.env.PAYMENTS_API_KEY ??= 'sk_test_unit';
});

import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { DECLINED_REASON, DEFERRED_REASON, makeHandler, NO_PAYMENT_METHOD_REASON } from '#functions/payment/collect-payment.handler.ts';
import {
  type ChargeAttempts,
  type ChargeRequest,
  type ChargeResult,
  type FoundCharge,
  PaymentOutcomePendingError,
  type PaymentProcessor,
} from '#functions/payment/payment-port.ts';
import type { PaymentRecord } from '#functions/payment/payment-store.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { keys } from '#shared/keys.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const table = { client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'patient-access-test' };
const ref = { clinicId: 'c-1', journeyId: 'j-1' };
const now = new Date('2026-03-01T12:00:00Z');

/** Answers charges with `answer` and lookups with `held` (what the processor already holds for the journey). */
class FakeProcessor implements PaymentProcessor {
  readonly charges: ChargeRequest[] = [];
  readonly lookups: Array<{ reference: string; attempts?: ChargeAttempts }> = [];
  constructor(
    private readonly answer: ChargeResult | Error = { status: 'succeeded', chargeId: 'pi_1' },
    private readonly held: FoundCharge | Error | undefined = undefined,
  ) {}
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.charges.push(request);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
  async findCharge(reference: string, attempts?: ChargeAttempts): Promise<FoundCharge | undefined> {
    this.lookups.push({ reference, ...(attempts ? { attempts } : {}) });
    if (this.held instanceof Error) throw this.held;
    return this.held;
  }
  async refund(): Promise<{ refundId: string }> {
    return { refundId: 're_1' };
  }
}

function givenJourney(amounts: Partial<JourneyRecord['amounts']> = { dueCents: 2500 }) {
  const journey = {
    ...newJourneyRecord({ ...ref, submissionId: 's-1', patientId: 'p-1' }, now),
    amounts: { currency: 'USD' as const, ...amounts },
  };
  // The handler claims the journey for its attempt (beginAttempt) and gets the item back.
  ddb
    .on(UpdateCommand, { Key: keys.journey('c-1', 'j-1'), UpdateExpression: 'ADD attempt :one' })
    .resolves({ Attributes: { ...journey, attempt: 1 } });
}
function givenSubmission(item: Record<string, unknown> | undefined) {
  ddb.on(GetCommand, { Key: keys.submission('c-1', 's-1') }).resolves({ Item: item });
}
function givenRecordedPayment(record: PaymentRecord) {
  ddb.on(GetCommand, { Key: keys.payment('c-1', 'j-1') }).resolves({ Item: { ...keys.payment('c-1', 'j-1'), ...record } });
}
function givenChargeAttempts(first: string, last: string) {
  ddb.on(GetCommand, { Key: keys.payment('c-1', 'j-1') }).resolves({
    Item: { ...keys.payment('c-1', 'j-1'), type: 'Payment', clinicId: 'c-1', journeyId: 'j-1', firstAttemptAt: first, lastAttemptAt: last },
  });
}
const journeyUpdates = () =>
  ddb
    .commandCalls(UpdateCommand)
    .filter((c) => c.args[0].input.Key?.SK === 'JOURNEY' && c.args[0].input.UpdateExpression !== 'ADD attempt :one')
    .map((c) => c.args[0].input.ExpressionAttributeValues as Record<string, unknown>);
const paymentPuts = () =>
  ddb.commandCalls(PutCommand).flatMap((c) => (c.args[0].input.Item?.SK === 'PAYMENT' ? [c.args[0].input.Item] : []));
const auditActions = () =>
  ddb.commandCalls(PutCommand).flatMap((c) => (c.args[0].input.Item?.type === 'AuditEvent' ? [c.args[0].input.Item.action] : []));
const stageUpdates = journeyUpdates;

describe('Function: collectPayment', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it('charges the amount due with the journey-derived idempotency key and records PAID', async () => {
    // Prepare
    givenJourney({ dueCents: 2500 });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const payments = new FakeProcessor();
    const handler = makeHandler({ table, payments, now: () => now });

    // Act
    const result = await handler(ref);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(payments.charges).toEqual([
      {
        amountCents: 2500,
        currency: 'usd',
        paymentMethodToken: 'pm_card_visa',
        idempotencyKey: 'journey-j-1-visit-charge',
        reference: 'j-1',
      },
    ]);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...keys.payment('c-1', 'j-1'), status: 'PAID', amountCents: 2500, chargeId: 'pi_1', via: 'charge' }),
      ConditionExpression: 'attribute_not_exists(#status)',
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ type: 'AuditEvent', action: 'payment.charge', outcome: 'success' }),
    });
    expect(auditActions()).toEqual(['submission.read', 'payment.charge']);
    expect(stageUpdates()).toContainEqual(
      expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED' }), ':paidCents': 2500 }),
    );
  });

  it('reads only the payment token from the submission, and audits the read', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });

    // Act
    await makeHandler({ table, payments: new FakeProcessor(), now: () => now })(ref);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: keys.submission('c-1', 's-1'),
      ProjectionExpression: '#SK, #paymentMethodToken',
      ExpressionAttributeNames: { '#SK': 'SK', '#paymentMethodToken': 'paymentMethodToken' },
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'AuditEvent',
        action: 'submission.read',
        actor: 'function:collectPayment',
        journeyId: 'j-1',
        patientId: 'p-1',
        outcome: 'success',
      }),
    });
  });

  it('returns DECLINED and records the decline code and the reason for staff', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_chargeDeclined' });
    const handler = makeHandler({
      table,
      payments: new FakeProcessor({ status: 'declined', declineCode: 'generic_decline' }),
      now: () => now,
    });

    // Act
    const result = await handler(ref);

    // Assess
    expect(result).toEqual({ outcome: 'DECLINED' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ status: 'DECLINED', declineCode: 'generic_decline' }),
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'payment.charge', outcome: 'failure' }) });
    expect(stageUpdates()).toContainEqual(
      expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED', reason: DECLINED_REASON }) }),
    );
  });

  it('returns NOTHING_DUE without reading the card or charging when nothing is owed', async () => {
    // Prepare
    givenJourney({ dueCents: 2500, paidCents: 2500 });
    const payments = new FakeProcessor();

    // Act
    const result = await makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NOTHING_DUE' });
    expect(payments.charges).toHaveLength(0);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: keys.submission('c-1', 's-1') });
    expect(auditActions()).toEqual([]);
  });

  it('returns NO_PAYMENT_METHOD when the submission has no token', async () => {
    // Prepare
    givenJourney();
    givenSubmission({});
    const payments = new FakeProcessor();

    // Act
    const result = await makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NO_PAYMENT_METHOD' });
    expect(payments.charges).toHaveLength(0);
    expect(stageUpdates()).toContainEqual(
      expect.objectContaining({ ':stage': expect.objectContaining({ reason: NO_PAYMENT_METHOD_REASON }) }),
    );
    expect(auditActions()).toEqual(['submission.read']);
  });

  it('throws without charging when the submission is missing, auditing the failed read', async () => {
    // Prepare
    givenJourney();
    givenSubmission(undefined);
    const payments = new FakeProcessor();

    // Act
    const collecting = makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    await expect(collecting).rejects.toThrow('Submission s-1 of journey j-1 not found');
    expect(payments.charges).toHaveLength(0);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'submission.read', outcome: 'failure' }) });
    // Only the attempt's claim of the journey: no stage, no payment record.
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression)).toEqual(['ADD attempt :one']);
  });

  it('returns the recorded outcome for a repeated task without calling the processor', async () => {
    // Prepare
    givenJourney();
    givenRecordedPayment({
      type: 'Payment',
      ...ref,
      status: 'PAID',
      amountCents: 2500,
      currency: 'USD',
      chargeId: 'pi_1',
      idempotencyKey: 'journey-j-1-visit-charge',
      at: now.toISOString(),
    });
    const payments = new FakeProcessor();

    // Act
    const result = await makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(payments.charges).toHaveLength(0);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(stageUpdates()).toContainEqual(expect.objectContaining({ ':paidCents': 2500 }));
  });

  it('lets a transient processor failure through for the workflow to retry, recording no payment', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const outage = new TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable, 'down');

    // Act
    const collecting = makeHandler({ table, payments: new FakeProcessor(outage), now: () => now })(ref);

    // Assess
    await expect(collecting).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(auditActions()).toEqual(['submission.read']);
    expect(journeyUpdates()).toEqual([]);
  });

  it('throws when the journey does not exist', async () => {
    await expect(makeHandler({ table, payments: new FakeProcessor(), now: () => now })(ref)).rejects.toThrow('Journey j-1 not found');
  });

  it('asks the processor before charging, and notes the attempt before sending the charge', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const payments = new FakeProcessor();

    // Act
    await makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    expect(payments.lookups).toEqual([{ reference: 'j-1' }]);
    const attempt = ddb.commandCalls(UpdateCommand).find((c) => c.args[0].input.Key?.SK === 'PAYMENT');
    expect(attempt?.args[0].input).toMatchObject({
      Key: keys.payment('c-1', 'j-1'),
      ConditionExpression: 'attribute_not_exists(#status)',
      ExpressionAttributeValues: expect.objectContaining({ ':now': now.toISOString() }),
    });
    const calls = ddb.calls().map((c) => c.args[0]);
    const attemptIndex = calls.findIndex((c) => c instanceof UpdateCommand && c.input.Key?.SK === 'PAYMENT');
    const recordIndex = calls.findIndex((c) => c instanceof PutCommand && c.input.Item?.SK === 'PAYMENT');
    expect(attemptIndex).toBeGreaterThanOrEqual(0);
    expect(recordIndex).toBeGreaterThan(attemptIndex);
  });

  it('records a charge the processor already holds as PAID, with its ID and amount, and never charges', async () => {
    // Prepare: an earlier attempt's answer was lost after the processor charged 2500.
    givenJourney({ dueCents: 2500 });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    givenChargeAttempts('2026-02-28T10:00:00.000Z', '2026-02-28T10:00:30.000Z');
    const payments = new FakeProcessor(new Error('must not charge'), { status: 'succeeded', chargeId: 'pi_lost', amountCents: 2500 });

    // Act
    const result = await makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(payments.charges).toHaveLength(0);
    expect(payments.lookups).toEqual([
      { reference: 'j-1', attempts: { first: new Date('2026-02-28T10:00:00.000Z'), last: new Date('2026-02-28T10:00:30.000Z') } },
    ]);
    expect(paymentPuts()).toEqual([
      expect.objectContaining({
        status: 'PAID',
        chargeId: 'pi_lost',
        amountCents: 2500,
        via: 'lookup',
        idempotencyKey: 'journey-j-1-visit-charge',
        firstAttemptAt: '2026-02-28T10:00:00.000Z',
      }),
    ]);
    expect(auditActions()).toEqual(['submission.read', 'payment.charge']);
    expect(journeyUpdates()).toContainEqual(
      expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED' }), ':paidCents': 2500 }),
    );
  });

  it('throws without charging when the processor holds a charge whose outcome is pending', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const payments = new FakeProcessor(undefined, new PaymentOutcomePendingError('processing'));

    // Act
    const collecting = makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    await expect(collecting).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    expect(payments.charges).toHaveLength(0);
    expect(paymentPuts()).toEqual([]);
    expect(journeyUpdates()).toEqual([]);
  });

  it('lets a processor outage during the lookup through, charging nothing', async () => {
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const outage = new TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable, 'down');
    const payments = new FakeProcessor(undefined, outage);

    await expect(makeHandler({ table, payments, now: () => now })(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    expect(payments.charges).toHaveLength(0);
  });

  it('does not charge when a concurrent attempt recorded the outcome first', async () => {
    // Prepare: the read finds nothing; by the time the attempt is noted, an outcome is recorded.
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    ddb
      .on(GetCommand, { Key: keys.payment('c-1', 'j-1') })
      .resolvesOnce({})
      .resolves({
        Item: {
          ...keys.payment('c-1', 'j-1'),
          type: 'Payment',
          ...ref,
          status: 'PAID',
          amountCents: 2500,
          currency: 'USD',
          chargeId: 'pi_1',
          idempotencyKey: 'journey-j-1-visit-charge',
          at: now.toISOString(),
        },
      });
    ddb
      .on(UpdateCommand, { Key: keys.payment('c-1', 'j-1') })
      .rejects(Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' }));
    const payments = new FakeProcessor();

    // Act
    const result = await makeHandler({ table, payments, now: () => now })(ref);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(payments.charges).toHaveLength(0);
  });

  it('refuses an unknown mode', async () => {
    givenJourney();
    const payments = new FakeProcessor();

    const collecting = makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'REFUND' as never });

    await expect(collecting).rejects.toThrow('Unknown payment mode REFUND');
    expect(payments.charges).toHaveLength(0);
  });

  describe('DEFER (staff PROCEED at a payment park)', () => {
    it('records a charge the processor holds and returns PAID, without reading the card or charging', async () => {
      // Prepare
      givenJourney({ dueCents: 2500 });
      const payments = new FakeProcessor(new Error('must not charge'), { status: 'succeeded', chargeId: 'pi_lost', amountCents: 2500 });

      // Act
      const result = await makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      // Assess
      expect(result).toEqual({ outcome: 'PAID' });
      expect(payments.charges).toHaveLength(0);
      expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: keys.submission('c-1', 's-1') });
      expect(paymentPuts()).toEqual([expect.objectContaining({ status: 'PAID', chargeId: 'pi_lost', amountCents: 2500, via: 'lookup' })]);
      expect(auditActions()).toEqual(['payment.charge']);
      expect(journeyUpdates()).toEqual([
        expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED' }), ':paidCents': 2500 }),
      ]);
    });

    it('returns DEFERRED, records nothing and completes the stage with the pay-later reason when nothing was charged', async () => {
      // Prepare
      givenJourney({ dueCents: 2500 });
      const payments = new FakeProcessor(new Error('must not charge'), undefined);

      // Act
      const result = await makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      // Assess
      expect(result).toEqual({ outcome: 'DEFERRED' });
      expect(payments.charges).toHaveLength(0);
      expect(payments.lookups).toEqual([{ reference: 'j-1' }]);
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
      expect(journeyUpdates()).toEqual([
        expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED', reason: DEFERRED_REASON }) }),
      ]);
      expect(journeyUpdates()[0]).not.toHaveProperty(':paidCents');
    });

    it('passes the recorded attempts to the lookup', async () => {
      givenJourney();
      givenChargeAttempts('2026-03-01T11:59:00.000Z', '2026-03-01T11:59:40.000Z');
      const payments = new FakeProcessor();

      await makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      expect(payments.lookups[0]?.attempts).toEqual({
        first: new Date('2026-03-01T11:59:00.000Z'),
        last: new Date('2026-03-01T11:59:40.000Z'),
      });
    });

    it('returns the recorded PAID without asking the processor', async () => {
      // Prepare
      givenJourney();
      givenRecordedPayment({
        type: 'Payment',
        ...ref,
        status: 'PAID',
        amountCents: 2500,
        currency: 'USD',
        chargeId: 'pi_1',
        idempotencyKey: 'journey-j-1-visit-charge',
        at: now.toISOString(),
      });
      const payments = new FakeProcessor();

      // Act
      const result = await makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      // Assess
      expect(result).toEqual({ outcome: 'PAID' });
      expect(payments.lookups).toHaveLength(0);
    });

    it('returns DEFERRED with the decline as the reason after a recorded decline', async () => {
      givenJourney();
      givenRecordedPayment({
        type: 'Payment',
        ...ref,
        status: 'DECLINED',
        amountCents: 2500,
        currency: 'USD',
        declineCode: 'generic_decline',
        idempotencyKey: 'journey-j-1-visit-charge',
        at: now.toISOString(),
      });
      const payments = new FakeProcessor();

      const result = await makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      expect(result).toEqual({ outcome: 'DEFERRED' });
      expect(journeyUpdates()).toContainEqual(expect.objectContaining({ ':stage': expect.objectContaining({ reason: DECLINED_REASON }) }));
    });

    it('returns NOTHING_DUE when nothing is owed, without asking the processor', async () => {
      givenJourney({ dueCents: 0 });
      const payments = new FakeProcessor();

      const result = await makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      expect(result).toEqual({ outcome: 'NOTHING_DUE' });
      expect(payments.lookups).toHaveLength(0);
    });

    it.each([
      ['a charge in flight', new PaymentOutcomePendingError('processing')],
      ['a processor outage', new TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable, 'down')],
    ])('throws on %s, deciding nothing', async (_case, error) => {
      // Prepare
      givenJourney();
      const payments = new FakeProcessor(undefined, error);

      // Act
      const deferring = makeHandler({ table, payments, now: () => now })({ ...ref, mode: 'DEFER' });

      // Assess
      await expect(deferring).rejects.toMatchObject({ name: error.name });
      expect(payments.charges).toHaveLength(0);
      expect(journeyUpdates()).toEqual([]);
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
    });
  });
});
