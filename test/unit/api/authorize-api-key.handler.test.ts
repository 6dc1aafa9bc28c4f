import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoApiKeyStore } from '#functions/api/api-key-store.ts';
import { makeAuthorizeApiKey } from '#functions/api/authorize-api-key.handler.ts';
import { hashApiKey } from '#shared/http/api-key.ts';
import { keys } from '#shared/keys.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const authorizer = makeAuthorizeApiKey({ apiKeys: dynamoApiKeyStore({ client, tableName: 'table' }) });
let table: ReturnType<typeof inMemoryTable>;

const authorize = (headers: Record<string, string>, clinicId?: string) =>
  authorizer(
    { headers, pathParameters: clinicId !== undefined ? { clinicId } : undefined } as unknown as APIGatewayRequestAuthorizerEventV2,
    lambdaContext,
  );
/** Clinic A's key "key-a", as the clinic loader stores it. */
const givenKey = (fields: object = {}) =>
  table.seed(keys.apiKey('clinic-a', hashApiKey('key-a')), {
    type: 'ApiKey',
    clinicId: 'clinic-a',
    keyId: 'k1',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  });

describe('Function: authorizeApiKey', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
    givenKey();
  });

  it('authorizes a key for the clinic in the path and passes the clinic on', async () => {
    // Act
    const result = await authorize({ 'x-api-key': 'key-a' }, 'clinic-a');

    // Assess
    expect(result).toEqual({ isAuthorized: true, context: { clinicId: 'clinic-a', keyId: 'k1' } });
  });

  it("denies clinic A's key on clinic B's path", async () => {
    // Act
    const result = await authorize({ 'x-api-key': 'key-a' }, 'clinic-b');

    // Assess
    expect(result).toEqual({ isAuthorized: false, context: {} });
  });

  it('denies a key that is not stored', async () => {
    // Act
    const result = await authorize({ 'x-api-key': 'key-b' }, 'clinic-a');

    // Assess
    expect(result).toEqual({ isAuthorized: false, context: {} });
  });

  it('denies a request without a key without reading the table', async () => {
    // Act
    const result = await authorize({}, 'clinic-a');

    // Assess
    expect(result.isAuthorized).toBe(false);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('denies a revoked key', async () => {
    // Prepare
    givenKey({ revokedAt: '2026-01-01' });

    // Act
    const result = await authorize({ 'x-api-key': 'key-a' }, 'clinic-a');

    // Assess
    expect(result).toEqual({ isAuthorized: false, context: {} });
  });

  it.each(BAD_PATH_IDS)('denies a clinic ID with %s without reading the table', async (_case, clinicId) => {
    // Act
    const result = await authorize({ 'x-api-key': 'key-a' }, clinicId);

    // Assess
    expect(result).toEqual({ isAuthorized: false, context: {} });
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('denies a request without a clinic in the path without reading the table', async () => {
    // Act
    const result = await authorize({ 'x-api-key': 'key-a' });

    // Assess
    expect(result.isAuthorized).toBe(false);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });
});
