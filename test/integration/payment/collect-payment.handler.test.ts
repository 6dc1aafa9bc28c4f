import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.PAYMENTS_BASE_URL ??= 'http://127.0.0.1:9';
  process.env.PAYMENTS_API_KEY ??= 'sk_test_unused';
});

import { makeHandler } from '#functions/payment/collect-payment.handler.ts';
import { getPayment } from '#functions/payment/payment-store.ts';
import { StripePaymentAdapter } from '#functions/payment/stripe-payment-adapter.ts';
import { ensureTable } from '#local/create-table.ts';
import { type PaymentSandbox, SANDBOX_PAYMENT_METHODS, startPaymentSandbox } from '#local/payment-sandbox/server.ts';
import { freePort } from '#local/ports.ts';
import { getJourney, newJourneyRecord } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';

const client = new DynamoDBClient({});
const table = { client: DynamoDBDocumentClient.from(client), tableName: `payment-it-${Date.now()}` };

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

describe('Function: collectPayment on DynamoDB Local and the payment sandbox', () => {
  let sandbox: PaymentSandbox;
  let handler: ReturnType<typeof makeHandler>;

  beforeAll(async () => {
    await ensureTable(client, table.tableName);
    sandbox = await startPaymentSandbox({ port: await freePort() });
    handler = makeHandler({ table, payments: new StripePaymentAdapter({ baseUrl: sandbox.url, apiKey: 'sk_test_it' }) });
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
    expect(sandbox.charges().filter((c) => c.idempotencyKey === 'journey-j-it-1-visit-charge')).toHaveLength(1);
    expect(await getPayment(table, 'c-1', 'j-it-1')).toMatchObject({
      status: 'PAID',
      amountCents: 4000,
      chargeId: sandbox.charges().at(-1)?.id,
    });
    const journey = await getJourney(table, ref);
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
    expect(await getPayment(table, 'c-1', 'j-it-2')).toMatchObject({ status: 'DECLINED', declineCode: 'generic_decline' });
    const today = new Date().toISOString().slice(0, 10);
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit('c-1', today, '').PK },
      }),
    );
    const audits = (Items ?? []).filter((a) => a.journeyId === 'j-it-2');
    expect(audits.map((a) => `${a.action}:${a.outcome}`).sort()).toEqual(['payment.charge:failure', 'submission.read:success']);
    expect(audits).toContainEqual(
      expect.objectContaining({ action: 'submission.read', actor: 'function:collectPayment', patientId: 'p-1' }),
    );
  });

  it('never sends the reason for the visit to the processor', () => {
    const requests = sandbox.requests();
    expect(requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(requests).toLowerCase()).not.toContain('knee');
  });
});
