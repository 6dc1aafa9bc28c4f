import { describe, expect, it } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import {
  CHARGE_DESCRIPTION,
  journeySearchQuery,
  SEARCH_LAG_ALLOWANCE_MS,
  stripePaymentAdapter,
} from '#functions/payment/stripe-payment-adapter.ts';

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  form: URLSearchParams;
}

/** A fetch that records each request and answers with the given responses in turn (the last one repeats). */
function fakeFetch(...answers: Array<{ status: number; body: unknown } | Error>) {
  const calls: Captured[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      form: new URLSearchParams(init.body === undefined ? '' : String(init.body)),
    });
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

describe('Adapter: stripePaymentAdapter', () => {
  it('creates and confirms a PaymentIntent with amount, currency, token and opaque reference only', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 'pi_1', status: 'succeeded' } });
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test/', apiKey: 'sk_test_1', fetch });

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
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const result = await adapter.charge(chargeRequest);

    // Assess
    expect(result).toEqual({ status: 'declined', declineCode: 'insufficient_funds' });
  });

  it('returns a decline when the card needs the patient to authenticate', async () => {
    const { fetch } = fakeFetch({ status: 200, body: { id: 'pi_2', status: 'requires_action' } });
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

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
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

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
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    const charging = adapter.charge(chargeRequest);

    await expect(charging).rejects.toThrow('Payment processor rejected the request: 401 invalid_request_error');
    await expect(charging).rejects.not.toMatchObject({ name: TRANSIENT_ERRORS.paymentProcessorUnavailable });
  });

  it('refunds by payment intent with the idempotency key', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 're_1', object: 'refund' } });
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const result = await adapter.refund({ chargeId: 'pi_1', idempotencyKey: 'journey-j-1-refund' });

    // Assess
    expect(result).toEqual({ refundId: 're_1' });
    expect(calls[0]?.url).toBe('http://stripe.test/v1/refunds');
    expect(calls[0]?.headers['idempotency-key']).toBe('journey-j-1-refund');
    expect(Object.fromEntries(calls[0]?.form ?? [])).toEqual({ payment_intent: 'pi_1' });
  });

  it('throws PaymentOutcomePending, not a decline, when the charge is left processing', async () => {
    const { fetch } = fakeFetch({ status: 200, body: { id: 'pi_3', status: 'processing' } });
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    await expect(adapter.charge(chargeRequest)).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
  });

  it('refuses to charge with a reference it could not look up later, sending nothing', async () => {
    const { fetch, calls } = fakeFetch({ status: 200, body: { id: 'pi_1', status: 'succeeded' } });
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    await expect(adapter.charge({ ...chargeRequest, reference: "j-1' OR status:'succeeded" })).rejects.toThrow(/opaque token/);
    expect(calls).toHaveLength(0);
  });
});

const intent = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'payment_intent',
  status,
  amount: 2500,
  amount_received: status === 'succeeded' ? 2500 : 0,
  created: 1_772_000_000,
  metadata: { journey: 'j-1' },
  ...extra,
});
const searchResult = (data: unknown[], nextPage: string | null = null) => ({
  status: 200,
  body: { object: 'search_result', url: '/v1/payment_intents/search', has_more: nextPage !== null, next_page: nextPage, data },
});
const list = (data: unknown[], hasMore = false) => ({
  status: 200,
  body: { object: 'list', url: '/v1/payment_intents', has_more: hasMore, data },
});

