import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dynamoPaymentStore, type PaymentRecord } from '#functions/payment/payment-store.ts';
import { localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-payments';
const first = new Date('2026-12-01T10:00:00.000Z');
const later = new Date('2026-12-01T10:05:00.000Z');

const payments = dynamoPaymentStore(await localTable('payments'));

const newRef = () => ({ clinicId, journeyId: randomUUID() });
/** An outcome as the payment stage records it; the store keeps whatever it is given. */
const outcome = (ref: { clinicId: string; journeyId: string }, status: PaymentRecord['status']): PaymentRecord => ({
  type: 'Payment',
  ...ref,
  status,
  amountCents: status === 'PAID' ? 4000 : 2500,
  currency: 'USD',
  idempotencyKey: `journey-${ref.journeyId}-visit-charge`,
  at: later.toISOString(),
});

describe('Function: dynamoPaymentStore on DynamoDB Local', () => {
  it('reads nothing for a journey that was never charged', async () => {
    // Act
    const state = await payments.read(newRef());

    // Assess
    expect(state).toEqual({});
  });

  it('keeps the first attempt and moves the last one on with each note, without an outcome', async () => {
    // Prepare
    const ref = newRef();

    // Act
    const notedFirst = await payments.noteChargeAttempt(ref, first);
    const notedLater = await payments.noteChargeAttempt(ref, later);

    // Assess
    expect([notedFirst, notedLater]).toEqual([true, true]);
    expect(await payments.read(ref)).toEqual({ attempts: { first, last: later } });
    expect(await payments.get(ref)).toBeUndefined();
  });

  it('records the outcome over the attempts, and refuses a note once it is recorded', async () => {
    // Prepare
    const ref = newRef();
    await payments.noteChargeAttempt(ref, first);
    const paid = { ...outcome(ref, 'PAID'), firstAttemptAt: first.toISOString(), lastAttemptAt: later.toISOString() };

    // Act
    const stored = await payments.record(paid);
    const noted = await payments.noteChargeAttempt(ref, later);

    // Assess
    expect(stored).toEqual(paid);
    expect(noted).toBe(false);
    expect(await payments.read(ref)).toEqual({ recorded: paid, attempts: { first, last: later } });
  });

  it('keeps the first outcome when another is recorded after it, and returns the one stored', async () => {
    // Prepare
    const ref = newRef();
    const declined = outcome(ref, 'DECLINED');
    await payments.record(declined);

    // Act
    const stored = await payments.record(outcome(ref, 'PAID'));

    // Assess
    expect(stored).toEqual(declined);
    expect(await payments.get(ref)).toEqual(declined);
  });
});
