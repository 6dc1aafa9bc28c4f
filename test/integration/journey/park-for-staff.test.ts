import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { getStaffTask, staffTaskId } from '#functions/journey/staff-task-store.ts';
import { ensureTable } from '#local/create-table.ts';
import { getJourney, newJourneyRecord } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

const clinicId = 'clinic-park';
const now = new Date('2026-12-01T10:00:00.000Z');
// Only SNS is mocked; the task, its alert mark and the journey live in DynamoDB Local.
const snsClient = new SNSClient({});
const snsMock = mockClient(snsClient);
let table: TableRef;
let park: ReturnType<typeof makeParkForStaff>;

beforeAll(async () => {
  const client = new DynamoDBClient({});
  const tableName = `park-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  table = { client: DynamoDBDocumentClient.from(client), tableName };
  park = makeParkForStaff({ table, sns: snsClient, staffAlertsTopicArn: 'arn:aws:sns:us-east-1:000000000000:staff', now: () => now });
});

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

async function seedJourney() {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, now);
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return { clinicId, journeyId, stage: 'PAYMENT' as const, taskToken: `token-${journeyId}`, error: {} };
}

async function staffTaskAudits(journeyId: string) {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      FilterExpression: 'journeyId = :journeyId AND #action = :action',
      ExpressionAttributeNames: { '#action': 'action' },
      ExpressionAttributeValues: {
        ':pk': keys.audit(clinicId, now.toISOString().slice(0, 10), '').PK,
        ':journeyId': journeyId,
        ':action': 'staffTask.create',
      },
    }),
  );
  return Items;
}

describe('Function: parkForStaff on DynamoDB Local', () => {
  it('parks even when SNS fails, alerts on a later park of the task, then never again', async () => {
    // Prepare
    const request = await seedJourney();
    snsMock.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));

    // Act
    const failed = await park(request);
    const afterFailure = await getStaffTask(table, clinicId, staffTaskId(request.taskToken));
    const retried = await park(request);
    const redriven = await park(request);

    // Assess
    expect(failed.taskId).toBe(staffTaskId(request.taskToken));
    expect(afterFailure).toMatchObject({ status: 'OPEN' });
    expect(afterFailure).not.toHaveProperty('alertedAt');
    expect(redriven).toEqual(retried);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(await getStaffTask(table, clinicId, retried.taskId)).toMatchObject({
      status: 'OPEN',
      taskToken: request.taskToken,
      alertedAt: now.toISOString(),
    });
    expect((await getJourney(table, request))?.status).toBe('WAITING_FOR_STAFF');
    // One audit per alert attempt: the failed one and its retry.
    expect(await staffTaskAudits(request.journeyId)).toHaveLength(2);
  });

  it('alerts once when parked and retried', async () => {
    // Prepare
    const request = await seedJourney();

    // Act
    await park(request);
    await park(request);

    // Assess
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(await staffTaskAudits(request.journeyId)).toEqual([
      expect.objectContaining({ actor: 'function:parkForStaff', patientId: `p-${request.journeyId}`, outcome: 'success' }),
    ]);
  });

  it('keeps the task staff already see, with the new token, when Step Functions retries the park with a new token', async () => {
    // Prepare
    const request = await seedJourney();
    snsMock.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    await park(request);

    // Act
    const retried = await park({ ...request, taskToken: `${request.taskToken}-retry` });

    // Assess
    expect(retried.taskId).toBe(staffTaskId(request.taskToken));
    expect(await getStaffTask(table, clinicId, retried.taskId)).toMatchObject({ status: 'OPEN', taskToken: `${request.taskToken}-retry` });
    expect(await getStaffTask(table, clinicId, staffTaskId(`${request.taskToken}-retry`))).toBeUndefined();
    expect((await getJourney(table, request))?.stages.PAYMENT).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: retried.taskId });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });
});
