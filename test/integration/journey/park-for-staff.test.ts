import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StaffDecision } from '#contract/journey-workflow.ts';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { stageAfterDecision } from '#functions/journey/staff-decision.ts';
import { ensureTable } from '#local/create-table.ts';
import { newJourneyRecord, type StageState } from '#model/journey.ts';
import { getJourney } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { getStaffTask, type StaffTask, staffTaskId } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';

const clinicId = 'clinic-park';
const now = new Date('2026-12-01T10:00:00.000Z');
// Only SNS and Step Functions are mocked; the task, its alert mark and the journey live in DynamoDB Local.
const snsClient = new SNSClient({});
const snsMock = mockClient(snsClient);
const sfnClient = new SFNClient({});
const sfnMock = mockClient(sfnClient);
let table: TableRef;
let park: ReturnType<typeof makeParkForStaff>;

beforeAll(async () => {
  const client = new DynamoDBClient({});
  const tableName = `park-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  table = { client: DynamoDBDocumentClient.from(client), tableName };
  park = makeParkForStaff({
    table,
    alerts: snsStaffAlerts(snsClient, 'arn:aws:sns:us-east-1:000000000000:staff'),
    sfn: sfnClient,
    now: () => now,
  });
});

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
});

async function seedJourney(payment?: StageState) {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, now);
  if (payment) journey.stages.PAYMENT = payment;
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

  describe('after staff chose RETRY on an execution that stopped while parking', () => {
    async function seedRetriedStop(action: StaffDecision['action']) {
      const stopped: StaffTask = {
        type: 'StaffTask',
        clinicId,
        taskId: staffTaskId(`stop-${randomUUID()}`),
        journeyId: 'set below',
        kind: 'EXECUTION_STOPPED',
        stage: 'PAYMENT',
        reason: "Payment: the journey's workflow failed (AwsServiceUnavailable). RETRY resumes it where it stopped.",
        status: 'DECIDED',
        createdAt: now.toISOString(),
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:journey:j',
        decision: { action, decidedBy: 'api-key:k1', decidedAt: now.toISOString() },
      };
      const request = await seedJourney(stageAfterDecision(stopped, 'RETRY', now.toISOString()));
      await table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...keys.staffTask(clinicId, stopped.taskId), ...stopped, journeyId: request.journeyId },
        }),
      );
      return { request: { ...request, error: { Error: 'AwsServiceUnavailable' } }, stopped };
    }

    it('carries out that RETRY at once instead of asking staff again, and only once', async () => {
      // Prepare
      const { request, stopped } = await seedRetriedStop('RETRY');

      // Act
      await park(request);
      const answered = sfnMock.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input);
      const stageAfter = (await getJourney(table, request))?.stages.PAYMENT;
      const next = await park({ ...request, taskToken: `${request.taskToken}-next` });

      // Assess: the first park answered its own token with RETRY and opened no task; the next one parks as usual.
      expect(answered).toEqual([{ taskToken: request.taskToken, output: JSON.stringify({ action: 'RETRY' }) }]);
      expect(stageAfter).toEqual({ status: 'IN_PROGRESS', at: now.toISOString(), reason: 'Retried by staff.' });
      expect(await getStaffTask(table, clinicId, staffTaskId(request.taskToken))).toBeUndefined();
      expect(await getStaffTask(table, clinicId, stopped.taskId)).toMatchObject({ status: 'DECIDED' });
      expect(next.taskId).toBe(staffTaskId(`${request.taskToken}-next`));
      expect(await getJourney(table, request)).toMatchObject({
        status: 'WAITING_FOR_STAFF',
        stages: {
          PAYMENT: { status: 'WAITING_FOR_STAFF', staffTaskId: next.taskId, reason: expect.stringContaining('AwsServiceUnavailable') },
        },
      });
      expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
      expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    });

    it('parks as usual when the stage refers to a task that was not a RETRY of a stopped execution', async () => {
      // Prepare: a CANCEL decision on the stopped execution (not a RETRY) left on the stage.
      const { request } = await seedRetriedStop('CANCEL');

      // Act
      const { taskId } = await park(request);

      // Assess
      expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
      expect(taskId).toBe(staffTaskId(request.taskToken));
      expect((await getJourney(table, request))?.status).toBe('WAITING_FOR_STAFF');
    });
  });
});
