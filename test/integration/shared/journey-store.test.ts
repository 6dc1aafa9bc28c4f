import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { ensureTable } from '#local/create-table.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { beginAttempt, closeJourney, getJourney, holdStoppedJourney, updateStage } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import type { TableRef } from '#shared/table.ts';

const clinicId = 'clinic-fence';
const now = new Date('2026-12-01T10:00:00.000Z');
const later = new Date('2026-12-01T10:05:00.000Z');
let table: TableRef;

beforeAll(async () => {
  const client = new DynamoDBClient({});
  const tableName = `fence-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  table = { client: DynamoDBDocumentClient.from(client), tableName };
});

/** A new journey as submitIntake writes it (attempt 0). */
/** An SNS client whose publishes succeed (the park alerts staff). */
function parkSns(): SNSClient {
  const client = new SNSClient({});
  mockClient(client).on(PublishCommand).resolves({ MessageId: 'm-1' });
  return client;
}

async function seedJourney(): Promise<{ clinicId: string; journeyId: string }> {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, now);
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return { clinicId, journeyId };
}

const read = async (ref: { clinicId: string; journeyId: string }) => (await getJourney(table, ref, { consistent: true })) as JourneyRecord;

describe('Journey store: fenced writes on DynamoDB Local', () => {
  it('gives each claim the next attempt and returns the journey as of the claim', async () => {
    // Prepare
    const ref = await seedJourney();
    const first = await beginAttempt(table, ref);
    await updateStage(table, first, 'INTAKE', { status: 'COMPLETED' }, now);

    // Act
    const second = await beginAttempt(table, ref);

    // Assess
    expect(first.attempt).toBe(1);
    expect(second.attempt).toBe(2);
    expect(second.stages.INTAKE.status).toBe('COMPLETED');
    expect(second).toMatchObject({ clinicId, journeyId: ref.journeyId, status: 'RUNNING' });
  });

  it('hands out distinct attempts to concurrent claims', async () => {
    // Prepare
    const ref = await seedJourney();

    // Act
    const claims = await Promise.all(Array.from({ length: 10 }, () => beginAttempt(table, ref)));

    // Assess
    expect(claims.map((c) => c.attempt).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await read(ref)).attempt).toBe(10);
  });

  it('refuses the write of an attempt a newer attempt has overtaken, keeping the newer write', async () => {
    // Prepare: attempt 1 claims; its call outlives the state's timeout and attempt 2 (the retry) claims and writes.
    const ref = await seedJourney();
    const attempt1 = await beginAttempt(table, ref);
    const attempt2 = await beginAttempt(table, ref);
    await updateStage(table, attempt2, 'INTAKE', { status: 'COMPLETED', reason: 'attempt 2' }, later);

    // Act
    const lateWrite = updateStage(
      table,
      attempt1,
      'INTAKE',
      { status: 'WAITING_FOR_STAFF', reason: 'attempt 1', journeyStatus: 'WAITING_FOR_STAFF' },
      now,
    );

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ref)).toMatchObject({
      status: 'RUNNING',
      attempt: 2,
      updatedAt: later.toISOString(),
      stages: { INTAKE: { status: 'COMPLETED', reason: 'attempt 2', at: later.toISOString() } },
    });
  });

  it('refuses the write of an overtaken attempt even before the newer attempt has written anything', async () => {
    // Prepare
    const ref = await seedJourney();
    const attempt1 = await beginAttempt(table, ref);
    await beginAttempt(table, ref);
    const before = await read(ref);

    // Act
    const lateWrite = updateStage(table, attempt1, 'INTAKE', { status: 'COMPLETED' }, later);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ref)).toEqual(before);
  });

  it('lets the current attempt write more than once (a stage may record progress, then its end)', async () => {
    // Prepare
    const ref = await seedJourney();
    const attempt = await beginAttempt(table, ref);
    await updateStage(table, attempt, 'SCHEDULING', { status: 'IN_PROGRESS' }, now);

    // Act
    await updateStage(table, attempt, 'SCHEDULING', { status: 'COMPLETED', amounts: { dueCents: 1500 } }, later);

    // Assess
    expect(await read(ref)).toMatchObject({ attempt: 1, stages: { SCHEDULING: { status: 'COMPLETED' } }, amounts: { dueCents: 1500 } });
  });

  it('throws JourneyNotFound for a claim of a journey that does not exist, creating nothing', async () => {
    // Prepare
    const ref = { clinicId, journeyId: randomUUID() };

    // Act
    const claim = beginAttempt(table, ref);

    // Assess
    await expect(claim).rejects.toMatchObject({ name: 'JourneyNotFound' });
    expect(await getJourney(table, ref, { consistent: true })).toBeUndefined();
  });

  it('refuses a stage write to a journey that does not exist, creating nothing', async () => {
    // Prepare
    const ref = { clinicId, journeyId: randomUUID(), attempt: 1 };

    // Act
    const write = updateStage(table, ref, 'INTAKE', { status: 'COMPLETED' }, now);

    // Assess
    await expect(write).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await getJourney(table, ref, { consistent: true })).toBeUndefined();
  });

  it('fences every attempt still running once the journey is closed', async () => {
    // Prepare
    const ref = await seedJourney();
    const running = await beginAttempt(table, ref);
    expect(await closeJourney(table, ref, { status: 'CANCELLED', stages: {}, removeAppointment: false }, later)).toBe(true);

    // Act
    const lateWrite = updateStage(table, running, 'INTAKE', { status: 'COMPLETED', journeyStatus: 'RUNNING' }, later);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ref)).toMatchObject({ status: 'CANCELLED', attempt: 2, stages: { INTAKE: { status: 'IN_PROGRESS' } } });
  });

  it('closes a journey once: the same outcome again changes only the fence, another outcome is refused', async () => {
    // Prepare
    const ref = await seedJourney();
    await closeJourney(table, ref, { status: 'COMPLETED', stages: {}, removeAppointment: false }, later);
    const closed = await read(ref);

    // Act
    const again = await closeJourney(table, ref, { status: 'COMPLETED', stages: {}, removeAppointment: false }, later);
    const otherwise = await closeJourney(table, ref, { status: 'FAILED', stages: {}, removeAppointment: false }, later);

    // Assess
    expect(again).toBe(true);
    expect(otherwise).toBe(false);
    expect(await read(ref)).toEqual({ ...closed, attempt: closed.attempt + 1 });
  });

  it('holds an open journey for staff, fencing the attempt that was running, and leaves an ended one alone', async () => {
    // Prepare
    const open = await seedJourney();
    const running = await beginAttempt(table, open);
    const ended = await seedJourney();
    await closeJourney(table, ended, { status: 'COMPLETED', stages: {}, removeAppointment: false }, now);
    const endedBefore = await read(ended);
    const state = { status: 'WAITING_FOR_STAFF' as const, at: later.toISOString(), reason: 'stopped', staffTaskId: 'st-stop' };

    // Act
    const heldOpen = await holdStoppedJourney(table, open, 'INTAKE', state, later);
    const heldEnded = await holdStoppedJourney(table, ended, 'INTAKE', state, later);

    // Assess
    expect(heldOpen).toBe(true);
    expect(heldEnded).toBe(false);
    expect(await read(open)).toMatchObject({ status: 'WAITING_FOR_STAFF', attempt: 2, stages: { INTAKE: state } });
    await expect(updateStage(table, running, 'INTAKE', { status: 'COMPLETED' }, later)).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ended)).toEqual(endedBefore);
  });
});

describe('Journey store: a park fences the stage attempt it replaced (parkForStaff on DynamoDB Local)', () => {
  it('keeps the journey parked when the stage call that timed out finishes late', async () => {
    // Prepare: the stage task claims the journey, Step Functions times the state out and its Catch parks the journey.
    const snsClient = new SNSClient({});
    mockClient(snsClient).on(PublishCommand).resolves({ MessageId: 'm-1' });
    const park = makeParkForStaff({
      table,
      alerts: snsStaffAlerts(snsClient, 'arn:aws:sns:us-east-1:000000000000:staff'),
      sfn: new SFNClient({}),
      now: () => later,
    });
    const ref = await seedJourney();
    const timedOut = await beginAttempt(table, ref);
    const { taskId } = await park({ ...ref, stage: 'INTAKE', taskToken: `token-${ref.journeyId}`, error: { Error: 'States.Timeout' } });

    // Act: the stage call that timed out still runs, and tries to record its result.
    const lateWrite = updateStage(table, timedOut, 'INTAKE', { status: 'COMPLETED' }, later);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ref)).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      attempt: 2,
      stages: { INTAKE: { status: 'WAITING_FOR_STAFF', staffTaskId: taskId, reason: expect.stringContaining('States.Timeout') } },
    });
  });

  it('refuses a stage call that only starts after the journey parked, and lets the park claim it again', async () => {
    // Prepare: the stage's state timed out before its invocation even started, and the Catch parked the journey.
    const park = makeParkForStaff({
      table,
      alerts: snsStaffAlerts(parkSns(), 'arn:aws:sns:us-east-1:000000000000:staff'),
      sfn: new SFNClient({}),
      now: () => later,
    });
    const ref = await seedJourney();
    const request = { ...ref, stage: 'INTAKE' as const, taskToken: `token-${ref.journeyId}`, error: { Error: 'States.Timeout' } };
    const { taskId } = await park(request);

    // Act: the stage invocation starts late; then Step Functions retries the park with a new token.
    const lateStart = await beginAttempt(table, ref).catch((error: Error) => error);
    const repark = await park({ ...request, taskToken: `${request.taskToken}-retry` });

    // Assess
    expect(lateStart).toMatchObject({ name: 'StaleAttempt' });
    expect(repark.taskId).toBe(taskId);
    expect(await read(ref)).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      stages: { INTAKE: { status: 'WAITING_FOR_STAFF', staffTaskId: taskId } },
    });
  });

  it('refuses any task attempt once the journey has ended, and reports a missing journey as not found', async () => {
    // Prepare
    const ref = await seedJourney();
    const running = await beginAttempt(table, ref);
    await closeJourney(table, ref, { status: 'CANCELLED', stages: {}, removeAppointment: false }, later);

    // Act
    const refused = (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'claimed',
        (error: Error) => error.name,
      );
    const afterEnd = await refused(beginAttempt(table, ref));
    const parkAfterEnd = await refused(beginAttempt(table, ref, { parking: true }));
    const missing = await refused(beginAttempt(table, { clinicId: ref.clinicId, journeyId: 'no-such-journey' }));

    // Assess
    expect(running.attempt).toBe(1);
    expect([afterEnd, parkAfterEnd, missing]).toEqual(['StaleAttempt', 'StaleAttempt', 'JourneyNotFound']);
  });
});
