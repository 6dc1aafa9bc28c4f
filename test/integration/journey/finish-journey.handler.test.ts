import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { FinishJourneyRequest } from '#contract/journey-workflow.ts';
import { makeFinishJourney } from '#functions/journey/finish-journey.handler.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { openedStaffTask, serviceLevelsOf } from '#model/staff-task.ts';
import { type AppointmentRecord, dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { dynamoJourneyStore, journeyItem } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { noMetrics, recordingMetrics } from '#test/support/fakes/journey-metrics.ts';
import { appointmentRecord } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

const CLINIC = 'finish-clinic';
const NOW = new Date('2041-03-01T12:00:00Z');
const finish = (request: FinishJourneyRequest) => finishJourney(request, lambdaContext);

const table = await localTable('finish-journey');
const journeys = dynamoJourneyStore(table);
const appointments = dynamoAppointmentStore(table);
const tasks = dynamoStaffTaskStore(table);
const finishJourney = makeFinishJourney({ journeys, appointments, tasks, metrics: noMetrics, now: () => NOW });

/** Each test books its own resources, so tests never compete for the same time: 30 minutes with a doctor and a room. */
function appointment(journeyId: string, owner = journeyId): AppointmentRecord {
  return appointmentRecord({
    clinicId: CLINIC,
    journeyId,
    patientId: `p-${journeyId}`,
    appointmentId: `appt-${journeyId}`,
    start: '2041-03-04T14:00:00.000Z',
    end: '2041-03-04T14:30:00.000Z',
    provider: { id: `dr-${owner}`, name: 'Dr A' },
    resource: { id: `room-${owner}`, name: 'Room' },
    resourceIds: [`dr-${owner}`, `room-${owner}`],
    createdAt: NOW.toISOString(),
  });
}

/**
 * A journey with a booked appointment, its payment stage waiting for staff, as the workflow leaves it before
 * CancelJourney; `parkedOn` opens the staff task the stage waits on.
 */
async function bookedJourneyParkedAtPayment(options: { parkedOn?: string } = {}): Promise<{ journeyId: string }> {
  const journeyId = `j-${randomUUID().slice(0, 8)}`;
  const journey: JourneyRecord = newJourneyRecord({ clinicId: CLINIC, journeyId, submissionId: 's', patientId: `p-${journeyId}` }, NOW);
  journey.stages.INTAKE = { status: 'COMPLETED', at: NOW.toISOString() };
  journey.stages.ELIGIBILITY = { status: 'COMPLETED', at: NOW.toISOString() };
  journey.stages.SCHEDULING = { status: 'COMPLETED', at: NOW.toISOString() };
  journey.stages.PAYMENT = { status: 'WAITING_FOR_STAFF', at: NOW.toISOString(), reason: 'processor down' };
  if (options.parkedOn) {
    journey.stages.PAYMENT.staffTaskId = options.parkedOn;
    const parked = { clinicId: CLINIC, taskId: options.parkedOn, journeyId, patientId: journey.patientId, stage: 'PAYMENT' } as const;
    await tasks.open(
      openedStaffTask(
        { ...parked, reason: 'processor down', kind: 'STAGE_BLOCKED', taskToken: 't' },
        serviceLevelsOf(undefined),
        'function:parkForStaff',
        NOW,
      ),
    );
  }
  const booked = appointment(journeyId);
  const { type: _t, clinicId: _c, journeyId: _j, patientId: _p, status: _s, resourceIds: _r, createdAt: _a, ...summary } = booked;
  journey.appointment = summary;
  journey.status = 'RUNNING';
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(CLINIC, journeyId), ...journey } }));
  expect((await appointments.book(booked)).outcome).toBe('BOOKED');
  return { journeyId };
}

/** The granules "HHmm" a resource holds on its busy day of 4 March (keys.busyDay, the fixture's department). */
async function busyGranules(resourceId: string): Promise<string[]> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.busyDay(CLINIC, 'dep-1', '2041-03-04', resourceId), ConsistentRead: true }),
  );
  return [...((Item?.busy as Set<string> | undefined) ?? [])];
}

const journey = async (journeyId: string) => (await journeys.get({ clinicId: CLINIC, journeyId }, { consistent: true })) as JourneyRecord;

