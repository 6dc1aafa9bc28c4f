import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeGetJourney } from '#functions/journey/get-journey.handler.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { keys } from '#shared/keys.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const getJourney = makeGetJourney({ client, tableName: 't' });

function request(pathClinic: string, authorizedClinic: string, journeyId = 'j1') {
  const event = {
    pathParameters: { clinicId: pathClinic, journeyId },
    requestContext: { authorizer: { lambda: { clinicId: authorizedClinic, keyId: 'k1' } } },
  };
  return getJourney(event as never, {} as Context);
}

describe('Function: getJourney', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: keys.journey('c1', 'j1') }).resolves({
      Item: newJourneyRecord({ clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' }, new Date('2026-12-01T10:00:00Z')),
    });
  });

  it('returns the journey view and leaves an audit record', async () => {
    const response = await request('c1', 'c1');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ journeyId: 'j1', status: 'RUNNING' });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ action: 'journey.read', actor: 'api-key:k1', journeyId: 'j1' }),
    });
  });

  it('answers 404 for a journey the clinic does not have', async () => {
    const response = await request('c1', 'c1', 'other');
    expect(response.statusCode).toBe(404);
  });

  it('answers 403 when the authorized clinic is not the one in the path', async () => {
    const response = await request('c1', 'c2');
    expect(response.statusCode).toBe(403);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it.each(BAD_PATH_IDS)('answers 400 for a journey ID with %s without reading the table', async (_case, journeyId) => {
    // Act
    const response = await request('c1', 'c1', journeyId);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ errors: [{ path: 'path.journeyId', message: expect.any(String) }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 400 for an over-long clinic ID, even one the authorizer context repeats, without reading the table', async () => {
    // Prepare
    const clinicId = 'c'.repeat(2100);

    // Act
    const response = await request(clinicId, clinicId);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([{ path: 'path.clinicId', message: expect.any(String) }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 503 with Retry-After when DynamoDB is unreachable', async () => {
    // Prepare
    ddb.on(GetCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }));

    // Act
    const response = await request('c1', 'c1');

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).not.toContain('ECONNREFUSED');
  });
});
