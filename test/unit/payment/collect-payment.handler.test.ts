import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { makeCollectPayment } from '#functions/payment/collect-payment.handler.ts';
import { DECLINED_REASON, DEFERRED_REASON, NO_PAYMENT_METHOD_REASON } from '#functions/payment/collect-payment.ts';
import {
  type ChargeAttempts,
  type ChargeRequest,
  type ChargeResult,
  type FoundCharge,
  PaymentOutcomePendingError,
  type PaymentProcessor,
} from '#functions/payment/payment-port.ts';
import { dynamoPaymentStore, type PaymentRecord } from '#functions/payment/payment-store.ts';
import type { JourneyRecord } from '#model/journey.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoSubmissionStore, type SubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditLines, auditRecords } from '#test/support/audit-trail.ts';
import { journeyWithAppointment } from '#test/support/fixtures/records.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const tableRef = { client, tableName: 'patient-access-test' };
const ref = { clinicId: 'c-1', journeyId: 'j-1' };
const now = new Date('2026-03-01T12:00:00Z');
const journeyKey = keys.journey('c-1', 'j-1');
const paymentKey = keys.payment('c-1', 'j-1');
const submissionKey = keys.submission('c-1', 's-1');
let table: ReturnType<typeof inMemoryTable>;

/**
 * Answers charges with `answer` and lookups with `held` (what the processor already holds for the journey);
 * `duringLookup` runs while a lookup is in flight (a concurrent writer).
 */
class FakeProcessor implements PaymentProcessor {
  readonly charges: ChargeRequest[] = [];
  readonly lookups: Array<{ reference: string; attempts?: ChargeAttempts }> = [];
  /** The payment item as it stood when each charge was sent. */
  readonly paymentItemAtCharge: unknown[] = [];
  constructor(
    private readonly answer: ChargeResult | Error = { status: 'succeeded', chargeId: 'pi_1' },
    private readonly held: FoundCharge | Error | undefined = undefined,
    private readonly duringLookup: () => void = () => undefined,
  ) {}
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.charges.push(request);
    this.paymentItemAtCharge.push(structuredClone(table.get(paymentKey)));
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
  async findCharge(reference: string, attempts?: ChargeAttempts): Promise<FoundCharge | undefined> {
    this.lookups.push({ reference, ...(attempts ? { attempts } : {}) });
    this.duringLookup();
    if (this.held instanceof Error) throw this.held;
    return this.held;
  }
  async refund(): Promise<{ refundId: string }> {
    return { refundId: 're_1' };
  }
}

/** The submission store as the adapter over the table, remembering which attributes each read asked for. */
function submissionsRemembering(projections: unknown[]): SubmissionStore {
  const store = dynamoSubmissionStore(tableRef);
  return {
    ...store,
    read: ((...args: Parameters<SubmissionStore['read']>) => {
      projections.push(args[2]);
      return store.read(...args);
    }) as SubmissionStore['read'],
  };
}

/** Runs the task for `event` with the real stores over the in-memory table and `processor`. */
function collect(processor: PaymentProcessor, event: object = ref, submissions = dynamoSubmissionStore(tableRef)) {
  const task = makeCollectPayment({
    journeys: dynamoJourneyStore(tableRef),
    payments: dynamoPaymentStore(tableRef),
    submissions,
    audit: dynamoAuditLog(tableRef),
    processor,
    now: () => now,
  });
  return task(event, lambdaContext);
}

function givenJourney(amounts: Partial<JourneyRecord['amounts']> = { dueCents: 2500 }) {
  table.seed(journeyKey, journeyWithAppointment({ amounts: { currency: 'USD', ...amounts } }));
}
function givenSubmission(item: Record<string, unknown>) {
  table.seed(submissionKey, { type: 'Submission', clinicId: 'c-1', submissionId: 's-1', visit: { reasonForVisit: 'Knee pain' }, ...item });
}
const recordedPayment = (status: PaymentRecord['status']): PaymentRecord => ({
  type: 'Payment',
  ...ref,
  status,
  amountCents: 2500,
  currency: 'USD',
  ...(status === 'PAID' ? { chargeId: 'pi_1' } : { declineCode: 'generic_decline' }),
  idempotencyKey: 'journey-j-1-visit-charge',
  at: now.toISOString(),
});
function givenRecordedPayment(status: PaymentRecord['status']) {
  table.seed(paymentKey, recordedPayment(status));
}
function givenChargeAttempts(first: string, last: string) {
  table.seed(paymentKey, { type: 'Payment', ...ref, firstAttemptAt: first, lastAttemptAt: last });
}

