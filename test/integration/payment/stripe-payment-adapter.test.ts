import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProcessor } from '#functions/payment/payment-port.ts';
import { stripePaymentAdapter } from '#functions/payment/stripe-payment-adapter.ts';
import { type PaymentSandbox, parseSearchQuery, SANDBOX_PAYMENT_METHODS, startPaymentSandbox } from '#local/payment-sandbox/server.ts';
import { freePort } from '#local/ports.ts';
import { visitChargeIdempotencyKey } from '#model/patient-share.ts';

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
/** What a lookup may put in the URL: the query (by opaque journey ID), paging and a creation time. */
const ALLOWED_QUERY_PARAMETERS = ['query', 'limit', 'page', 'created[gte]', 'starting_after'];

describe('Adapter: stripePaymentAdapter against the payment sandbox', () => {
  let sandbox: PaymentSandbox;
  let adapter: PaymentProcessor;

  beforeAll(async () => {
    sandbox = await startPaymentSandbox({ port: await freePort(), apiKey: API_KEY });
    adapter = stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: API_KEY });
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
    const wrongKey = stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_wrong' });

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

  it('finds the succeeded charge of a journey, with its amount', async () => {
    // Prepare
    const paid = await charge('j-find', SANDBOX_PAYMENT_METHODS.succeeds);

    // Act
    const found = await adapter.findCharge('j-find');

    // Assess
    expect(found).toEqual({ status: 'succeeded', chargeId: paid.status === 'succeeded' ? paid.chargeId : '', amountCents: 4000 });
  });

  it('finds nothing for a declined journey or one never charged', async () => {
    await charge('j-find-declined', SANDBOX_PAYMENT_METHODS.declines);

    await expect(adapter.findCharge('j-find-declined')).resolves.toBeUndefined();
    await expect(adapter.findCharge('j-find-never')).resolves.toBeUndefined();
  });

  it('finds the charge of a 500 answered after charging, which every replay of the key repeats', async () => {
    // Act
    await expect(charge('j-find-500', SANDBOX_PAYMENT_METHODS.chargedThenError)).rejects.toMatchObject({
      name: 'PaymentProcessorUnavailable',
    });
    await expect(charge('j-find-500', SANDBOX_PAYMENT_METHODS.chargedThenError)).rejects.toMatchObject({
      name: 'PaymentProcessorUnavailable',
    });
    const found = await adapter.findCharge('j-find-500');

    // Assess
    const ledger = sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey('j-find-500'));
    expect(ledger).toHaveLength(1);
    expect(found?.chargeId).toBe(ledger[0]?.id);
  });

  it('reports an unfinished charge as pending, then as paid once it succeeds', async () => {
    // Act
    await expect(charge('j-find-processing', SANDBOX_PAYMENT_METHODS.processing)).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    const whileProcessing = adapter.findCharge('j-find-processing');

    // Assess
    await expect(whileProcessing).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    const [intent] = sandbox.paymentIntents().filter((i) => i.metadata.journey === 'j-find-processing');
    sandbox.settlePaymentIntent(intent?.id ?? '', 'succeeded');
    await expect(adapter.findCharge('j-find-processing')).resolves.toMatchObject({ chargeId: intent?.id });
  });

  it('finds nothing once an unfinished charge failed', async () => {
    await expect(charge('j-find-failed', SANDBOX_PAYMENT_METHODS.processing)).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    const [intent] = sandbox.paymentIntents().filter((i) => i.metadata.journey === 'j-find-failed');
    sandbox.settlePaymentIntent(intent?.id ?? '', 'failed');

    await expect(adapter.findCharge('j-find-failed')).resolves.toBeUndefined();
  });

  it('charges again with the same key once the processor has forgotten it (what findCharge guards against)', async () => {
    // Act
    await charge('j-forget', SANDBOX_PAYMENT_METHODS.succeeds);
    sandbox.forgetIdempotencyKeys();
    await charge('j-forget', SANDBOX_PAYMENT_METHODS.succeeds);

    // Assess
    expect(sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey('j-forget'))).toHaveLength(2);
  });

  it('answers search in the shape Stripe uses, newest first, paging with next_page', async () => {
    // Prepare: two intents for one journey.
    const attempt = (paymentMethodToken: string, idempotencyKey: string) =>
      adapter.charge({ amountCents: 4000, currency: 'usd', paymentMethodToken, idempotencyKey, reference: 'j-shape' });
    await attempt(SANDBOX_PAYMENT_METHODS.declines, 'k-shape-1');
    await attempt(SANDBOX_PAYMENT_METHODS.succeeds, 'k-shape-2');
    const search = async (params: Record<string, string>) => {
      const response = await fetch(`${sandbox.url}/v1/payment_intents/search?${new URLSearchParams(params)}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown> & { data: Array<Record<string, unknown>> },
      };
    };

    // Act
    const first = await search({ query: "metadata['journey']:'j-shape'", limit: '1' });
    const second = await search({ query: "metadata['journey']:'j-shape'", limit: '1', page: String(first.body.next_page) });

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'search_result', url: '/v1/payment_intents/search', has_more: true });
    expect(first.body.next_page).toEqual(expect.any(String));
    expect(first.body.data[0]).toMatchObject({ object: 'payment_intent', status: 'succeeded', metadata: { journey: 'j-shape' } });
    expect(second.body).toMatchObject({ has_more: false, next_page: null });
    expect(second.body.data[0]).toMatchObject({ status: 'requires_payment_method' });
  });

  it('treats a quoted value as one value: an injected clause matches nothing', async () => {
    const response = await fetch(
      `${sandbox.url}/v1/payment_intents/search?${new URLSearchParams({ query: String.raw`metadata['journey']:'j-shape\' OR status:\'succeeded'` })}`,
      { headers: { authorization: `Bearer ${API_KEY}` } },
    );
    const body = (await response.json()) as { data: unknown[] };

    expect(response.status).toBe(200);
    expect(body.data).toEqual([]);
  });

  it('sent the processor nothing but amounts, tokens and opaque IDs', () => {
    // Prepare
    const requests = sandbox.requests();
    expect(requests.length).toBeGreaterThan(5);

    // Assess
    for (const request of requests) {
      for (const field of Object.keys(request.form)) expect(ALLOWED_FIELDS).toContain(field);
      for (const parameter of Object.keys(request.query)) expect(ALLOWED_QUERY_PARAMETERS).toContain(parameter);
      const everything = JSON.stringify(request).toLowerCase();
      for (const detail of PHI) expect(everything).not.toContain(detail.toLowerCase());
    }
  });
});

describe('Adapter: stripePaymentAdapter against a sandbox whose search lags', () => {
  let sandbox: PaymentSandbox;
  let adapter: PaymentProcessor;

  beforeAll(async () => {
    sandbox = await startPaymentSandbox({ port: await freePort(), apiKey: API_KEY, searchLagMs: 10 * 60_000 });
    adapter = stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: API_KEY });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('misses a fresh charge by search alone, and finds it with the recorded attempt through the list', async () => {
    // Prepare
    const attemptAt = new Date();
    const paid = await adapter.charge({
      amountCents: 4000,
      currency: 'usd',
      paymentMethodToken: SANDBOX_PAYMENT_METHODS.succeeds,
      idempotencyKey: visitChargeIdempotencyKey('j-lag'),
      reference: 'j-lag',
    });

    // Act
    const bySearch = await adapter.findCharge('j-lag');
    const withAttempts = await adapter.findCharge('j-lag', { first: attemptAt, last: attemptAt });

    // Assess
    expect(bySearch).toBeUndefined();
    expect(withAttempts?.chargeId).toBe(paid.status === 'succeeded' ? paid.chargeId : 'none');
  });
});

describe('Payment sandbox: state across a restart', () => {
  const directory = mkdtempSync(join(tmpdir(), 'payment-sandbox-'));
  const stateFile = join(directory, 'nested', 'state.json');
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps the ledger, the intents and the stored idempotent answers in stateFile', async () => {
    // Prepare
    const request = {
      amountCents: 4000,
      currency: 'usd' as const,
      paymentMethodToken: SANDBOX_PAYMENT_METHODS.succeeds,
      idempotencyKey: 'journey-j-persist-visit-charge',
      reference: 'j-persist',
    };
    const before = await startPaymentSandbox({ port: await freePort(), stateFile });
    const first = await stripePaymentAdapter({ baseUrl: before.url, apiKey: 'k' }).charge(request);
    await before.stop();

    // Act
    const after = await startPaymentSandbox({ port: await freePort(), stateFile });
    try {
      const afterAdapter = stripePaymentAdapter({ baseUrl: after.url, apiKey: 'k' });
      const replayed = await afterAdapter.charge(request);
      const found = await afterAdapter.findCharge('j-persist');

      // Assess
      expect(replayed).toEqual(first);
      expect(after.charges()).toHaveLength(1);
      expect(after.paymentIntents()).toHaveLength(1);
      expect(found?.chargeId).toBe(first.status === 'succeeded' ? first.chargeId : 'none');
    } finally {
      await after.stop();
    }
  });

  it('starts empty without a stateFile', async () => {
    const fresh = await startPaymentSandbox({ port: await freePort() });
    try {
      expect(fresh.charges()).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });
});

describe('Function: parseSearchQuery', () => {
  it('reads metadata and status clauses, quoted either way, with escaped quotes inside values', () => {
    expect(parseSearchQuery(`metadata['journey']:'a\\'b' AND status:"succeeded" -currency:usd`)).toEqual([
      { field: 'metadata.journey', value: "a'b", negated: false },
      { field: 'status', value: 'succeeded', negated: false },
      { field: 'currency', value: 'usd', negated: true },
    ]);
  });

  it.each([["metadata['journey']:'a' OR status:'succeeded'"], ["metadata['journey']:'a"], ['amount>100'], ['']])('refuses %s', (query) => {
    expect(typeof parseSearchQuery(query)).toBe('string');
  });
});
