import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.PAYMENTS_BASE_URL ??= 'http://127.0.0.1:9';
  process.env.PAYMENTS_API_KEY ??= 'sk_test_unit';
});

import { DECLINED_REASON, makeHandler, NO_PAYMENT_METHOD_REASON } from '#functions/payment/collect-payment.handler.ts';
import type { ChargeRequest, ChargeResult, PaymentProcessor } from '#functions/payment/payment-port.ts';
import type { PaymentRecord } from '#functions/payment/payment-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { TRANSIENT_ERRORS } from '#shared/journey-contract.ts';
import { type JourneyRecord, newJourneyRecord } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const table = { client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'patient-access-test' };
const ref = { clinicId: 'c-1', journeyId: 'j-1' };
const now = new Date('2026-03-01T12:00:00Z');

class FakeProcessor implements PaymentProcessor {
  readonly charges: ChargeRequest[] = [];
  constructor(private readonly answer: ChargeResult | Error = { status: 'succeeded', chargeId: 'pi_1' }) {}
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.charges.push(request);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
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
  ddb.on(GetCommand, { Key: keys.journey('c-1', 'j-1') }).resolves({ Item: journey });
}
function givenSubmission(item: Record<string, unknown> | undefined) {
  ddb.on(GetCommand, { Key: keys.submission('c-1', 's-1') }).resolves({ Item: item });
}
function givenRecordedPayment(record: PaymentRecord) {
  ddb.on(GetCommand, { Key: keys.payment('c-1', 'j-1') }).resolves({ Item: { ...keys.payment('c-1', 'j-1'), ...record } });
}
const auditActions = () =>
  ddb.commandCalls(PutCommand).flatMap((c) => (c.args[0].input.Item?.type === 'AuditEvent' ? [c.args[0].input.Item.action] : []));
const stageUpdates = () => ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues as Record<string, unknown>);

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
      Item: expect.objectContaining({ ...keys.payment('c-1', 'j-1'), status: 'PAID', amountCents: 2500, chargeId: 'pi_1' }),
      ConditionExpression: 'attribute_not_exists(PK)',
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
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
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
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('throws when the journey does not exist', async () => {
    await expect(makeHandler({ table, payments: new FakeProcessor(), now: () => now })(ref)).rejects.toThrow('Journey j-1 not found');
  });
});