describe('Function: finishJourney', () => {
  it('gives a cancelled journey’s booked time back, keeps the appointment record and closes the stages', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment();

    // Act
    const result = await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    // Assess
    expect(result).toEqual({ outcome: 'CANCELLED' });
    expect(await busyGranules(`dr-${journeyId}`)).toEqual([]);
    expect(await busyGranules(`room-${journeyId}`)).toEqual([]);
    expect(await appointments.get({ clinicId: CLINIC, journeyId })).toMatchObject({ status: 'CANCELLED', cancelledAt: NOW.toISOString() });
    const closed = await journey(journeyId);
    expect(closed.status).toBe('CANCELLED');
    expect(closed.appointment).toBeUndefined();
    expect(closed.stages.PAYMENT.status).toBe('SKIPPED');
    expect(closed.stages.CONFIRMATION.status).toBe('SKIPPED');
    expect(closed.stages.SCHEDULING.status).toBe('COMPLETED');
  });

  it('lets another journey book the released time', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment();
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    // Act
    const booking = await appointments.book(appointment(`${journeyId}-next`, journeyId));

    // Assess
    expect(booking.outcome).toBe('BOOKED');
  });

  it('changes nothing more than the fence when a cancellation is retried', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment();
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });
    const first = await journey(journeyId);

    // Act
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    // Assess: closing again moves the fence on once more (no attempt may write after an end); the read model stays.
    expect(await journey(journeyId)).toEqual({ ...first, attempt: first.attempt + 1 });
  });

  it('expires the staff task the journey waited on, so the work queue never shows it', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment({ parkedOn: 'st-finish-park' });

    // Act
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    // Assess
    const task = await tasks.get(CLINIC, 'st-finish-park');
    expect(task).toMatchObject({
      status: 'EXPIRED',
      ...keys.staffTaskQueueIndex(CLINIC, 'billing'),
      GSI1SK: keys.staffTaskSortKey('EXPIRED', task?.dueAt ?? '', 'st-finish-park'),
    });
    expect(task?.history.at(-1)).toEqual({ at: NOW.toISOString(), by: 'function:finishJourney', event: 'expired' });
    expect(task).not.toHaveProperty('taskToken');
  });

  it('fences a stage attempt that still runs when the journey ends', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment();
    const running = await journeys.beginAttempt({ clinicId: CLINIC, journeyId });
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    // Act
    const lateWrite = journeys.updateStage(running, 'PAYMENT', { status: 'COMPLETED', journeyStatus: 'RUNNING' }, NOW);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await journey(journeyId)).toMatchObject({ status: 'CANCELLED', stages: { PAYMENT: { status: 'SKIPPED' } } });
  });

  it('keeps a failed journey’s booking for ops and marks the waiting stage failed', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment();

    // Act
    await finish({ clinicId: CLINIC, journeyId, outcome: 'FAILED' });

    // Assess
    expect(await busyGranules(`dr-${journeyId}`)).toHaveLength(6);
    const failed = await journey(journeyId);
    expect(failed.status).toBe('FAILED');
    expect(failed.stages.PAYMENT.status).toBe('FAILED');
    expect(failed.stages.CONFIRMATION.status).toBe('SKIPPED');
    expect(failed.appointment).toBeDefined();
  });

  it('counts the end once, by its status, and for a completed journey the time it spent in each stage', async () => {
    // Prepare
    const metrics = recordingMetrics();
    const counted = makeFinishJourney({ journeys, appointments, tasks, metrics: metrics.port, now: () => NOW });
    const journeyId = `j-${randomUUID().slice(0, 8)}`;
    const record = newJourneyRecord({ clinicId: CLINIC, journeyId, submissionId: 's', patientId: 'p' }, new Date('2041-03-01T11:00:00Z'));
    const minute = (m: number) => new Date(Date.parse('2041-03-01T11:00:00Z') + m * 60_000).toISOString();
    record.stages = {
      INTAKE: { status: 'COMPLETED', at: minute(1) },
      ELIGIBILITY: { status: 'COMPLETED', at: minute(31) },
      SCHEDULING: { status: 'COMPLETED', at: minute(32) },
      PAYMENT: { status: 'SKIPPED', at: minute(33) },
      CONFIRMATION: { status: 'COMPLETED', at: minute(35) },
    };
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: journeyItem(record) }));
    const { journeyId: cancelledId } = await bookedJourneyParkedAtPayment();

    // Act
    await counted({ clinicId: CLINIC, journeyId, outcome: 'COMPLETED' }, lambdaContext);
    await counted({ clinicId: CLINIC, journeyId: cancelledId, outcome: 'CANCELLED' }, lambdaContext);
    await counted({ clinicId: CLINIC, journeyId, outcome: 'COMPLETED' }, lambdaContext); // a retried end counts no second journey

    // Assess
    expect(metrics.emitted).toEqual([
      {
        metric: 'ended',
        status: 'COMPLETED',
        timeInStageMs: { INTAKE: 60_000, ELIGIBILITY: 30 * 60_000, SCHEDULING: 60_000, CONFIRMATION: 120_000 },
      },
      { metric: 'ended', status: 'CANCELLED', timeInStageMs: {} },
    ]);
  });

  it('refuses to create a journey that does not exist', async () => {
    // Act
    const finishing = finish({ clinicId: CLINIC, journeyId: 'missing', outcome: 'COMPLETED' });

    // Assess
    await expect(finishing).rejects.toMatchObject({ name: 'JourneyNotFound', message: expect.stringContaining('not found') });
    expect(await journeys.get({ clinicId: CLINIC, journeyId: 'missing' }, { consistent: true })).toBeUndefined();
  });
});
