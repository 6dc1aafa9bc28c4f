import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AppointmentRecord, bookSlot, transactionSize } from '#shared/appointment-store.ts';
import { keys } from '#shared/keys.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const table = { client, tableName: 'table' };

// 30 minutes on a provider and a device: 1 appointment item + 6 granules × 2 resources.
const appointment: AppointmentRecord = {
  type: 'Appointment',
  clinicId: 'c1',
  journeyId: 'j1',
  patientId: 'p1',
  status: 'BOOKED',
  appointmentId: 'appt-j1',
  appointmentType: 'MRI',
  start: '2026-03-02T09:00:00-05:00',
  end: '2026-03-02T09:30:00-05:00',
  timeZone: 'America/New_York',
  location: { id: 'bos', name: 'Boston', address: '1 Main St' },
  department: { id: 'mri', name: 'Radiology' },
  provider: { id: 'tech', name: 'Tech' },
  resource: { id: 'scanner', name: 'Scanner' },
  resourceIds: ['tech', 'scanner'],
  createdAt: '2026-03-01T00:00:00.000Z',
};

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('Function: bookSlot', () => {
  beforeEach(() => {
    ddb.reset();
  });

  it('writes the appointment and one conditional granule per resource per 5 minutes in one transaction', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const result = await bookSlot(table, appointment);

    // Assess
    expect(result.outcome).toBe('BOOKED');
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(transactionSize(30, 2));
    expect(items.every((i) => i.Put?.ConditionExpression === 'attribute_not_exists(PK)')).toBe(true);
    expect(items[0]?.Put?.Item).toMatchObject(keys.appointment('c1', 'j1'));
    expect(items[1]?.Put?.Item).toMatchObject({
      ...keys.resourceGranule('c1', 'tech', '2026-03-02', '1400'),
      appointmentId: 'appt-j1',
      expiresAt: Date.parse('2026-03-09T14:30:00Z') / 1000,
    });
  });

  it('reports the granules another booking holds', async () => {
    // Prepare: the scanner's 09:20 and 09:25 granules (items 11 and 12) are taken.
    ddb.on(TransactWriteCommand).rejects(cancelled([...Array(11).fill('None'), 'ConditionalCheckFailed', 'ConditionalCheckFailed']));

    // Act
    const result = await bookSlot(table, appointment);

    // Assess
    expect(result).toEqual({
      outcome: 'TAKEN',
      taken: [
        { resourceId: 'scanner', granule: { start: new Date('2026-03-02T14:20:00Z'), end: new Date('2026-03-02T14:25:00Z') } },
        { resourceId: 'scanner', granule: { start: new Date('2026-03-02T14:25:00Z'), end: new Date('2026-03-02T14:30:00Z') } },
      ],
    });
  });

  it('returns the stored booking when the journey already has one', async () => {
    // Prepare
    const stored = { ...appointment, start: '2026-03-03T09:00:00-05:00', end: '2026-03-03T09:30:00-05:00' };
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', ...Array(12).fill('None')]));
    ddb
      .on(GetCommand, { Key: keys.appointment('c1', 'j1'), ConsistentRead: true })
      .resolves({ Item: { ...keys.appointment('c1', 'j1'), ...stored } });

    // Act
    const result = await bookSlot(table, appointment);

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_BOOKED', appointment: stored });
  });

  it('reports contention when another transaction was writing the same granules', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'TransactionConflict', ...Array(11).fill('None')]));

    // Act
    const result = await bookSlot(table, appointment);

    // Assess
    expect(result).toEqual({ outcome: 'CONTENDED' });
  });

  it('rethrows failures that are not a cancelled transaction', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    // Act
    const booking = bookSlot(table, appointment);

    // Assess
    await expect(booking).rejects.toThrow('throttled');
  });

  it('rejects an appointment too long to lock in one transaction', async () => {
    // Prepare: 4 h 10 min on two resources = 1 + 50 × 2 = 101 items
    const long = { ...appointment, end: '2026-03-02T13:10:00-05:00' };

    // Act
    const booking = bookSlot(table, long);

    // Assess
    await expect(booking).rejects.toThrow('the limit is 100');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});
