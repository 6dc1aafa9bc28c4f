import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { fakeJourneyEngine, fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { stoppedAt } from '#test/support/fixtures/stage-stop.ts';
import { localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-fence';
const now = new Date('2026-12-01T10:00:00.000Z');
const later = new Date('2026-12-01T10:05:00.000Z');

const table = await localTable('fence');
const journeys = dynamoJourneyStore(table);

/** parkForStaff as the workflow invokes it, with in-memory alerts and engine (the journey and its task on DynamoDB Local). */
function parkForStaff() {
  return makeParkForStaff({
    journeys,
    tasks: dynamoStaffTaskStore(table),
    audit: dynamoAuditLog(table),
    alerts: fakeStaffAlerts().port,
    engine: fakeJourneyEngine().port,
    now: () => later,
  });
}

async function seedJourney(): Promise<{ clinicId: string; journeyId: string }> {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, now);
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return { clinicId, journeyId };
}

const read = async (ref: { clinicId: string; journeyId: string }) => (await journeys.get(ref, { consistent: true })) as JourneyRecord;

describe('Journey store: fenced writes on DynamoDB Local', () => {
  it('gives each claim the next attempt and returns the journey as of the claim', async () => {
    // Prepare
    const ref = await seedJourney();
    const first = await journeys.beginAttempt(ref);
    await journeys.updateStage(first, 'INTAKE', { status: 'COMPLETED' }, now);

    // Act
    const second = await journeys.beginAttempt(ref);

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
    const claims = await Promise.all(Array.from({ length: 10 }, () => journeys.beginAttempt(ref)));

    // Assess
    expect(claims.map((c) => c.attempt).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await read(ref)).attempt).toBe(10);
  });

  it('refuses the write of an attempt a newer attempt has overtaken, keeping the newer write', async () => {
    // Prepare: attempt 1 claims; its call outlives the state's timeout and attempt 2 (the retry) claims and writes.
    const ref = await seedJourney();
    const attempt1 = await journeys.beginAttempt(ref);
    const attempt2 = await journeys.beginAttempt(ref);
    await journeys.updateStage(attempt2, 'INTAKE', { status: 'COMPLETED', reason: 'attempt 2' }, later);

    // Act
    const lateWrite = journeys.updateStage(
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
    const attempt1 = await journeys.beginAttempt(ref);
    await journeys.beginAttempt(ref);
    const before = await read(ref);

    // Act
    const lateWrite = journeys.updateStage(attempt1, 'INTAKE', { status: 'COMPLETED' }, later);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ref)).toEqual(before);
  });

  it('lets the current attempt write more than once (a stage may record progress, then its end)', async () => {
    // Prepare
    const ref = await seedJourney();
    const attempt = await journeys.beginAttempt(ref);
    await journeys.updateStage(attempt, 'SCHEDULING', { status: 'IN_PROGRESS' }, now);

    // Act
    await journeys.updateStage(attempt, 'SCHEDULING', { status: 'COMPLETED', amounts: { dueCents: 1500 } }, later);

    // Assess
    expect(await read(ref)).toMatchObject({ attempt: 1, stages: { SCHEDULING: { status: 'COMPLETED' } }, amounts: { dueCents: 1500 } });
  });

  it('throws JourneyNotFound for a claim of a journey that does not exist, creating nothing', async () => {
    // Prepare
    const ref = { clinicId, journeyId: randomUUID() };

    // Act
    const claim = journeys.beginAttempt(ref);

    // Assess
    await expect(claim).rejects.toMatchObject({ name: 'JourneyNotFound' });
    expect(await journeys.get(ref, { consistent: true })).toBeUndefined();
  });

  it('refuses a stage write to a journey that does not exist, creating nothing', async () => {
    // Prepare
    const ref = { clinicId, journeyId: randomUUID(), attempt: 1 };

    // Act
    const write = journeys.updateStage(ref, 'INTAKE', { status: 'COMPLETED' }, now);

    // Assess
    await expect(write).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await journeys.get(ref, { consistent: true })).toBeUndefined();
  });

  it('fences every attempt still running once the journey is closed', async () => {
    // Prepare
    const ref = await seedJourney();
    const running = await journeys.beginAttempt(ref);
    expect(await journeys.close(ref, { status: 'CANCELLED', stages: {}, removeAppointment: false }, later)).toBe(true);

    // Act
    const lateWrite = journeys.updateStage(running, 'INTAKE', { status: 'COMPLETED', journeyStatus: 'RUNNING' }, later);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ref)).toMatchObject({ status: 'CANCELLED', attempt: 2, stages: { INTAKE: { status: 'IN_PROGRESS' } } });
  });

  it('closes a journey once: the same outcome again changes only the fence, another outcome is refused', async () => {
    // Prepare
    const ref = await seedJourney();
    await journeys.close(ref, { status: 'COMPLETED', stages: {}, removeAppointment: false }, later);
    const closed = await read(ref);

    // Act
    const again = await journeys.close(ref, { status: 'COMPLETED', stages: {}, removeAppointment: false }, later);
    const otherwise = await journeys.close(ref, { status: 'FAILED', stages: {}, removeAppointment: false }, later);

    // Assess
    expect(again).toBe(true);
    expect(otherwise).toBe(false);
    expect(await read(ref)).toEqual({ ...closed, attempt: closed.attempt + 1 });
  });

  it('holds an open journey for staff, fencing the attempt that was running, and leaves an ended one alone', async () => {
    // Prepare
    const open = await seedJourney();
    const running = await journeys.beginAttempt(open);
    const ended = await seedJourney();
    await journeys.close(ended, { status: 'COMPLETED', stages: {}, removeAppointment: false }, now);
    const endedBefore = await read(ended);
    const state = { status: 'WAITING_FOR_STAFF' as const, at: later.toISOString(), reason: 'stopped', staffTaskId: 'st-stop' };

    // Act
    const heldOpen = await journeys.holdStopped(open, 'INTAKE', state, later);
    const heldEnded = await journeys.holdStopped(ended, 'INTAKE', state, later);

    // Assess
    expect(heldOpen).toBe(true);
    expect(heldEnded).toBe(false);
    expect(await read(open)).toMatchObject({ status: 'WAITING_FOR_STAFF', attempt: 2, stages: { INTAKE: state } });
    await expect(journeys.updateStage(running, 'INTAKE', { status: 'COMPLETED' }, later)).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await read(ended)).toEqual(endedBefore);
  });
});

