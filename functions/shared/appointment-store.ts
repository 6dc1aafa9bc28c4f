import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import { type BusyCalendar, GRANULE_MINUTES, granuleStarts, type Interval } from '#model/busy-time.ts';
import type { AppointmentSummary } from '#model/journey.ts';
import { type AuditEvent, auditItem } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/**
 * Booking store. A booking is one TransactWriteItems: the appointment item plus one "busy" item per resource per
 * 5-minute granule, each put with attribute_not_exists. The conditional write IS the business rule: two overlapping
 * bookings share at least one granule key, so at most one transaction can commit.
 *
 * Granule keys use the UTC date and UTC HHmm: unambiguous across DST (a local 01:30 happens twice on the autumn
 * change). A local clinic day spans at most two UTC-day partitions.
 */

/** DynamoDB's limit on items per transaction. */
export const MAX_TRANSACT_ITEMS = 100;
/** Busy granules outlive their slot by this much, then TTL deletes them (the appointment item remains the record). */
export const GRANULE_TTL_DAYS = 7;

/** The appointment item (keys.appointment): one per journey, which is what makes booking idempotent. */
export interface AppointmentRecord extends AppointmentSummary {
  type: 'Appointment';
  clinicId: string;
  journeyId: string;
  patientId: string;
  /** CANCELLED keeps the record and frees its time (releaseAppointment). */
  status: 'BOOKED' | 'CANCELLED';
  /** Every resource held (provider first, then rooms/devices), i.e. whose granules the booking wrote. */
  resourceIds: string[];
  createdAt: string;
}

export type BookSlotResult =
  /** This call booked it. */
  | { outcome: 'BOOKED'; appointment: AppointmentRecord }
  /** The journey already had an appointment (a retry): nothing was written, here is the existing one. */
  | { outcome: 'ALREADY_BOOKED'; appointment: AppointmentRecord }
  /** Some granules belong to another booking: try the next candidate. `taken` lists the ones DynamoDB reported. */
  | { outcome: 'TAKEN'; taken: Array<{ resourceId: string; granule: Interval }> }
  /** Another transaction was writing the same items at that moment; the slot may or may not be free now. */
  | { outcome: 'CONTENDED' };

const GRANULE_MS = GRANULE_MINUTES * 60_000;

/** Items a booking writes: 1 appointment + granules × resources. Must stay ≤ MAX_TRANSACT_ITEMS. */
export function transactionSize(durationMinutes: number, resourceCount: number): number {
  return 1 + Math.ceil(durationMinutes / GRANULE_MINUTES) * resourceCount;
}

/**
 * Books the appointment's interval on all its resources atomically. Never throws for a lost race or a repeated call:
 * those are outcomes. With 5-minute granules a transaction fits 99 resource-granules, e.g. 4 h 05 min on two resources
 * or 8 h 15 min on one; longer appointments are rejected here rather than failing inside DynamoDB.
 */
async function bookSlot(table: TableRef, appointment: AppointmentRecord): Promise<BookSlotResult> {
  const interval = { start: new Date(appointment.start), end: new Date(appointment.end) };
  const granules = appointment.resourceIds.flatMap((resourceId) => granuleStarts(interval).map((start) => ({ resourceId, start })));
  if (granules.length + 1 > MAX_TRANSACT_ITEMS) {
    throw new Error(
      `Appointment ${appointment.appointmentType} needs ${granules.length + 1} transaction items; the limit is ${MAX_TRANSACT_ITEMS}`,
    );
  }
  const expiresAt = Math.floor(interval.end.getTime() / 1000) + GRANULE_TTL_DAYS * 86_400;
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.tableName,
              Item: { ...keys.appointment(appointment.clinicId, appointment.journeyId), ...appointment },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...granules.map(({ resourceId, start }) => ({
            Put: {
              TableName: table.tableName,
              Item: {
                ...granuleKey(appointment.clinicId, resourceId, start),
                type: 'ResourceBusy',
                clinicId: appointment.clinicId,
                resourceId,
                appointmentId: appointment.appointmentId,
                journeyId: appointment.journeyId,
                granuleStart: start.toISOString(),
                expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          })),
        ],
      }),
    );
    return { outcome: 'BOOKED', appointment };
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    if (failed(0)) {
      const existing = await getAppointment(table, appointment);
      if (!existing)
        throw new Error(`Appointment for journey ${appointment.journeyId} reported as existing but not found`, { cause: error });
      return { outcome: 'ALREADY_BOOKED', appointment: existing };
    }
    const taken = granules
      .filter((_, i) => failed(i + 1))
      .map(({ resourceId, start }) => ({ resourceId, granule: { start, end: new Date(start.getTime() + GRANULE_MS) } }));
    if (taken.length > 0) return { outcome: 'TAKEN', taken };
    if (reasons.some((r) => r.Code === 'TransactionConflict')) return { outcome: 'CONTENDED' };
    throw error;
  }
}

/** The journey's appointment, read strongly consistent (it decides whether a retry books again). */
async function getAppointment(table: TableRef, ref: JourneyRef): Promise<AppointmentRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.appointment(ref.clinicId, ref.journeyId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...record } = Item;
  return record as AppointmentRecord;
}

