import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeScreenIntake } from '#functions/intake/screen-intake.handler.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { keys } from '#shared/keys.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { staffTaskId } from '#shared/staff-task-store.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const snsClient = new SNSClient({});
const ddb = mockClient(client);
const snsMock = mockClient(snsClient);
const now = new Date('2026-12-01T10:00:00Z');
const screen = makeScreenIntake({ table: { client, tableName: 't' }, alerts: snsStaffAlerts(snsClient, 'arn:topic'), now: () => now });
const ref = { clinicId: 'c1', journeyId: 'j1' };
const slipKey = keys.staffTask('c1', staffTaskId('c1#j1#TRIAGE'));
let table: ReturnType<typeof inMemoryTable>;

function givenScreening(screening: Record<string, boolean>) {
  table.seed(keys.journey('c1', 'j1'), newJourneyRecord({ ...ref, submissionId: 's1', patientId: 'p1' }, now));
  table.seed(keys.submission('c1', 's1'), { type: 'Submission', screening });
}
const auditActions = () => table.audits().map((a) => a.action);

describe('Function: screenIntake', () => {
  beforeEach(() => {
    ddb.reset();
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    table = inMemoryTable(ddb);
  });

  it('completes intake without an alert when no red flag is raised', async () => {
    // Prepare
    givenScreening({ chestPainNow: false });

    // Act
    const result = await screen(ref);

    // Assess
    expect(result).toEqual({ outcome: 'NO_RISK' });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':stage': expect.objectContaining({ status: 'COMPLETED' }) }),
    });
    expect(table.get(slipKey)).toBeUndefined();
  });

  it('reads only the screening answers, and audits the read', async () => {
    // Prepare
    givenScreening({ chestPainNow: false });

    // Act
    await screen(ref);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: keys.submission('c1', 's1'),
      ProjectionExpression: '#SK, #screening',
      ExpressionAttributeNames: { '#SK': 'SK', '#screening': 'screening' },
    });
    expect(table.audits()).toEqual([
      expect.objectContaining({ action: 'submission.read', actor: 'function:screenIntake', journeyId: 'j1', patientId: 'p1' }),
    ]);
  });

  it('opens a triage slip and alerts staff without quoting the answers', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });

    // Act
    const result = await screen(ref);

    // Assess
    expect(result).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(table.get(slipKey)).toMatchObject({ kind: 'TRIAGE', status: 'OPEN', journeyId: 'j1' });
    const alert = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(alert?.Subject).toBe('Triage EMERGENT: clinical review needed');
    expect(JSON.parse(alert?.Message ?? '{}')).toEqual({
      kind: 'TRIAGE',
      level: 'EMERGENT',
      clinicId: 'c1',
      journeyId: 'j1',
      taskId: staffTaskId('c1#j1#TRIAGE'),
    });
    expect(alert?.Message).not.toContain('chestPain');
    expect(auditActions()).toEqual(['submission.read', 'staffTask.create']);
  });

  it('publishes once and records when the alert was sent', async () => {
    // Prepare
    givenScreening({ fallInLast30Days: true });

    // Act
    await screen(ref);

    // Assess
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(table.get(slipKey)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('does not publish again when retried after a successful alert', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    await screen(ref);

    // Act
    const again = await screen(ref);

    // Assess
    expect(again).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(auditActions()).toEqual(['submission.read', 'staffTask.create', 'submission.read']);
  });

  it('publishes on the retry when the first attempt could not publish', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    snsMock.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    await expect(screen(ref)).rejects.toThrow();

    // Act
    const retried = await screen(ref);

    // Assess
    expect(retried).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(table.get(slipKey)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('throws MessagingUnavailable and leaves intake open when SNS fails', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('Not authorized'), { name: 'AuthorizationErrorException' }));

    // Act
    const screening = screen(ref);

    // Assess
    await expect(screening).rejects.toMatchObject({ name: 'MessagingUnavailable' });
    expect(table.get(slipKey)).not.toHaveProperty('alertedAt');
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({ stages: { INTAKE: { status: 'IN_PROGRESS' } } });
    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, { Key: keys.journey('c1', 'j1'), ConditionExpression: '#attempt = :attempt' });
  });

  it('does not alert for a slip a clinician has already reviewed', async () => {
    // Prepare: the first alert failed, but the slip was seen in the queue and decided before the retry.
    givenScreening({ chestPainNow: true });
    table.seed(slipKey, { type: 'StaffTask', taskId: staffTaskId('c1#j1#TRIAGE'), status: 'DECIDED' });

    // Act
    const result = await screen(ref);

    // Assess
    expect(result).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(ddb).not.toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'staffTask.create' }) });
  });

  it('throws StaleAttempt and leaves the newer attempt’s intake when a retry claimed the journey meanwhile', async () => {
    // Prepare: while this attempt reads the answers, a retry of the task claims the journey and completes intake.
    givenScreening({ chestPainNow: false });
    const newer = { status: 'COMPLETED', at: '2026-12-01T10:00:05.000Z' };
    table.beforeNext('Get', () =>
      table.change(keys.journey('c1', 'j1'), (item) => {
        item.attempt = (item.attempt as number) + 1;
        (item.stages as Record<string, unknown>).INTAKE = newer;
      }),
    );

    // Act
    const screening = screen(ref);

    // Assess
    await expect(screening).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({ attempt: 2, stages: { INTAKE: newer } });
  });
});
