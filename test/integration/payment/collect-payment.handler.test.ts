import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectPaymentRequest } from '#contract/journey-workflow.ts';
import { makeCollectPayment } from '#functions/payment/collect-payment.handler.ts';
import { DEFERRED_REASON } from '#functions/payment/collect-payment.ts';
import type { PaymentProcessor } from '#functions/payment/payment-port.ts';
import { dynamoPaymentStore } from '#functions/payment/payment-store.ts';
import { stripePaymentAdapter } from '#functions/payment/stripe-payment-adapter.ts';
import { ensureTable } from '#local/create-table.ts';
import { type PaymentSandbox, SANDBOX_PAYMENT_METHODS, startPaymentSandbox } from '#local/payment-sandbox/server.ts';
import { freePort } from '#local/ports.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { visitChargeIdempotencyKey } from '#model/patient-share.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditLines, auditRecords } from '#test/support/audit-trail.ts';

const client = new DynamoDBClient({});
const table = { client: DynamoDBDocumentClient.from(client), tableName: `payment-it-${Date.now()}` };
const DAY_MS = 24 * 60 * 60 * 1000;
const journeys = dynamoJourneyStore(table);
const payments = dynamoPaymentStore(table);
const getJourney = (ref: { clinicId: string; journeyId: string }) => journeys.get(ref, { consistent: true });
const getPayment = (clinicId: string, journeyId: string) => payments.get({ clinicId, journeyId });

/** The CollectPayment task over the test table, charging through `processor`. */
function collectTask(processor: PaymentProcessor) {
  const task = makeCollectPayment({
    journeys,
    payments,
    submissions: dynamoSubmissionStore(table),
    audit: dynamoAuditLog(table),
    processor,
    now: () => new Date(),
  });
  return (event: CollectPaymentRequest) => task(event, lambdaContext);
}

async function givenJourney(journeyId: string, paymentMethodToken?: string, dueCents = 4000) {
  const journey = {
    ...newJourneyRecord({ clinicId: 'c-1', journeyId, submissionId: `s-${journeyId}`, patientId: 'p-1' }, new Date()),
    amounts: { currency: 'USD', dueCents },
  };
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey('c-1', journeyId), ...journey } }));
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.submission('c-1', `s-${journeyId}`),
        type: 'Submission',
        visit: { reasonForVisit: 'Knee pain' },
        ...(paymentMethodToken ? { paymentMethodToken } : {}),
      },
    }),
  );
  return { clinicId: 'c-1', journeyId };
}

/**
 * A fetch that forwards every request but loses the answer to the first charge (POST /v1/payment_intents): the
 * processor received and executed it, and we learn nothing — a dropped connection (`drop`) or a gateway's 502.
 */
function losingFirstChargeResponse(how: 'drop' | 502): typeof fetch {
  let lost = false;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (lost || init?.method !== 'POST' || !String(input).endsWith('/v1/payment_intents')) return response;
    lost = true;
    await response.arrayBuffer();
    if (how === 'drop') throw new TypeError('fetch failed', { cause: new Error('other side closed') });
    return new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } });
  }) as typeof fetch;
}

const chargesOf = (sandbox: PaymentSandbox, journeyId: string) =>
  sandbox.charges().filter((c) => c.idempotencyKey === visitChargeIdempotencyKey(journeyId));
const chargeRequestsOf = (sandbox: PaymentSandbox, journeyId: string) =>
  sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents' && r.form['metadata[journey]'] === journeyId);

