import type { DynamoDBBatchResponse } from 'aws-lambda';
import {
  APPOINTMENT_CHANGED,
  type AppointmentChangedDetail,
  CALENDAR_CLOSED,
  CALENDAR_OPENED,
  type SchedulingEvent,
} from '#contract/appointment-events.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { log } from '#shared/observability.ts';
import type { CalendarOutboxItem } from './calendar-store.ts';

/** Where scheduling events go: the stack's event bus (event-bus-adapter.ts). `true` per entry the bus accepted. */
export interface AppointmentEventsPort {
  publish(events: readonly SchedulingEvent[]): Promise<boolean[]>;
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

/** A write from the table's stream the filter lets through: the item as written, and its position (its batch item ID). */
export interface AppointmentWrite {
  sequenceNumber: string;
  item: AppointmentRecord | CalendarOutboxItem;
}

/** The event a write records: an appointment's change, or time a calendar change opened (IDs and instants only). */
export function eventOf(item: AppointmentWrite['item']): SchedulingEvent {
  if (item.type === 'CalendarOpening') {
    const { clinicId, openingId, resourceIds, windows } = item;
    return { detailType: CALENDAR_OPENED, detail: { clinicId, openingId, resourceIds, windows } };
  }
  if (item.type === 'CalendarClosing') {
    const { clinicId, closingId, closed, by } = item;
    return { detailType: CALENDAR_CLOSED, detail: { clinicId, closingId, closed, by } };
  }
  return { detailType: APPOINTMENT_CHANGED, detail: appointmentEventOf(item) };
}

/**
 * Turns a batch of writes (the stream's records the mapping's filter lets through, in order) into AppointmentChanged
 * and CalendarOpened events, in order, and reports the records whose event the bus did not take as batch item
 * failures: Lambda retries from the first of them, so an event may be published twice but never lost (consumers act
 * once per revision).
 */
export async function publishAppointmentEvents(
  deps: PublishAppointmentEventsDeps,
  writes: readonly AppointmentWrite[],
): Promise<DynamoDBBatchResponse> {
  const events = writes.map((write) => eventOf(write.item));
  const accepted = events.length > 0 ? await deps.events.publish(events) : [];
  const firstRefused = accepted.indexOf(false);
  if (firstRefused === -1) {
    log.info('Appointment events published', { count: events.length });
    return { batchItemFailures: [] };
  }
  // From the first refused on: the stream is retried from there, in order.
  const failed = writes.slice(firstRefused).map((write) => ({ itemIdentifier: write.sequenceNumber }));
  log.warn('Appointment events refused by the bus', { count: failed.length });
  return { batchItemFailures: failed };
}
