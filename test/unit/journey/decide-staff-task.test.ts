import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeDecideStaffTask } from '#functions/journey/decide-staff-task.handler.ts';
import type { StaffTask } from '#functions/journey/staff-task-store.ts';
import { keys } from '#shared/keys.ts';
import { apiEvent, lambdaContext } from '../http/api-event.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sfnClient = new SFNClient({});
const ddb = mockClient(client);
const sfnMock = mockClient(sfnClient);
const decide = makeDecideStaffTask({ table: { client, tableName: 't' }, sfn: sfnClient, now: () => new Date('2026-12-01T12:00:00Z') });

const openTask: StaffTask = {
  type: 'StaffTask',
  clinicId: 'c1',
  taskId: 'st-1',
  journeyId: 'j1',
  kind: 'STAGE_BLOCKED',
  stage: 'ELIGIBILITY',
  reason: 'Coverage is inactive.',
  status: 'OPEN',
  createdAt: '2026-12-01T10:00:00Z',
  taskToken: 'token-1',
};

function cancelled(codes: string[]) {
  return Object.assign(new Error('cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function post(body: unknown, taskId = 'st-1') {
  const event = apiEvent({
    pathParameters: { clinicId: 'c1', taskId },
    body,
    routeKey: 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision',
  });
  return decide(event as never, lambdaContext);
}

describe('Function: decideStaffTask', () => {
  beforeEach(() => {
    ddb.reset();
    sfnMock.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: keys.staffTask('c1', 'st-1') }).resolves({ Item: openTask });
    sfnMock.on(SendTaskSuccessCommand).resolves({});
  });

  it('records the decision and the stage it leaves, then resumes the journey with it', async () => {
    const response = await post({ action: 'PROCEED', note: 'Patient will self-pay' });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ taskId: 'st-1', journeyId: 'j1', action: 'PROCEED', status: 'DECIDED' });
    const journeyUpdate = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Update;
    expect(journeyUpdate?.ExpressionAttributeValues?.[':stage']).toMatchObject({
      status: 'COMPLETED',
      reason: expect.stringContaining('without verified coverage'),
    });
    expect(JSON.stringify(journeyUpdate)).not.toContain('self-pay');
    expect(journeyUpdate?.ConditionExpression).toBe('#status = :waiting AND stages.#stage.staffTaskId = :taskId');
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'token-1',
      output: JSON.stringify({ action: 'PROCEED' }),
    });
    // The audit record commits with the decision.
    const audit = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[2]?.Put?.Item;
    expect(audit).toMatchObject({ action: 'staffTask.decide', actor: 'api-key:key-1', journeyId: 'j1' });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 409 when someone else decided first, without resuming anything', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));
    const response = await post({ action: 'RETRY' });
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('someone else');
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('expires the task when its journey is no longer waiting', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed']));
    const response = await post({ action: 'RETRY' });
    expect(response.statusCode).toBe(409);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { ExpressionAttributeValues: { ':expired': 'EXPIRED' } });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('lets a transaction conflict surface, so the request can be retried', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None']));
    expect((await post({ action: 'RETRY' })).statusCode).toBe(500);
  });

  it('expires the task and fails the resumed journey when Step Functions no longer knows the token', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('gone'), { name: 'TaskTimedOut' }));
    const response = await post({ action: 'RETRY' });
    expect(response.statusCode).toBe(409);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { ExpressionAttributeValues: { ':expired': 'EXPIRED' } });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.journey('c1', 'j1'),
      ConditionExpression: '#status = :running AND stages.#stage.staffTaskId = :taskId',
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'FAILED', ':taskId': 'st-1' }),
    });
  });

  it('keeps the decision and answers 503 when resuming fails for a reason that may pass', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const response = await post({ action: 'RETRY' });
    expect(response.statusCode).toBe(503);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('resends the same decision, and answers 200 when Step Functions shows the first send got through', async () => {
    ddb.on(GetCommand, { Key: keys.staffTask('c1', 'st-1') }).resolves({
      Item: {
        ...openTask,
        status: 'DECIDED',
        decision: { action: 'RETRY', decidedBy: 'api-key:key-1', decidedAt: '2026-12-01T11:59:00Z' },
      },
    });
    sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('gone'), { name: 'TaskTimedOut' }));
    const response = await post({ action: 'RETRY' });
    expect(response.statusCode).toBe(200);
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-1' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a different decision on a task already decided', async () => {
    ddb.on(GetCommand, { Key: keys.staffTask('c1', 'st-1') }).resolves({
      Item: {
        ...openTask,
        status: 'DECIDED',
        decision: { action: 'RETRY', decidedBy: 'api-key:key-1', decidedAt: '2026-12-01T11:59:00Z' },
      },
    });
    expect((await post({ action: 'CANCEL' })).statusCode).toBe(409);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('treats a dead token on the SDK’s own retry as delivered', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('gone'), { name: 'TaskTimedOut', $metadata: { attempts: 2 } }));
    const response = await post({ action: 'RETRY' });
    expect(response.statusCode).toBe(200);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses PROCEED for a journey parked at scheduling (there is no booking to go on with)', async () => {
    ddb.on(GetCommand, { Key: keys.staffTask('c1', 'st-1') }).resolves({ Item: { ...openTask, stage: 'SCHEDULING' } });
    const response = await post({ action: 'PROCEED' });
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('RETRY or CANCEL');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('closes a triage slip without touching Step Functions or the journey', async () => {
    const { taskToken: _none, ...slip } = openTask;
    ddb.on(GetCommand, { Key: keys.staffTask('c1', 'st-1') }).resolves({ Item: { ...slip, kind: 'TRIAGE', stage: 'INTAKE' } });
    const response = await post({ action: 'PROCEED' });
    expect(response.statusCode).toBe(200);
    // The task and its audit record; no journey update.
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toHaveLength(2);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('refuses to cancel a journey from a triage slip', async () => {
    const { taskToken: _none, ...slip } = openTask;
    ddb.on(GetCommand, { Key: keys.staffTask('c1', 'st-1') }).resolves({ Item: { ...slip, kind: 'TRIAGE', stage: 'INTAKE' } });
    expect((await post({ action: 'CANCEL' })).statusCode).toBe(409);
  });

  it('answers 400 for an unknown action and writes nothing', async () => {
    const response = await post({ action: 'MAYBE' });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].path).toBe('action');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers 404 for a task the clinic does not have', async () => {
    expect((await post({ action: 'RETRY' }, 'st-other')).statusCode).toBe(404);
  });
});
