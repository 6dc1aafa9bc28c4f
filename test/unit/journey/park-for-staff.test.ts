import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { newJourneyRecord } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const snsClient = new SNSClient({});
const ddb = mockClient(client);
const snsMock = mockClient(snsClient);
const park = makeParkForStaff({
  table: { client, tableName: 't' },
  sns: snsClient,
  staffAlertsTopicArn: 'arn:topic',
  now: () => new Date('2026-12-01T10:00:00Z'),
});

const journey = newJourneyRecord(
  { clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' },
  new Date('2026-12-01T09:00:00Z'),
);
journey.stages.ELIGIBILITY = { status: 'WAITING_FOR_STAFF', at: '2026-12-01T09:59:00Z', reason: 'Coverage is inactive (plan status 6).' };

describe('Function: parkForStaff', () => {
  beforeEach(() => {
    ddb.reset();
    snsMock.reset();
    ddb.on(GetCommand, { Key: keys.journey('c1', 'j1') }).resolves({ Item: journey });
  });

  it('opens a task holding the token, marks the journey waiting and alerts staff with IDs only', async () => {
    const result = await park({ clinicId: 'c1', journeyId: 'j1', stage: 'ELIGIBILITY', taskToken: 'token-1', error: {} });

    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        taskId: result.taskId,
        taskToken: 'token-1',
        status: 'OPEN',
        reason: 'Coverage is inactive (plan status 6).',
      }),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.journey('c1', 'j1'),
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'WAITING_FOR_STAFF' }),
    });
    const message = JSON.parse(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}');
    expect(message).toEqual({ kind: 'STAGE_BLOCKED', clinicId: 'c1', journeyId: 'j1', taskId: result.taskId, stage: 'ELIGIBILITY' });
  });

  it('names the error when the stage failed after its retries', async () => {
    await park({
      clinicId: 'c1',
      journeyId: 'j1',
      stage: 'ELIGIBILITY',
      taskToken: 'token-1',
      error: { Error: 'ClearinghouseUnavailable', Cause: 'member W123 …' },
    });
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item?.reason).toContain('ClearinghouseUnavailable');
    expect(put?.Item?.reason).not.toContain('W123');
  });

  it('does not alert twice when the invocation is retried', async () => {
    ddb.on(PutCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    const result = await park({ clinicId: 'c1', journeyId: 'j1', stage: 'ELIGIBILITY', taskToken: 'token-1', error: {} });
    const again = await park({ clinicId: 'c1', journeyId: 'j1', stage: 'ELIGIBILITY', taskToken: 'token-1', error: {} });
    expect(again.taskId).toBe(result.taskId);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});