describe('Journey store: a park fences the stage attempt it replaced (parkForStaff on DynamoDB Local)', () => {
  it('keeps the journey parked when the stage call that timed out finishes late', async () => {
    // Prepare: the stage task claims the journey, Step Functions times the state out and its Catch parks the journey.
    const park = parkForStaff();
    const ref = await seedJourney();
    const timedOut = await journeys.beginAttempt(ref);
    const { taskId } = await park(
      { ...ref, taskToken: `token-${ref.journeyId}`, stopped: stoppedAt('IntakeNeedsStaff', { Error: 'States.Timeout' }) },
      lambdaContext,
    );

    // Act: the stage call that timed out still runs, and tries to record its result.
    const lateWrite = journeys.updateStage(timedOut, 'INTAKE', { status: 'COMPLETED' }, later);

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
    const park = parkForStaff();
    const ref = await seedJourney();
    const request = { ...ref, taskToken: `token-${ref.journeyId}`, stopped: stoppedAt('IntakeNeedsStaff', { Error: 'States.Timeout' }) };
    const { taskId } = await park(request, lambdaContext);

    // Act: the stage invocation starts late; then Step Functions retries the park with a new token.
    const lateStart = await journeys.beginAttempt(ref).catch((error: Error) => error);
    const repark = await park({ ...request, taskToken: `${request.taskToken}-retry` }, lambdaContext);

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
    const running = await journeys.beginAttempt(ref);
    await journeys.close(ref, { status: 'CANCELLED', stages: {}, removeAppointment: false }, later);

    // Act
    const refused = (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'claimed',
        (error: Error) => error.name,
      );
    const afterEnd = await refused(journeys.beginAttempt(ref));
    const parkAfterEnd = await refused(journeys.beginAttempt(ref, { parking: true }));
    const missing = await refused(journeys.beginAttempt({ clinicId: ref.clinicId, journeyId: 'no-such-journey' }));

    // Assess
    expect(running.attempt).toBe(1);
    expect([afterEnd, parkAfterEnd, missing]).toEqual(['StaleAttempt', 'StaleAttempt', 'JourneyNotFound']);
  });
});
