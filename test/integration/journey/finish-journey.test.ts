import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFinishJourney } from '#functions/journey/finish-journey.handler.ts';
import { ensureTable } from '#local/create-table.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { type AppointmentRecord, bookSlot } from '#shared/appointment-store.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

const CLINIC = 'finish-clinic';
const NOW = new Date('2041-03-01T12:00:00Z');
let table: TableRef;
let finish: ReturnType<typeof makeFinishJourney>;

beforeAll(async () => {
  const client = new DynamoDBClient({});
  const tableName = `finish-journey-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  table = { client: DynamoDBDocumentClient.from(client), tableName };
  finish = makeFinishJourney({ table, now: () => NOW });
});

/** Each test books its own resources, so tests never compete for the same time. */
function appointment(journeyId: string, owner = journeyId): AppointmentRecord {
  return {
    type: 'Appointment',
    clinicId: CLINIC,
    journeyId,
    patientId: `p-${journeyId}`,
    status: 'BOOKED',
    appointmentId: `appt-${journeyId}`,
    appointmentType: 'TEST',
    start: '2041-03-04T14:00:00.000Z',
    end: '2041-03-04T14:30:00.000Z',
    timeZone: 'America/New_York',
    location: { id: 'loc', name: 'Location', address: 'Address' },
    department: { id: 'dep', name: 'Department' },
    provider: { id: `dr-${owner}`, name: 'Dr A' },
    resourceIds: [`dr-${owner}`, `room-${owner}`],
    createdAt: NOW.toISOString(),
  };
}

/** A journey parked at payment with a booked appointment, as the workflow leaves it before CancelJourney. */
async function bookedJourneyParkedAtPayment(): Promise<{ journeyId: string }> {
  const journeyId = `j-${randomUUID().slice(0, 8)}`;
  const journey: JourneyRecord = newJourneyRecord({ clinicId: CLINIC, journeyId, submissionId: 's', patientId: `p-${journeyId}` }, NOW);
  journey.stages.INTAKE = { status: 'COMPLETED', at: NOW.toISOString() };
  journey.stages.ELIGIBILITY = { status: 'COMPLETED', at: NOW.toISOString() };
  journey.stages.SCHEDULING = { status: 'COMPLETED', at: NOW.toISOString() };
  journey.stages.PAYMENT = { status: 'WAITING_FOR_STAFF', at: NOW.toISOString(), reason: 'processor down' };
  const booked = appointment(journeyId);
  const { type: _t, clinicId: _c, journeyId: _j, patientId: _p, status: _s, resourceIds: _r, createdAt: _a, ...summary } = booked;
  journey.appointment = summary;
  journey.status = 'RUNNING';
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(CLINIC, journeyId), ...journey } }));
  expect((await bookSlot(table, booked)).outcome).toBe('BOOKED');
  return { journeyId };
}

async function busyGranules(resourceId: string) {
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.resourceDay(CLINIC, resourceId, '2041-03-04') },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

async function journey(journeyId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.journey(CLINIC, journeyId), ConsistentRead: true }),
  );
  return Item as JourneyRecord;
}

describe('Function: finishJourney', () => {
  it('gives a cancelled journey’s booked time back, keeps the appointment record and closes the stages', async () => {
    const { journeyId } = await bookedJourneyParkedAtPayment();

    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    expect(await busyGranules(`dr-${journeyId}`)).toEqual([]);
    expect(await busyGranules(`room-${journeyId}`)).toEqual([]);
    const { Item: appointmentItem } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.appointment(CLINIC, journeyId) }),
    );
    expect(appointmentItem).toMatchObject({ status: 'CANCELLED', cancelledAt: NOW.toISOString() });
    const closed = await journey(journeyId);
    expect(closed.status).toBe('CANCELLED');
    expect(closed.appointment).toBeUndefined();
    expect(closed.stages.PAYMENT.status).toBe('SKIPPED');
    expect(closed.stages.CONFIRMATION.status).toBe('SKIPPED');
    expect(closed.stages.SCHEDULING.status).toBe('COMPLETED');
  });

  it('lets another journey book the released time', async () => {
    const { journeyId } = await bookedJourneyParkedAtPayment();
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });
    expect((await bookSlot(table, appointment(`${journeyId}-next`, journeyId))).outcome).toBe('BOOKED');
  });

  it('changes nothing more than the fence when a cancellation is retried', async () => {
    const { journeyId } = await bookedJourneyParkedAtPayment();
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });
    const first = await journey(journeyId);
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });
    // Closing again moves the fence on once more (no attempt may write after an end); the read model stays as it was.
    expect(await journey(journeyId)).toEqual({ ...first, attempt: first.attempt + 1 });
  });

  it('fences a stage attempt that still runs when the journey ends', async () => {
    // Prepare
    const { journeyId } = await bookedJourneyParkedAtPayment();
    const running = await beginAttempt(table, { clinicId: CLINIC, journeyId });
    await finish({ clinicId: CLINIC, journeyId, outcome: 'CANCELLED' });

    // Act
    const lateWrite = updateStage(table, running, 'PAYMENT', { status: 'COMPLETED', journeyStatus: 'RUNNING' }, NOW);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await journey(journeyId)).toMatchObject({ status: 'CANCELLED', stages: { PAYMENT: { status: 'SKIPPED' } } });
  });

  it('keeps a failed journey’s booking for ops and marks the waiting stage failed', async () => {
    const { journeyId } = await bookedJourneyParkedAtPayment();
    await finish({ clinicId: CLINIC, journeyId, outcome: 'FAILED' });
    expect(await busyGranules(`dr-${journeyId}`)).toHaveLength(6);
    const failed = await journey(journeyId);
    expect(failed.status).toBe('FAILED');
    expect(failed.stages.PAYMENT.status).toBe('FAILED');
    expect(failed.stages.CONFIRMATION.status).toBe('SKIPPED');
    expect(failed.appointment).toBeDefined();
  });

  it('refuses to create a journey that does not exist', async () => {
    await expect(finish({ clinicId: CLINIC, journeyId: 'missing', outcome: 'COMPLETED' })).rejects.toMatchObject({
      name: 'JourneyNotFound',
      message: expect.stringContaining('not found'),
    });
    expect(await journey('missing')).toBeUndefined();
  });
});
