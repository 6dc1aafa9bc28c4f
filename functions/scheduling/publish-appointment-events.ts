import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
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

/** An appointment write from the table's stream: the item as written, and the record's position (its batch item ID). */
export interface AppointmentWrite {
  sequenceNumber: string;
  appointment: AppointmentRecord;
}

/**
 * Turns a batch of appointment writes (the stream's records the mapping's filter lets through, in order) into
 * AppointmentChanged events, in order, and reports the records whose event the bus did not take as batch item
 * failures: Lambda retries from the first of them, so an event may be published twice but never lost (consumers act
 * once per revision).
 */
export async function publishAppointmentEvents(
  deps: PublishAppointmentEventsDeps,
  writes: readonly AppointmentWrite[],
): Promise<DynamoDBBatchResponse> {
  const details = writes.map((write) => appointmentEventOf(write.appointment));
  const accepted = details.length > 0 ? await deps.events.publish(details) : [];
  const firstRefused = accepted.indexOf(false);
  if (firstRefused === -1) {
    log.info('Appointment events published', { count: details.length });
    return { batchItemFailures: [] };
  }
  // From the first refused on: the stream is retried from there, in order.
  const failed = writes.slice(firstRefused).map((write) => ({ itemIdentifier: write.sequenceNumber }));
  log.warn('Appointment events refused by the bus', { count: failed.length });
  return { batchItemFailures: failed };
}
