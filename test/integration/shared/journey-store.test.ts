import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemSize, WRITE_UNIT_BYTES } from '#bench/billing.ts';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { DECLINED_REASON } from '#functions/payment/collect-payment.ts';
import { type AppointmentSummary, type JourneyRecord, journeyAppointment, newJourneyRecord } from '#model/journey.ts';
import { staffTaskId } from '#model/staff-task.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { dynamoJourneyStore, journeyItem } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPriorAuthorizations } from '#shared/prior-authorization-store.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine, fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
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
    catalog: dynamoCatalogStore(table),
    submissions: dynamoSubmissionStore(table),
    authorizations: dynamoPriorAuthorizations(table),
    alerts: fakeStaffAlerts().port,
    escalations: fakeEscalations().port,
    engine: fakeJourneyEngine().port,
    metrics: noMetrics,
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
    expect(await journeys.close(ref, { status: 'CANCELLED', stages: {}, removeAppointment: false }, later)).toBe('CLOSED');

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
    expect(again).toBe('ALREADY_CLOSED');
    expect(otherwise).toBe('ENDED_OTHERWISE');
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

  it('refuses any task attempt once the journey has ended (JourneyEnded), and reports a missing journey as not found', async () => {
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
    expect([afterEnd, parkAfterEnd, missing]).toEqual(['JourneyEnded', 'JourneyEnded', 'JourneyNotFound']);
  });
});

describe('Journey store: the journey item stays under 1 KB, so each claim and stage write bills 1 WCU', () => {
  /** The demo clinic's booking as scheduling describes it (the names and address the journey shows). */
  const booked = (journeyId: string): AppointmentSummary => ({
    appointmentId: `appt-${journeyId}`,
    appointmentType: 'PRIMARY_CARE_NEW',
    start: '2026-11-30T08:00:00-05:00',
    end: '2026-11-30T08:45:00-05:00',
    timeZone: 'America/New_York',
    location: { id: 'back-bay', name: 'Demo Clinic Back Bay', address: '100 Boylston Street, Boston, MA 02116' },
    department: { id: 'primary-care', name: 'Primary Care' },
    provider: { id: 'dr-okafor', name: 'Dr. Amara Okafor, MD' },
  });

  /** A journey as intake writes it, with UUIDs as in production, in the demo clinic. */
  async function submitted(): Promise<JourneyRecord> {
    const [journeyId, submissionId, patientId] = [randomUUID(), randomUUID(), randomUUID()];
    const journey = newJourneyRecord({ clinicId: 'demo-clinic', journeyId, submissionId, patientId }, now);
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: journeyItem(journey) }));
    return journey;
  }

  /** Every stage as the workflow runs it: a claim, then the stage's write. */
  async function runStages(ref: JourneyRecord, stages: Array<Parameters<typeof journeys.updateStage>[1 | 2]>) {
    for (let i = 0; i < stages.length; i += 2) {
      const attempt = await journeys.beginAttempt(ref);
      await journeys.updateStage(attempt, stages[i] as never, stages[i + 1] as never, new Date(now.getTime() + i * 1000));
    }
  }

  const storedBytes = async (ref: JourneyRecord) => {
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.journey(ref.clinicId, ref.journeyId), ConsistentRead: true }),
    );
    return itemSize(marshall(Item ?? {}));
  };

  it('after a completed journey (examples/completes.json), and reads back with everything the view shows', async () => {
    // Prepare
    const journey = await submitted();

    // Act
    await runStages(journey, [
      'INTAKE',
      { status: 'COMPLETED' },
      'ELIGIBILITY',
      { status: 'COMPLETED', amounts: { dueCents: 2500 } },
      'SCHEDULING',
      { status: 'COMPLETED', appointment: journeyAppointment(booked(journey.journeyId)) },
      'PAYMENT',
      { status: 'COMPLETED', amounts: { paidCents: 2500 } },
      'CONFIRMATION',
      { status: 'COMPLETED' },
    ]);
    await journeys.close(journey, { status: 'COMPLETED', stages: {}, removeAppointment: false }, later);

    // Assess
    expect(await storedBytes(journey)).toBeLessThan(0.9 * WRITE_UNIT_BYTES);
    expect(await read(journey)).toMatchObject({
      type: 'Journey',
      clinicId: 'demo-clinic',
      journeyId: journey.journeyId,
      status: 'COMPLETED',
      appointment: {
        appointmentId: `appt-${journey.journeyId}`,
        location: { name: 'Demo Clinic Back Bay', address: '100 Boylston Street, Boston, MA 02116' },
        department: { name: 'Primary Care' },
        provider: { name: 'Dr. Amara Okafor, MD' },
      },
      amounts: { currency: 'USD', dueCents: 2500, paidCents: 2500 },
    });
  });

  it('after a journey staff let past eligibility whose card was then declined (the longest reasons on the way)', async () => {
    // Prepare
    const journey = await submitted();
    const taskId = staffTaskId(`token-${journey.journeyId}`);

    // Act
    await runStages(journey, [
      'INTAKE',
      { status: 'COMPLETED' },
      // As staff's PROCEED leaves the stage (staff-decision.ts), the task still named on it.
      'ELIGIBILITY',
      { status: 'COMPLETED', reason: 'Staff chose to continue without verified coverage.', staffTaskId: taskId },
      'SCHEDULING',
      { status: 'COMPLETED', appointment: journeyAppointment(booked(journey.journeyId)) },
      'PAYMENT',
      { status: 'COMPLETED', reason: DECLINED_REASON },
      'CONFIRMATION',
      { status: 'COMPLETED' },
    ]);
    await journeys.close(journey, { status: 'COMPLETED', stages: {}, removeAppointment: false }, later);

    // Assess
    expect(await storedBytes(journey)).toBeLessThan(WRITE_UNIT_BYTES);
  });

  it('keeps an appointment ID that is not the journey’s own, and reads a journey stored whole as before', async () => {
    // Prepare
    const journey = await submitted();
    const whole = { ...newJourneyRecord({ clinicId, journeyId: randomUUID(), submissionId: 's', patientId: 'p' }, now) };
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.journey(whole.clinicId, whole.journeyId), ...whole, appointment: journeyAppointment(booked(whole.journeyId)) },
      }),
    );

    // Act
    await runStages(journey, [
      'SCHEDULING',
      { status: 'COMPLETED', appointment: { ...journeyAppointment(booked(journey.journeyId)), appointmentId: 'appt-elsewhere' } },
    ]);

    // Assess
    expect((await read(journey)).appointment?.appointmentId).toBe('appt-elsewhere');
    expect(await read(whole)).toEqual({ ...whole, appointment: journeyAppointment(booked(whole.journeyId)) });
  });
});