describe('Adapter: stripePaymentAdapter.findCharge', () => {
  it('searches the journey reference by metadata, with the key and version but no idempotency key', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch(searchResult([]));
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'sk_test_1', fetch });

    // Act
    const found = await adapter.findCharge('j-1');

    // Assess
    expect(found).toBeUndefined();
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]?.url ?? '');
    expect(calls[0]?.method).toBe('GET');
    expect(url.origin + url.pathname).toBe('http://stripe.test/v1/payment_intents/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: "metadata['journey']:'j-1'", limit: '100' });
    expect(calls[0]?.headers.authorization).toBe('Bearer sk_test_1');
    expect(calls[0]?.headers['stripe-version']).toBe('2024-06-20');
    expect(calls[0]?.headers).not.toHaveProperty('idempotency-key');
  });

  it('returns a succeeded charge with its amount, ignoring declined and cancelled intents', async () => {
    // Prepare
    const { fetch } = fakeFetch(
      searchResult([
        intent('pi_declined', 'requires_payment_method'),
        intent('pi_paid', 'succeeded', { amount: 4000, amount_received: 4000 }),
        intent('pi_cancelled', 'canceled'),
      ]),
    );
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const found = await adapter.findCharge('j-1');

    // Assess
    expect(found).toEqual({ status: 'succeeded', chargeId: 'pi_paid', amountCents: 4000 });
  });

  it('returns undefined when only declined, unconfirmed or cancelled intents exist', async () => {
    const { fetch } = fakeFetch(
      searchResult([intent('pi_1', 'requires_payment_method'), intent('pi_2', 'requires_action'), intent('pi_3', 'canceled')]),
    );
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    await expect(adapter.findCharge('j-1')).resolves.toBeUndefined();
  });

  it('returns the oldest when several charges succeeded', async () => {
    const { fetch } = fakeFetch(
      searchResult([intent('pi_new', 'succeeded', { created: 1_772_000_100 }), intent('pi_old', 'succeeded', { created: 1_772_000_000 })]),
    );
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    await expect(adapter.findCharge('j-1')).resolves.toMatchObject({ chargeId: 'pi_old' });
  });

  it.each([['processing'], ['requires_capture']])('throws PaymentOutcomePending for a %s intent', async (status) => {
    const { fetch } = fakeFetch(searchResult([intent('pi_1', 'requires_payment_method'), intent('pi_2', status)]));
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    const finding = adapter.findCharge('j-1');

    await expect(finding).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    await expect(finding).rejects.not.toMatchObject({ name: TRANSIENT_ERRORS.paymentProcessorUnavailable });
  });

  it('follows next_page until the search has no more', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch(searchResult([intent('pi_1', 'canceled')], 'page_2'), searchResult([intent('pi_2', 'succeeded')]));
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act
    const found = await adapter.findCharge('j-1');

    // Assess
    expect(found?.chargeId).toBe('pi_2');
    expect(new URL(calls[1]?.url ?? '').searchParams.get('page')).toBe('page_2');
  });

  it.each([
    ['HTTP 500', { status: 500, body: { error: { type: 'api_error' } } }],
    ['HTTP 429', { status: 429, body: { error: { type: 'rate_limit_error' } } }],
    ['a network failure', new TypeError('fetch failed')],
  ])('throws PaymentProcessorUnavailable on %s', async (_case, answer) => {
    const { fetch } = fakeFetch(answer);
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    await expect(adapter.findCharge('j-1')).rejects.toMatchObject({ name: TRANSIENT_ERRORS.paymentProcessorUnavailable });
  });

  it('also lists intents created since a recent attempt (search may lag), matching the journey by metadata', async () => {
    // Prepare: search has not caught up; the list (strongly consistent) has the charge, among other journeys' intents.
    const now = new Date('2026-03-01T12:00:00Z');
    const { fetch, calls } = fakeFetch(
      searchResult([]),
      list([intent('pi_other', 'succeeded', { metadata: { journey: 'j-2' } }), intent('pi_mine', 'succeeded')], true),
      list([intent('pi_older', 'canceled')]),
    );
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch, now: () => now });
    const first = new Date(now.getTime() - 60_000);

    // Act
    const found = await adapter.findCharge('j-1', { first, last: first });

    // Assess
    expect(found?.chargeId).toBe('pi_mine');
    const listed = calls.slice(1).map((c) => new URL(c.url));
    expect(listed.map((u) => u.pathname)).toEqual(['/v1/payment_intents', '/v1/payment_intents']);
    expect(Object.fromEntries(listed[0]?.searchParams ?? [])).toEqual({
      'created[gte]': String(Math.floor((first.getTime() - 5 * 60_000) / 1000)),
      limit: '100',
    });
    expect(listed[1]?.searchParams.get('starting_after')).toBe('pi_mine');
  });

  it('searches only when the last attempt is older than the search lag allowance', async () => {
    const now = new Date('2026-03-03T12:00:00Z');
    const { fetch, calls } = fakeFetch(searchResult([]));
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch, now: () => now });
    const long = new Date(now.getTime() - SEARCH_LAG_ALLOWANCE_MS - 1);

    await adapter.findCharge('j-1', { first: long, last: long });

    expect(calls).toHaveLength(1);
  });

  it('refuses a reference that could change the query, before anything is sent', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch(searchResult([]));
    const adapter = stripePaymentAdapter({ baseUrl: 'http://stripe.test', apiKey: 'k', fetch });

    // Act + Assess
    for (const reference of ["j-1' OR status:'succeeded", "j-1\\'", 'j 1', 'j-1"', 'metadata[journey]', '', 'x'.repeat(101)]) {
      await expect(adapter.findCharge(reference)).rejects.toThrow(/opaque token/);
    }
    expect(calls).toHaveLength(0);
  });
});

describe('Function: journeySearchQuery', () => {
  it('quotes an opaque journey ID as the metadata value', () => {
    expect(journeySearchQuery('0b5c8f3e-6a0c-4e0b-9b1e-2f6f3d1c9a10')).toBe("metadata['journey']:'0b5c8f3e-6a0c-4e0b-9b1e-2f6f3d1c9a10'");
  });

  it.each([["a' OR metadata['journey']:'b"], ['a\\'], ['a:b'], ['a*']])('refuses %s', (reference) => {
    expect(() => journeySearchQuery(reference)).toThrow(/opaque token/);
  });
});