describe('Function: collectPayment on DynamoDB Local and the payment sandbox', () => {
  let sandbox: PaymentSandbox;
  let adapter: PaymentProcessor;
  let handler: ReturnType<typeof collectTask>;
  /** The handler with a processor connection that loses the answer to its first charge. */
  const losing = (how: 'drop' | 502, options: { now?: () => Date } = {}) =>
    collectTask(stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it', fetch: losingFirstChargeResponse(how), ...options }));

  beforeAll(async () => {
    await ensureTable(client, table.tableName);
    sandbox = await startPaymentSandbox({ port: await freePort() });
    adapter = stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it' });
    handler = collectTask(adapter);
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('charges once across a transient failure and a repeated task, and records the payment on the journey', async () => {
    // Prepare
    const ref = await givenJourney('j-it-1', SANDBOX_PAYMENT_METHODS.transientThenSucceeds);

    // Act: the first attempt fails as the workflow's Retry would see it; the retry and a redrive follow.
    await expect(handler(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    const retried = await handler(ref);
    const redriven = await handler(ref);

    // Assess
    expect(retried).toEqual({ outcome: 'PAID' });
    expect(redriven).toEqual({ outcome: 'PAID' });
    expect(chargesOf(sandbox, 'j-it-1')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-it-1')).toMatchObject({
      status: 'PAID',
      amountCents: 4000,
      chargeId: chargesOf(sandbox, 'j-it-1')[0]?.id,
      via: 'charge',
    });
    const journey = await getJourney(ref);
    expect(journey?.amounts.paidCents).toBe(4000);
    expect(journey?.stages.PAYMENT.status).toBe('COMPLETED');
  });

  it('records a decline and audits the token read and the attempt', async () => {
    // Prepare
    const ref = await givenJourney('j-it-2', SANDBOX_PAYMENT_METHODS.declines);

    // Act
    const result = await handler(ref);

    // Assess
    expect(result).toEqual({ outcome: 'DECLINED' });
    expect(await getPayment('c-1', 'j-it-2')).toMatchObject({ status: 'DECLINED', declineCode: 'generic_decline' });
    const today = new Date().toISOString().slice(0, 10);
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit('c-1', today, '').PK },
      }),
    );
    const audits = (Items ?? []).filter((a) => a.journeyId === 'j-it-2');
    // One record of the token read and the charge, written before the read; the decline as a failure record.
    expect(auditLines(audits).sort()).toEqual(['payment.charge:failure', 'submission.read+payment.charge:success']);
    expect(auditRecords(audits)).toContainEqual(
      expect.objectContaining({ actions: ['submission.read', 'payment.charge'], actor: 'function:collectPayment', patientId: 'p-1' }),
    );
  });

  it.each([['drop' as const], [502 as const]])(
    'charges once when the answer to the charge is lost (%s) and the task is retried within 24 h',
    async (how) => {
      // Prepare
      const journeyId = `j-it-lost-${how}`;
      const ref = await givenJourney(journeyId, SANDBOX_PAYMENT_METHODS.succeeds);
      const task = losing(how);

      // Act: the processor charged, we heard nothing; the workflow retries.
      await expect(task(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
      const retried = await task(ref);

      // Assess
      expect(retried).toEqual({ outcome: 'PAID' });
      expect(chargesOf(sandbox, journeyId)).toHaveLength(1);
      expect(await getPayment('c-1', journeyId)).toMatchObject({
        status: 'PAID',
        chargeId: chargesOf(sandbox, journeyId)[0]?.id,
        amountCents: 4000,
      });
      expect((await getJourney(ref))?.amounts.paidCents).toBe(4000);
    },
  );

  it('records PAID from the processor when it charged and answers 500 to every replay of the key', async () => {
    // Prepare: the processor's own 500 is stored under the key, so retrying the charge can never learn the outcome.
    const ref = await givenJourney('j-it-500', SANDBOX_PAYMENT_METHODS.chargedThenError);
    await expect(handler(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });

    // Act
    const retried = await handler(ref);

    // Assess
    expect(retried).toEqual({ outcome: 'PAID' });
    expect(chargesOf(sandbox, 'j-it-500')).toHaveLength(1);
    expect(chargeRequestsOf(sandbox, 'j-it-500')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-it-500')).toMatchObject({
      status: 'PAID',
      via: 'lookup',
      chargeId: chargesOf(sandbox, 'j-it-500')[0]?.id,
    });
  });

  it('does not charge again when staff RETRY after the processor forgot the idempotency key (> 24 h), and records PAID', async () => {
    // Prepare: the answer is lost; a day passes, the processor forgets the key.
    const ref = await givenJourney('j-it-forgotten', SANDBOX_PAYMENT_METHODS.succeeds);
    await expect(losing('drop')(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    sandbox.forgetIdempotencyKeys();
    const aDayLater = collectTask(
      stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it', now: () => new Date(Date.now() + DAY_MS + 60_000) }),
    );

    // Act
    const retried = await aDayLater(ref);

    // Assess
    expect(retried).toEqual({ outcome: 'PAID' });
    expect(chargesOf(sandbox, 'j-it-forgotten')).toHaveLength(1);
    expect(chargeRequestsOf(sandbox, 'j-it-forgotten')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-it-forgotten')).toMatchObject({
      status: 'PAID',
      via: 'lookup',
      chargeId: chargesOf(sandbox, 'j-it-forgotten')[0]?.id,
      amountCents: 4000,
    });
  });

  it('DEFER after a lost answer records the charge the processor holds and returns PAID, charging nothing', async () => {
    // Prepare
    const ref = await givenJourney('j-it-defer-paid', SANDBOX_PAYMENT_METHODS.succeeds);
    await expect(losing(502)(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });

    // Act: staff PROCEED at the park.
    const deferred = await handler({ ...ref, mode: 'DEFER' });

    // Assess
    expect(deferred).toEqual({ outcome: 'PAID' });
    expect(chargesOf(sandbox, 'j-it-defer-paid')).toHaveLength(1);
    expect(chargeRequestsOf(sandbox, 'j-it-defer-paid')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-it-defer-paid')).toMatchObject({ status: 'PAID', via: 'lookup' });
    const journey = await getJourney(ref);
    expect(journey?.amounts.paidCents).toBe(4000);
    expect(journey?.stages.PAYMENT).toMatchObject({ status: 'COMPLETED' });
    expect(journey?.stages.PAYMENT.reason).toBeUndefined();
  });

  it('DEFER with no charge at the processor returns DEFERRED and charges nothing', async () => {
    // Prepare: the processor was never reached.
    const ref = await givenJourney('j-it-defer-none', SANDBOX_PAYMENT_METHODS.succeeds);

    // Act
    const deferred = await handler({ ...ref, mode: 'DEFER' });

    // Assess
    expect(deferred).toEqual({ outcome: 'DEFERRED' });
    expect(chargeRequestsOf(sandbox, 'j-it-defer-none')).toHaveLength(0);
    expect(await getPayment('c-1', 'j-it-defer-none')).toBeUndefined();
    const journey = await getJourney(ref);
    expect(journey?.stages.PAYMENT).toMatchObject({ status: 'COMPLETED', reason: DEFERRED_REASON });
    expect(journey?.amounts.paidCents).toBeUndefined();
  });

  it('throws PaymentOutcomePending without charging again while the processor holds an unfinished charge, then records it once settled', async () => {
    // Prepare
    const ref = await givenJourney('j-it-processing', SANDBOX_PAYMENT_METHODS.processing);
    await expect(handler(ref)).rejects.toMatchObject({ name: 'PaymentOutcomePending' });

    // Act + Assess: staff RETRY and PROCEED while it is still processing.
    await expect(handler(ref)).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    await expect(handler({ ...ref, mode: 'DEFER' })).rejects.toMatchObject({ name: 'PaymentOutcomePending' });
    expect(chargeRequestsOf(sandbox, 'j-it-processing')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-it-processing')).toBeUndefined();

    // Act: the processor settles it; staff RETRY.
    const [intent] = sandbox.paymentIntents().filter((i) => i.metadata.journey === 'j-it-processing');
    sandbox.settlePaymentIntent(intent?.id ?? '', 'succeeded');
    const retried = await handler(ref);

    // Assess
    expect(retried).toEqual({ outcome: 'PAID' });
    expect(chargeRequestsOf(sandbox, 'j-it-processing')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-it-processing')).toMatchObject({ status: 'PAID', chargeId: intent?.id });
  });

  it('never sends the reason for the visit to the processor', () => {
    const requests = sandbox.requests();
    expect(requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(requests).toLowerCase()).not.toContain('knee');
  });
});

describe('Function: collectPayment while the processor search lags', () => {
  let sandbox: PaymentSandbox;

  beforeAll(async () => {
    await ensureTable(client, table.tableName);
    // Search sees nothing for ten minutes, as in a processor incident; the list API is current.
    sandbox = await startPaymentSandbox({ port: await freePort(), searchLagMs: 10 * 60_000 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('charges once when the answer is lost and the retry comes before search has caught up', async () => {
    // Prepare
    const ref = await givenJourney('j-lag-retry', SANDBOX_PAYMENT_METHODS.succeeds);
    const task = collectTask(
      stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it', fetch: losingFirstChargeResponse('drop') }),
    );
    await expect(task(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });

    // Act
    const retried = await task(ref);

    // Assess: the list found it, nothing was sent again.
    expect(retried).toEqual({ outcome: 'PAID' });
    expect(chargesOf(sandbox, 'j-lag-retry')).toHaveLength(1);
    expect(chargeRequestsOf(sandbox, 'j-lag-retry')).toHaveLength(1);
  });

  it('charges once when search is still behind hours later: within 24 h the idempotency key answers', async () => {
    // Prepare: the answer is lost; the retry comes when the attempt is too old for the list but the key is kept.
    const ref = await givenJourney('j-lag-key', SANDBOX_PAYMENT_METHODS.succeeds);
    await expect(
      collectTask(stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it', fetch: losingFirstChargeResponse('drop') }))(ref),
    ).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    const hoursLater = stripePaymentAdapter({
      baseUrl: sandbox.url,
      apiKey: 'sk_test_it',
      now: () => new Date(Date.now() + 3 * 3_600_000),
    });

    // Act
    const retried = await collectTask(hoursLater)(ref);

    // Assess: the charge was sent again with the same key and replayed, not repeated.
    expect(retried).toEqual({ outcome: 'PAID' });
    expect(chargeRequestsOf(sandbox, 'j-lag-key')).toHaveLength(2);
    expect(chargesOf(sandbox, 'j-lag-key')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-lag-key')).toMatchObject({
      status: 'PAID',
      via: 'charge',
      chargeId: chargesOf(sandbox, 'j-lag-key')[0]?.id,
    });
  });

  it('DEFER right after a lost answer still finds the charge (strongly consistent list) and returns PAID', async () => {
    // Prepare
    const ref = await givenJourney('j-lag-defer', SANDBOX_PAYMENT_METHODS.succeeds);
    const processor = stripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it', fetch: losingFirstChargeResponse(502) });
    await expect(collectTask(processor)(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });

    // Act
    const deferred = await collectTask(processor)({ ...ref, mode: 'DEFER' });

    // Assess
    expect(deferred).toEqual({ outcome: 'PAID' });
    expect(chargesOf(sandbox, 'j-lag-defer')).toHaveLength(1);
    expect(await getPayment('c-1', 'j-lag-defer')).toMatchObject({ status: 'PAID', via: 'lookup' });
  });
});

describe('Function: collectPayment across a restart of the local stack', () => {
  const directory = mkdtempSync(join(tmpdir(), 'payment-sandbox-'));
  const stateFile = join(directory, 'state.json');

  beforeAll(async () => {
    await ensureTable(client, table.tableName);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('still knows the charge after the sandbox restarts, so the retry records it and charges once', async () => {
    // Prepare: the answer is lost, then the local stack (sandbox included) restarts on another port.
    const ref = await givenJourney('j-restart', SANDBOX_PAYMENT_METHODS.succeeds);
    const before = await startPaymentSandbox({ port: await freePort(), stateFile });
    const losingTask = collectTask(
      stripePaymentAdapter({ baseUrl: before.url, apiKey: 'sk_test_it', fetch: losingFirstChargeResponse('drop') }),
    );
    await expect(losingTask(ref)).rejects.toMatchObject({ name: 'PaymentProcessorUnavailable' });
    const chargedBefore = chargesOf(before, 'j-restart');
    expect(chargedBefore).toHaveLength(1);
    await before.stop();
    const after = await startPaymentSandbox({ port: await freePort(), stateFile });

    try {
      // Act
      const retried = await collectTask(stripePaymentAdapter({ baseUrl: after.url, apiKey: 'sk_test_it' }))(ref);

      // Assess
      expect(retried).toEqual({ outcome: 'PAID' });
      expect(chargesOf(after, 'j-restart')).toEqual(chargedBefore);
      expect(chargeRequestsOf(after, 'j-restart')).toHaveLength(0);
      expect(await getPayment('c-1', 'j-restart')).toMatchObject({ status: 'PAID', via: 'lookup', chargeId: chargedBefore[0]?.id });
    } finally {
      await after.stop();
    }
  });
});