/**
 * Frees a journey's booked time: marks the appointment CANCELLED (the record stays) and deletes its busy granules, in
 * one transaction with the audit record, so the time is bookable again the moment the cancellation commits.
 * Idempotent: no appointment, or one already cancelled, changes nothing. A granule already gone (TTL) is fine; the
 * delete's condition names this appointment, so the transaction can never free another booking's time.
 */
async function releaseAppointment(
  table: TableRef,
  ref: JourneyRef,
  now: Date,
  audit: Omit<AuditEvent, 'action' | 'outcome'>,
): Promise<'RELEASED' | 'NOTHING_TO_RELEASE'> {
  const appointment = await getAppointment(table, ref);
  if (!appointment || appointment.status === 'CANCELLED') return 'NOTHING_TO_RELEASE';
  const interval = { start: new Date(appointment.start), end: new Date(appointment.end) };
  await table.client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.appointment(ref.clinicId, ref.journeyId),
            UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at',
            ConditionExpression: '#status = :booked',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':booked': 'BOOKED', ':at': now.toISOString() },
          },
        },
        ...appointment.resourceIds.flatMap((resourceId) =>
          granuleStarts(interval).map((start) => ({
            Delete: {
              TableName: table.tableName,
              Key: granuleKey(ref.clinicId, resourceId, start),
              ConditionExpression: 'attribute_not_exists(PK) OR appointmentId = :appointmentId',
              ExpressionAttributeValues: { ':appointmentId': appointment.appointmentId },
            },
          })),
        ),
        { Put: { TableName: table.tableName, Item: auditItem({ ...audit, action: 'appointment.cancel', outcome: 'success' }, now) } },
      ],
    }),
  );
  return 'RELEASED';
}

/** How many resource-day partitions are read at once. */
const QUERY_CONCURRENCY = 8;

/**
 * Marks in `busy` every granule already booked for the resources during `interval`: one Query per resource per UTC
 * day partition (keys.resourceDay). Eventually consistent on purpose: a granule missed here is caught by the
 * conditional write, which reports it as TAKEN.
 */
async function loadBusy(table: TableRef, clinicId: string, resourceIds: string[], interval: Interval, busy: BusyCalendar): Promise<void> {
  const days: string[] = [];
  for (let day = Date.UTC(...utcYmd(interval.start)); day < interval.end.getTime(); day += 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  const partitions = resourceIds.flatMap((resourceId) => days.map((day) => ({ resourceId, day })));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < partitions.length; i = next++) {
      const { resourceId, day } = partitions[i] as { resourceId: string; day: string };
      for (const start of await queryPartition(table, clinicId, resourceId, day)) {
        busy.markBusy(resourceId, { start, end: new Date(start.getTime() + GRANULE_MS) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(QUERY_CONCURRENCY, partitions.length) }, worker));
}

async function queryPartition(table: TableRef, clinicId: string, resourceId: string, day: string): Promise<Date[]> {
  const starts: Date[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :busy)',
        ExpressionAttributeValues: { ':pk': keys.resourceDay(clinicId, resourceId, day), ':busy': 'BUSY#' },
        ProjectionExpression: 'SK',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const hhmm = String(item.SK).slice('BUSY#'.length);
      starts.push(new Date(`${day}T${hhmm.slice(0, 2)}:${hhmm.slice(2, 4)}:00.000Z`));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return starts;
}

function granuleKey(clinicId: string, resourceId: string, start: Date) {
  const iso = start.toISOString();
  return keys.resourceGranule(clinicId, resourceId, iso.slice(0, 10), `${iso.slice(11, 13)}${iso.slice(14, 16)}`);
}

function utcYmd(at: Date): [number, number, number] {
  return [at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()];
}

/** The appointments' port: bookings that can never overlap, one per journey, and the busy time they hold. */
export interface AppointmentStore {
  /** Books atomically on every resource; a lost race or a repeat is an outcome, never an error. */
  book(appointment: AppointmentRecord): Promise<BookSlotResult>;
  /** The journey's appointment (strongly consistent), if it has one. */
  get(ref: JourneyRef): Promise<AppointmentRecord | undefined>;
  /** Frees the journey's booked time, keeping the record CANCELLED; idempotent. */
  release(ref: JourneyRef, now: Date, audit: Omit<AuditEvent, 'action' | 'outcome'>): Promise<'RELEASED' | 'NOTHING_TO_RELEASE'>;
  /** Marks in `busy` what the resources are booked for within the interval. */
  loadBusy(clinicId: string, resourceIds: string[], interval: Interval, busy: BusyCalendar): Promise<void>;
}

/** The DynamoDB adapter of the appointment store. */
export function dynamoAppointmentStore(table: TableRef): AppointmentStore {
  return {
    book: (appointment) => bookSlot(table, appointment),
    get: (ref) => getAppointment(table, ref),
    release: (ref, now, audit) => releaseAppointment(table, ref, now, audit),
    loadBusy: (clinicId, resourceIds, interval, busy) => loadBusy(table, clinicId, resourceIds, interval, busy),
  };
}