const journey = () => table.get(journeyKey) as unknown as JourneyRecord;
const paymentItem = () => table.get(paymentKey);
const auditActions = () => auditLines(table.audits());
const outage = () => new TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable, 'down');

describe('Function: collectPayment', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
  });

  it('charges the amount due with the journey-derived idempotency key and records PAID', async () => {
    // Prepare
    givenJourney({ dueCents: 2500 });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor();

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(processor.charges).toEqual([
      {
        amountCents: 2500,
        currency: 'usd',
        paymentMethodToken: 'pm_card_visa',
        idempotencyKey: 'journey-j-1-visit-charge',
        reference: 'j-1',
      },
    ]);
    expect(paymentItem()).toMatchObject({ status: 'PAID', amountCents: 2500, chargeId: 'pi_1', via: 'charge' });
    // One record of the token read and the charge, written before the read.
    expect(auditActions()).toEqual(['submission.read+payment.charge:success']);
    expect(journey().stages.PAYMENT).toMatchObject({ status: 'COMPLETED' });
    expect(journey().amounts.paidCents).toBe(2500);
  });

  it('charges nothing for a visit staff cancelled while the journey ran, and reads no card', async () => {
    // Prepare
    const cancelled = journeyWithAppointment({ amounts: { currency: 'USD', dueCents: 2500 } });
    if (!cancelled.appointment) throw new Error('fixture has an appointment');
    table.seed(journeyKey, { ...cancelled, appointment: { ...cancelled.appointment, status: 'CANCELLED' } });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor();

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'NOTHING_DUE' });
    expect(processor.charges).toEqual([]);
    expect(auditActions()).toEqual([]);
  });

  it('has audited the token read and the charge when it crashes after charging', async () => {
    // Prepare: the processor charges, then DynamoDB fails before the outcome is recorded.
    givenJourney({ dueCents: 2500 });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor();
    const charge = processor.charge.bind(processor);
    processor.charge = async (request) => {
      const answer = await charge(request);
      table.beforeNext('Put', () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
      });
      return answer;
    };

    // Act
    const collecting = collect(processor);

    // Assess
    await expect(collecting).rejects.toThrow('ECONNREFUSED');
    expect(processor.charges).toHaveLength(1);
    expect(paymentItem()?.status).toBeUndefined();
    expect(auditActions()).toEqual(['submission.read+payment.charge:success']);
  });

  it('reads only the payment token from the submission, and audits the read', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const projections: unknown[] = [];

    // Act
    await collect(new FakeProcessor(), ref, submissionsRemembering(projections));

    // Assess
    expect(projections).toEqual([['paymentMethodToken']]);
    expect(auditRecords(table.audits())).toEqual([
      expect.objectContaining({
        actions: ['submission.read', 'payment.charge'],
        actor: 'function:collectPayment',
        journeyId: 'j-1',
        patientId: 'p-1',
        outcome: 'success',
      }),
    ]);
  });

  it('returns DECLINED and records the decline code and the reason for staff', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_chargeDeclined' });

    // Act
    const result = await collect(new FakeProcessor({ status: 'declined', declineCode: 'generic_decline' }));

    // Assess
    expect(result).toEqual({ outcome: 'DECLINED' });
    expect(paymentItem()).toMatchObject({ status: 'DECLINED', declineCode: 'generic_decline' });
    expect(auditActions()).toContain('payment.charge:failure');
    expect(journey().stages.PAYMENT).toMatchObject({ status: 'COMPLETED', reason: DECLINED_REASON });
    expect(journey().amounts.paidCents).toBeUndefined();
  });

  it('returns NOTHING_DUE without reading the card or charging when nothing is owed', async () => {
    // Prepare
    givenJourney({ dueCents: 2500, paidCents: 2500 });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor();

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'NOTHING_DUE' });
    expect(processor.charges).toHaveLength(0);
    expect(auditActions()).toEqual([]);
    expect(journey().stages.PAYMENT).toMatchObject({ status: 'COMPLETED' });
  });

  it('returns NO_PAYMENT_METHOD when the submission has no token', async () => {
    // Prepare
    givenJourney();
    givenSubmission({});
    const processor = new FakeProcessor();

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'NO_PAYMENT_METHOD' });
    expect(processor.charges).toHaveLength(0);
    expect(journey().stages.PAYMENT).toMatchObject({ status: 'COMPLETED', reason: NO_PAYMENT_METHOD_REASON });
    expect(auditActions()).toEqual(['submission.read+payment.charge:success', 'payment.charge:failure']);
  });

  it('throws without charging when the submission is missing, auditing the failed read', async () => {
    // Prepare
    givenJourney();
    const processor = new FakeProcessor();

    // Act
    const collecting = collect(processor);

    // Assess
    await expect(collecting).rejects.toThrow('Submission s-1 of journey j-1 not found');
    expect(processor.charges).toHaveLength(0);
    expect(auditActions()).toEqual(['submission.read+payment.charge:success', 'submission.read:failure']);
    // Only the attempt's claim of the journey: no stage, no payment record.
    expect(journey()).toMatchObject({ attempt: 1, stages: { PAYMENT: { status: 'PENDING' } } });
    expect(paymentItem()).toBeUndefined();
  });

  it('returns the recorded outcome for a repeated task without calling the processor', async () => {
    // Prepare
    givenJourney();
    givenRecordedPayment('PAID');
    const processor = new FakeProcessor();

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(processor.charges).toHaveLength(0);
    expect(processor.lookups).toHaveLength(0);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(journey().amounts.paidCents).toBe(2500);
  });

  it('lets a transient processor failure through for the workflow to retry, recording no payment', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });

    // Act
    const collecting = collect(new FakeProcessor(outage()));

    // Assess
    await expect(collecting).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    expect(paymentItem()?.status).toBeUndefined();
    // The charge may have gone through: its record stands, no failure is claimed.
    expect(auditActions()).toEqual(['submission.read+payment.charge:success']);
    expect(journey().stages.PAYMENT.status).toBe('PENDING');
  });

  it('throws JourneyNotFound when the journey does not exist', async () => {
    await expect(collect(new FakeProcessor())).rejects.toMatchObject({ name: 'JourneyNotFound', message: 'Journey j-1 not found' });
  });

  it('asks the processor before charging, and notes the attempt before sending the charge', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor();

    // Act
    await collect(processor);

    // Assess
    expect(processor.lookups).toEqual([{ reference: 'j-1' }]);
    expect(processor.paymentItemAtCharge).toEqual([
      expect.objectContaining({ firstAttemptAt: now.toISOString(), lastAttemptAt: now.toISOString() }),
    ]);
    expect(processor.paymentItemAtCharge[0]).not.toHaveProperty('status');
  });

  it('records a charge the processor already holds as PAID, with its ID and amount, and never charges', async () => {
    // Prepare: an earlier attempt's answer was lost after the processor charged 2500.
    givenJourney({ dueCents: 2500 });
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    givenChargeAttempts('2026-02-28T10:00:00.000Z', '2026-02-28T10:00:30.000Z');
    const processor = new FakeProcessor(new Error('must not charge'), { status: 'succeeded', chargeId: 'pi_lost', amountCents: 2500 });

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(processor.charges).toHaveLength(0);
    expect(processor.lookups).toEqual([
      { reference: 'j-1', attempts: { first: new Date('2026-02-28T10:00:00.000Z'), last: new Date('2026-02-28T10:00:30.000Z') } },
    ]);
    expect(paymentItem()).toMatchObject({
      status: 'PAID',
      chargeId: 'pi_lost',
      amountCents: 2500,
      via: 'lookup',
      idempotencyKey: 'journey-j-1-visit-charge',
      firstAttemptAt: '2026-02-28T10:00:00.000Z',
    });
    expect(auditActions()).toEqual(['submission.read+payment.charge:success']);
    expect(journey().stages.PAYMENT.status).toBe('COMPLETED');
    expect(journey().amounts.paidCents).toBe(2500);
  });

  it('throws without charging when the processor holds a charge whose outcome is pending', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor(undefined, new PaymentOutcomePendingError('processing'));

    // Act
    const collecting = collect(processor);

    // Assess
    await expect(collecting).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    expect(processor.charges).toHaveLength(0);
    expect(paymentItem()).toBeUndefined();
    expect(journey().stages.PAYMENT.status).toBe('PENDING');
  });

  it('lets a processor outage during the lookup through, charging nothing', async () => {
    // Prepare
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor(undefined, outage());

    // Act
    const collecting = collect(processor);

    // Assess
    await expect(collecting).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    expect(processor.charges).toHaveLength(0);
  });

  it('does not charge when a concurrent attempt recorded the outcome first', async () => {
    // Prepare: the read finds nothing; while the processor is asked, a concurrent attempt records PAID.
    givenJourney();
    givenSubmission({ paymentMethodToken: 'pm_card_visa' });
    const processor = new FakeProcessor(undefined, undefined, () => givenRecordedPayment('PAID'));

    // Act
    const result = await collect(processor);

    // Assess
    expect(result).toEqual({ outcome: 'PAID' });
    expect(processor.charges).toHaveLength(0);
    expect(journey().amounts.paidCents).toBe(2500);
  });

  it('refuses an unknown mode before claiming the journey', async () => {
    // Prepare
    givenJourney();
    const processor = new FakeProcessor();

    // Act
    const collecting = collect(processor, { ...ref, mode: 'REFUND' });

    // Assess
    await expect(collecting).rejects.toMatchObject({ name: 'ZodError' });
    expect(processor.charges).toHaveLength(0);
    expect(journey().attempt).toBe(0);
  });

  describe('DEFER (staff PROCEED at a payment park)', () => {
    const defer = (processor: PaymentProcessor) => collect(processor, { ...ref, mode: 'DEFER' });

    it('records a charge the processor holds and returns PAID, without reading the card or charging', async () => {
      // Prepare
      givenJourney({ dueCents: 2500 });
      givenSubmission({ paymentMethodToken: 'pm_card_visa' });
      const processor = new FakeProcessor(new Error('must not charge'), { status: 'succeeded', chargeId: 'pi_lost', amountCents: 2500 });

      // Act
      const result = await defer(processor);

      // Assess
      expect(result).toEqual({ outcome: 'PAID' });
      expect(processor.charges).toHaveLength(0);
      expect(paymentItem()).toMatchObject({ status: 'PAID', chargeId: 'pi_lost', amountCents: 2500, via: 'lookup' });
      expect(auditActions()).toEqual(['payment.charge:success']);
      expect(journey().stages.PAYMENT).toEqual({ status: 'COMPLETED', at: now.toISOString() });
      expect(journey().amounts.paidCents).toBe(2500);
    });

    it('returns DEFERRED, records nothing and completes the stage with the pay-later reason when nothing was charged', async () => {
      // Prepare
      givenJourney({ dueCents: 2500 });
      const processor = new FakeProcessor(new Error('must not charge'), undefined);

      // Act
      const result = await defer(processor);

      // Assess
      expect(result).toEqual({ outcome: 'DEFERRED' });
      expect(processor.charges).toHaveLength(0);
      expect(processor.lookups).toEqual([{ reference: 'j-1' }]);
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
      expect(journey().stages.PAYMENT).toMatchObject({ status: 'COMPLETED', reason: DEFERRED_REASON });
      expect(journey().amounts.paidCents).toBeUndefined();
    });

    it('passes the recorded attempts to the lookup', async () => {
      // Prepare
      givenJourney();
      givenChargeAttempts('2026-03-01T11:59:00.000Z', '2026-03-01T11:59:40.000Z');
      const processor = new FakeProcessor();

      // Act
      await defer(processor);

      // Assess
      expect(processor.lookups[0]?.attempts).toEqual({
        first: new Date('2026-03-01T11:59:00.000Z'),
        last: new Date('2026-03-01T11:59:40.000Z'),
      });
    });

    it('returns the recorded PAID without asking the processor', async () => {
      // Prepare
      givenJourney();
      givenRecordedPayment('PAID');
      const processor = new FakeProcessor();

      // Act
      const result = await defer(processor);

      // Assess
      expect(result).toEqual({ outcome: 'PAID' });
      expect(processor.lookups).toHaveLength(0);
    });

    it('returns DEFERRED with the decline as the reason after a recorded decline', async () => {
      // Prepare
      givenJourney();
      givenRecordedPayment('DECLINED');

      // Act
      const result = await defer(new FakeProcessor());

      // Assess
      expect(result).toEqual({ outcome: 'DEFERRED' });
      expect(journey().stages.PAYMENT).toMatchObject({ status: 'COMPLETED', reason: DECLINED_REASON });
    });

    it('returns NOTHING_DUE when nothing is owed, without asking the processor', async () => {
      // Prepare
      givenJourney({ dueCents: 0 });
      const processor = new FakeProcessor();

      // Act
      const result = await defer(processor);

      // Assess
      expect(result).toEqual({ outcome: 'NOTHING_DUE' });
      expect(processor.lookups).toHaveLength(0);
    });

    it.each([
      ['a charge in flight', new PaymentOutcomePendingError('processing')],
      ['a processor outage', outage()],
    ])('throws on %s, deciding nothing', async (_case, error) => {
      // Prepare
      givenJourney();
      const processor = new FakeProcessor(undefined, error);

      // Act
      const deferring = defer(processor);

      // Assess
      await expect(deferring).rejects.toMatchObject({ name: error.name });
      expect(processor.charges).toHaveLength(0);
      expect(journey().stages.PAYMENT.status).toBe('PENDING');
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
    });
  });
});
