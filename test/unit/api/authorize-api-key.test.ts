import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeAuthorizer } from '#functions/api/authorize-api-key.handler.ts';
import { hashApiKey } from '#shared/http/api-key.ts';
import { keys } from '#shared/keys.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const authorize = makeAuthorizer({ client, tableName: 'table' });

function event(headers: Record<string, string>, clinicId?: string): APIGatewayRequestAuthorizerEventV2 {
  return { headers, pathParameters: clinicId !== undefined ? { clinicId } : undefined } as unknown as APIGatewayRequestAuthorizerEventV2;
}

describe('Function: authorizeApiKey', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: keys.apiKey('clinic-a', hashApiKey('key-a')) }).resolves({ Item: { keyId: 'k1' } });
  });

  it('authorizes a key for the clinic in the path and passes the clinic on', async () => {
    const result = await authorize(event({ 'x-api-key': 'key-a' }, 'clinic-a'));
    expect(result).toEqual({ isAuthorized: true, context: { clinicId: 'clinic-a', keyId: 'k1' } });
  });

  it("denies clinic A's key on clinic B's path", async () => {
    const result = await authorize(event({ 'x-api-key': 'key-a' }, 'clinic-b'));
    expect(result.isAuthorized).toBe(false);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: keys.apiKey('clinic-b', hashApiKey('key-a')) });
  });

  it('denies a request without a key without reading the table', async () => {
    const result = await authorize(event({}, 'clinic-a'));
    expect(result.isAuthorized).toBe(false);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('denies a revoked key', async () => {
    ddb.on(GetCommand, { Key: keys.apiKey('clinic-a', hashApiKey('key-a')) }).resolves({ Item: { keyId: 'k1', revokedAt: '2026-01-01' } });
    expect((await authorize(event({ 'x-api-key': 'key-a' }, 'clinic-a'))).isAuthorized).toBe(false);
  });

  it.each(BAD_PATH_IDS)('denies a clinic ID with %s without reading the table', async (_case, clinicId) => {
    // Act
    const result = await authorize(event({ 'x-api-key': 'key-a' }, clinicId));

    // Assess
    expect(result).toEqual({ isAuthorized: false, context: {} });
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('denies a request without a clinic in the path without reading the table', async () => {
    // Act
    const result = await authorize(event({ 'x-api-key': 'key-a' }));

    // Assess
    expect(result.isAuthorized).toBe(false);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });
});
