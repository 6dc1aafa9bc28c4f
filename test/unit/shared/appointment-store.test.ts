import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  busyDayCondition,
  busyDayGranules,
  dynamoAppointmentStore,
  granuleStart,
  MAX_EXPRESSION_BYTES,
  transactionSize,
} from '#shared/appointment-store.ts';
import { keys } from '#shared/keys.ts';
import { appointmentRecord } from '#test/support/fixtures/records.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const interval = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });

describe('Function: busyDayGranules', () => {
  it("gives each resource the booking's granules on its UTC day", () => {
    // Act
    const days = busyDayGranules(['prov', 'room'], interval('2041-03-04T14:30:00Z', '2041-03-04T14:45:00Z'));

    // Assess
    expect(days).toEqual([
      { resourceId: 'prov', day: '2041-03-04', granules: ['1430', '1435', '1440'] },
      { resourceId: 'room', day: '2041-03-04', granules: ['1430', '1435', '1440'] },
    ]);
    expect(transactionSize(2)).toBe(1 + 2);
  });

  it('splits a booking at UTC midnight and aligns it to the granules it locks', () => {
    // Act: 23:47-00:11 touches the granules 23:45 … 00:10
    const days = busyDayGranules(['prov'], interval('2041-03-04T23:47:00Z', '2041-03-05T00:11:00Z'));

    // Assess
    expect(days).toEqual([
      { resourceId: 'prov', day: '2041-03-04', granules: ['2345', '2350', '2355'] },
      { resourceId: 'prov', day: '2041-03-05', granules: ['0000', '0005', '0010'] },
    ]);
    expect(transactionSize(1, 2)).toBe(1 + 2);
  });
});

describe('Function: granuleStart', () => {
  it('reads a granule back as the instant it starts', () => {
    // Act
    const start = granuleStart('2041-03-05', '0035');

    // Assess
    expect(new Date(start).toISOString()).toBe('2041-03-05T00:35:00.000Z');
  });
});

describe('Function: busyDayCondition', () => {
  it('names every granule once, and fits 8 hours of one UTC day in one expression', () => {
    // Act
    const two = busyDayCondition(2);
    const eightHours = busyDayCondition(8 * 12 + 1);

    // Assess
    expect(two).toBe('NOT (contains(#busy, :g0) OR contains(#busy, :g1))');
    expect(eightHours.length).toBeLessThanOrEqual(MAX_EXPRESSION_BYTES);
  });
});

describe('Appointment store: the busy day as the lock, on the in-memory table', () => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const ddb = mockClient(client);
  const store = dynamoAppointmentStore({ client, tableName: 't' });
  const at = (start: string, end: string, journeyId: string) =>
    appointmentRecord({ journeyId, appointmentId: `appt-${journeyId}`, resourceIds: ['res-1'], start, end });

  it('reports the granules the busy day already holds as TAKEN, and frees exactly the released ones', async () => {
    // Prepare
    ddb.reset();
    const table = inMemoryTable(ddb);
    const first = at('2041-03-04T14:30:00.000Z', '2041-03-04T14:45:00.000Z', 'j-1');
    await store.book(first);

    // Act
    const overlapping = await store.book(at('2041-03-04T14:40:00.000Z', '2041-03-04T14:55:00.000Z', 'j-2'));
    await store.release({ clinicId: first.clinicId, journeyId: 'j-1' }, new Date('2041-03-01T09:00:00.000Z'), {
      clinicId: first.clinicId,
      actor: 'test',
      journeyId: 'j-1',
    });
    const after = await store.book(at('2041-03-04T14:40:00.000Z', '2041-03-04T14:55:00.000Z', 'j-3'));

    // Assess
    expect(overlapping).toEqual({
      outcome: 'TAKEN',
      taken: [{ resourceId: 'res-1', granule: { start: new Date('2041-03-04T14:40:00Z'), end: new Date('2041-03-04T14:45:00Z') } }],
    });
    expect(after.outcome).toBe('BOOKED');
    expect(table.get(keys.busyDay(first.clinicId, first.department.id, '2041-03-04', 'res-1'))?.busy).toEqual(
      new Set(['1440', '1445', '1450']),
    );
  });
});
