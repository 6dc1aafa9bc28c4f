import { describe, expect, it } from 'vitest';
import { CHARGE_DESCRIPTION, StripePaymentAdapter } from '#functions/payment/stripe-payment-adapter.ts';
import { TRANSIENT_ERRORS } from '#shared/journey-contract.ts';

interface Captured {
  url: string;
  headers: Record<string, string>;
  form: URLSearchParams;
}

/** A fetch that records each request and answers with the given responses in turn (the last one repeats). */
function fakeFetch(...answers: Array<{ status: number; body: unknown } | Error>) {
  const calls: Captured[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, form: new URLSearchParams(String(init.body)) });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer?.body), { status: answer?.status ?? 500, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const chargeRequest = {
  amountCents: 2500,
  currency: 'usd' as const,
  paymentMethodToken: 'pm_card_visa',
  idempotencyKey: 'journey-j-1-visit-charge',
  reference: 'j-1',
};

describe('Adapter: StripePaymentAdapter', () => {
  it('creates and confirms a PaymentIntent with amount, currency, token and opaque reference only', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 'pi_1', status: 'succeeded' } });
    const adapter = new StripePaymentAdapter({ baseUrl: 'http://stripe.test/', apiKey: 'sk_test_1', fetch });

    // Act
    const result = await adapter.charge(chargeRequest);

    // Assess
    expect(result).toEqual({ status: 'succeeded', chargeId: 'pi_1' });
    const [call] = calls;
    expect(call?.url).toBe('http://stripe.test/v1/payment_intents');
    expect(call?.headers.authorization).toBe('Bearer sk_test_1');
    expect(call?.headers['idempotency-key']).toBe('journey-j-1-visit-charge');
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(call?.form ?? [])).toEqual({
      amount: '2500',
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
      description: CHARGE_DESCRIPTION,
      'metadata[journey]': 'j-1',
    });
  });

  it('returns a decline with its decline code for a 402 card_error', async () => {
    // Prepare
    const { fetch } = fakeFetch({
      status: 402,
      body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' } },
    });
    const adapter = new StripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const result = await adapter.charge(chargeRequest);

    // Assess
    expect(result).toEqual({ status: 'declined', declineCode: 'insufficient_funds' });
  });

  it('returns a decline when the card needs the patient to authenticate', async () => {
    const { fetch } = fakeFetch({ status: 200, body: { id: 'pi_2', status: 'requires_action' } });
    const adapter = new StripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    await expect(adapter.charge(chargeRequest)).resolves.toEqual({ status: 'declined', declineCode: 'authentication_required' });
  });

  it.each([
    ['HTTP 500 api_error', { status: 500, body: { error: { type: 'api_error' } } }],
    ['HTTP 503 without a body', { status: 503, body: null }],
    ['HTTP 429 rate_limit_error', { status: 429, body: { error: { type: 'rate_limit_error' } } }],
    ['HTTP 409 idempotent request in progress', { status: 409, body: { error: { type: 'idempotency_error' } } }],
    ['a network failure', new TypeError('fetch failed')],
  ])('throws PaymentProcessorUnavailable on %s', async (_case, answer) => {
    // Prepare
    const { fetch } = fakeFetch(answer);
    const adapter = new StripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const charging = adapter.charge(chargeRequest);

    // Assess
    await expect(charging).rejects.toMatchObject({ name: TRANSIENT_ERRORS.paymentProcessorUnavailable });
  });

  it('throws a non-transient error when Stripe rejects the request', async () => {
    const { fetch } = fakeFetch({
      status: 401,
      body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_***' } },
    });
    const adapter = new StripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    const charging = adapter.charge(chargeRequest);

    await expect(charging).rejects.toThrow('Payment processor rejected the request: 401 invalid_request_error');
    await expect(charging).rejects.not.toMatchObject({ name: TRANSIENT_ERRORS.paymentProcessorUnavailable });
  });

  it('refunds by payment intent with the idempotency key', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 're_1', object: 'refund' } });
    const adapter = new StripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const result = await adapter.refund({ chargeId: 'pi_1', idempotencyKey: 'journey-j-1-refund' });

    // Assess
    expect(result).toEqual({ refundId: 're_1' });
    expect(calls[0]?.url).toBe('http://stripe.test/v1/refunds');
    expect(calls[0]?.headers['idempotency-key']).toBe('journey-j-1-refund');
    expect(Object.fromEntries(calls[0]?.form ?? [])).toEqual({ payment_intent: 'pi_1' });
  });
});
