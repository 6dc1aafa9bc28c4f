import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { SchedulingEvent } from '#contract/appointment-events.ts';
import { writesOf } from '#functions/scheduling/publish-appointment-events.handler.ts';
import { publishAppointmentEvents } from '#functions/scheduling/publish-appointment-events.ts';
import { appointmentRecord } from '#test/support/fixtures/records.ts';

/** A stream record of an item's write, as Lambda delivers it. */
function streamRecord(sequence: string, item: object, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: sequence,
      NewImage: marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as never,
    },
  };
}

/** A bus that takes the first `accept` events it is given, over all calls, and refuses the rest. */
function bus(accept = Number.POSITIVE_INFINITY) {
  const published: SchedulingEvent[] = [];
  return {
    published,
    events: {
      publish: async (events: readonly SchedulingEvent[]) =>
        events.map((event) => {
          if (published.length >= accept) return false;
          published.push(event);
          return true;
        }),
    },
  };
}

const booked = appointmentRecord({ clinicId: 'c1', appointmentId: 'appt-1', journeyId: 'j-1' });
const staffBooked = { ...appointmentRecord({ clinicId: 'c1', appointmentId: 'appt-2' }), journeyId: undefined };
const cancelled = { ...booked, status: 'CANCELLED', revision: 2, history: [{ change: 'check-in' }, { change: 'cancel' }] };

describe('Function: publishAppointmentEvents', () => {
  it('publishes one event per booking and change, in order, with IDs and codes only; other items are not events', async () => {
    const { published, events } = bus();

    const answer = await publishAppointmentEvents(
      { events },
      writesOf([
        streamRecord('1', booked),
        streamRecord('2', { type: 'Journey', clinicId: 'c1' }),
        streamRecord('3', staffBooked),
        streamRecord('4', cancelled, 'MODIFY'),
      ]),
    );

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(published.map((e) => e.detailType)).toEqual(['AppointmentChanged', 'AppointmentChanged', 'AppointmentChanged']);
    expect(published.map((e) => e.detail)).toEqual([
      { clinicId: 'c1', appointmentId: 'appt-1', revision: 0, change: 'book', status: 'BOOKED', origin: 'journey' },
      { clinicId: 'c1', appointmentId: 'appt-2', revision: 0, change: 'book', status: 'BOOKED', origin: 'staff' },
      { clinicId: 'c1', appointmentId: 'appt-1', revision: 2, change: 'cancel', status: 'CANCELLED', origin: 'journey' },
    ]);
  });

  it('publishes the time a calendar change opened as a CalendarOpened event, in stream order with the changes', async () => {
    const { published, events } = bus();
    const opening = {
      PK: 'CLINIC#c1#CATALOG#OPENING#calendar-3',
      SK: 'OPENING',
      type: 'CalendarOpening',
      clinicId: 'c1',
      openingId: 'calendar-3',
      resourceIds: ['dr-a'],
      windows: [{ start: '2026-12-08T14:00:00.000Z', end: '2026-12-08T18:00:00.000Z' }],
      changedBy: 'user:admin-1',
      expiresAt: 1,
    };

    const closing = {
      PK: 'CLINIC#c1#CATALOG#OUTBOX#closing-calendar-4',
      SK: 'EVENT',
      type: 'CalendarClosing',
      clinicId: 'c1',
      closingId: 'closing-calendar-4',
      closed: { kind: 'closed', locationId: 'boston', date: '2026-12-24' },
      by: 'user:admin-1',
      expiresAt: 1,
    };

    await publishAppointmentEvents(
      { events },
      writesOf([streamRecord('1', booked), streamRecord('2', opening), streamRecord('3', closing)]),
    );

    expect(published[2]).toEqual({
      detailType: 'CalendarClosed',
      detail: { clinicId: 'c1', closingId: 'closing-calendar-4', closed: closing.closed, by: 'user:admin-1' },
    });

    expect(published[1]).toEqual({
      detailType: 'CalendarOpened',
      detail: { clinicId: 'c1', openingId: 'calendar-3', resourceIds: ['dr-a'], windows: opening.windows },
    });
  });

  it('reports every record from the first the bus refused, so the stream is retried from there in order', async () => {
    const { events } = bus(1);

    const answer = await publishAppointmentEvents(
      { events },
      writesOf([streamRecord('1', booked), streamRecord('2', staffBooked), streamRecord('3', cancelled, 'MODIFY')]),
    );

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: '2' }, { itemIdentifier: '3' }]);
  });
});
