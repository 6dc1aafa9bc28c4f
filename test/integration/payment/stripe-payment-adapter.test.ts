import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitChargeIdempotencyKey } from '#functions/payment/amount-due.ts';
import { StripePaymentAdapter } from '#functions/payment/stripe-payment-adapter.ts';
import { type PaymentSandbox, SANDBOX_PAYMENT_METHODS, startPaymentSandbox } from '#local/payment-sandbox/server.ts';
import { freePort } from '#local/ports.ts';

const API_KEY = 'sk_test_sandbox';
/** What the rest of the system knows about the patient and the visit; none of it may reach the processor. */
const PHI = ['Jordan', 'Quintero', '1984-07-09', 'jordan.quintero@example.com', '+16175550123', 'MRI', 'knee', 'M25.561', 'W123456789'];
const ALLOWED_FIELDS = [
  'amount',
  'currency',
  'payment_method',
  'confirm',
  'automatic_payment_methods[enabled]',
  'automatic_payment_methods[allow_redirects]',
  'description',
  'metadata[journey]',
  'payment_intent',
];

describe('Adapter: StripePaymentAdapter against the payment sandbox', () => {
  let sandbox: PaymentSandbox;
  let adapter: StripePaymentAdapter;

  beforeAll(async () => {
    sandbox = await startPaymentSandbox({ port: await freePort(), apiKey: API_KEY });
    adapter = new StripePaymentAdapter({ baseUrl: sandbox.url, apiKey: API_KEY });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  const charge = (journeyId: string, paymentMethodToken: string) =>
    adapter.charge({
      amountCents: 4000,
      currency: 'usd',
      paymentMethodToken,
      idempotencyKey: visitChargeIdempotencyKey(journeyId),
      reference: journeyId,
    });

  it('charges a good card once', async () => {
    // Act
    const result = await charge('j-success', SANDBOX_PAYMENT_METHODS.succeeds);

    // Assess
    expect(result).toEqual({ status: 'succeeded', chargeId: expect.stringMatching(/^pi_/) });
    expect(sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey('j-success'))).toEqual([
      { id: result.status === 'succeeded' ? result.chargeId : '', amount: 4000, idempotencyKey: 'journey-j-success-visit-charge' },
    ]);
  });

  it('returns the same charge for a repeated key instead of charging again', async () => {
    // Act
    const first = await charge('j-repeat', SANDBOX_PAYMENT_METHODS.succeeds);
    const second = await charge('j-repeat', SANDBOX_PAYMENT_METHODS.succeeds);

    // Assess
    expect(second).toEqual(first);
    expect(sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey('j-repeat'))).toHaveLength(1);
  });

  it('returns a decline for a declined card and charges nothing', async () => {
    // Act
    const result = await charge('j-decline', SANDBOX_PAYMENT_METHODS.declines);

    // Assess
    expect(result).toEqual({ status: 'declined', declineCode: 'generic_decline' });
    expect(sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey('j-decline'))).toHaveLength(0);
  });

  it('throws a transient error first, then succeeds with the same key, charging exactly once', async () => {
    // Act
    const firstAttempt = charge('j-transient', SANDBOX_PAYMENT_METHODS.transientThenSucceeds);
    await expect(firstAttempt).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    const retry = await charge('j-transient', SANDBOX_PAYMENT_METHODS.transientThenSucceeds);
    const redrive = await charge('j-transient', SANDBOX_PAYMENT_METHODS.transientThenSucceeds);

    // Assess
    expect(retry.status).toBe('succeeded');
    expect(redrive).toEqual(retry);
    expect(sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey('j-transient'))).toHaveLength(1);
  });

  it('refunds a charge', async () => {
    // Prepare
    const paid = await charge('j-refund', SANDBOX_PAYMENT_METHODS.succeeds);
    if (paid.status !== 'succeeded') throw new Error('setup charge failed');

    // Act
    const refund = await adapter.refund({ chargeId: paid.chargeId, idempotencyKey: 'journey-j-refund-refund' });
    const repeated = await adapter.refund({ chargeId: paid.chargeId, idempotencyKey: 'journey-j-refund-refund' });

    // Assess
    expect(refund.refundId).toMatch(/^re_/);
    expect(repeated).toEqual(refund);
  });

  it('fails without retrying on a wrong API key', async () => {
    const wrongKey = new StripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_wrong' });

    const charging = wrongKey.charge({
      amountCents: 4000,
      currency: 'usd',
      paymentMethodToken: 'pm_card_visa',
      idempotencyKey: 'k-wrong',
      reference: 'j-wrong',
    });

    await expect(charging).rejects.toThrow(/401/);
    await expect(charging).rejects.not.toMatchObject({ name: 'PaymentProcessorUnavailable' });
  });

  it('sent the processor nothing but amounts, tokens and opaque IDs', () => {
    // Prepare
    const requests = sandbox.requests();
    expect(requests.length).toBeGreaterThan(5);

    // Assess
    for (const request of requests) {
      for (const field of Object.keys(request.form)) expect(ALLOWED_FIELDS).toContain(field);
      const everything = JSON.stringify(request).toLowerCase();
      for (const detail of PHI) expect(everything).not.toContain(detail.toLowerCase());
    }
  });
});
