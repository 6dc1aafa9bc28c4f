import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
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
  const published: AppointmentChangedDetail[] = [];
  return {
    published,
    events: {
      publish: async (details: readonly AppointmentChangedDetail[]) =>
        details.map((detail) => {
          if (published.length >= accept) return false;
          published.push(detail);
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
    expect(published).toEqual([
      { clinicId: 'c1', appointmentId: 'appt-1', revision: 0, change: 'book', status: 'BOOKED', origin: 'journey' },
      { clinicId: 'c1', appointmentId: 'appt-2', revision: 0, change: 'book', status: 'BOOKED', origin: 'staff' },
      { clinicId: 'c1', appointmentId: 'appt-1', revision: 2, change: 'cancel', status: 'CANCELLED', origin: 'journey' },
    ]);
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
