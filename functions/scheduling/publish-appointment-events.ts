import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { APPOINTMENT_STREAM_FILTER, type AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { matchesEventFilter } from '#contract/audit-archive.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { log } from '#shared/observability.ts';

/** Where appointment events go: the stack's event bus (event-bus-adapter.ts). `true` per entry the bus accepted. */
export interface AppointmentEventsPort {
  publish(details: readonly AppointmentChangedDetail[]): Promise<boolean[]>;
}

export interface PublishAppointmentEventsDeps {
  events: AppointmentEventsPort;
}

/** The change an appointment item's new image records: its last history entry, or its booking when it has none. */
export function appointmentEventOf(appointment: AppointmentRecord): AppointmentChangedDetail {
  const last = appointment.history?.at(-1);
  return {
    clinicId: appointment.clinicId,
    appointmentId: appointment.appointmentId,
    revision: appointment.revision ?? 0,
    change: last && (appointment.revision ?? 0) > 0 ? last.change : 'book',
    status: appointment.status,
    origin: appointment.journeyId ? 'journey' : 'staff',
  };
}

/**
 * Turns a batch of the table's stream (appointment writes: APPOINTMENT_STREAM_FILTER) into AppointmentChanged events,
 * in order, and reports the records whose event the bus did not take as batch item failures: Lambda retries from the
 * first of them, so an event may be published twice but never lost (consumers act once per revision).
 */
export async function publishAppointmentEvents(
  deps: PublishAppointmentEventsDeps,
  records: readonly DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const wanted = records.filter((record) => matchesEventFilter(APPOINTMENT_STREAM_FILTER, record));
  const details = wanted.map((record) =>
    appointmentEventOf(unmarshall(record.dynamodb?.NewImage as Parameters<typeof unmarshall>[0]) as unknown as AppointmentRecord),
  );
  const accepted = details.length > 0 ? await deps.events.publish(details) : [];
  const firstRefused = accepted.indexOf(false);
  if (firstRefused === -1) {
    log.info('Appointment events published', { count: details.length });
    return { batchItemFailures: [] };
  }
  // From the first refused on: the stream is retried from there, in order.
  const failed = wanted.slice(firstRefused).map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }));
  log.warn('Appointment events refused by the bus', { count: failed.length });
  return { batchItemFailures: failed };
}
