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
 * The same transaction adds the booking's span to a "busy day" item per resource per UTC day (keys.busyDay), which
 * is what the slot search reads: a department's busy days share a partition, so one Query reads a week of the whole
 * department, whatever its number of providers or bookings (issue 7; docs/decisions). The granules are never read to
 * search, only to lock.
 *
 * Granule keys and busy days use the UTC date and UTC HHmm: unambiguous across DST (a local 01:30 happens twice on the
 * autumn change). A local clinic day spans at most two UTC days.
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
const DAY_MS = 86_400_000;

/**
 * Items a booking writes: 1 appointment + granules × resources + busy days × resources (one UTC day, or two when the
 * slot crosses UTC midnight). Must stay ≤ MAX_TRANSACT_ITEMS.
 */
export function transactionSize(durationMinutes: number, resourceCount: number, utcDays = 1): number {
  return 1 + (Math.ceil(durationMinutes / GRANULE_MINUTES) + utcDays) * resourceCount;
}

/** A booked span on a busy day: its UTC start and its length, "HHmm+minutes" (e.g. "1430+45"), granule-aligned. */
type Span = string;

/** The spans a booking adds to its resources' busy days: per resource, one per UTC day the interval touches. */
export function busySpans(resourceIds: string[], interval: Interval): Array<{ resourceId: string; day: string; span: Span }> {
  const start = Math.floor(interval.start.getTime() / GRANULE_MS) * GRANULE_MS;
  const end = Math.ceil(interval.end.getTime() / GRANULE_MS) * GRANULE_MS;
  const spans: Array<{ day: string; span: Span }> = [];
  for (let from = start; from < end; ) {
    const until = Math.min(end, (Math.floor(from / DAY_MS) + 1) * DAY_MS);
    const iso = new Date(from).toISOString();
    spans.push({ day: iso.slice(0, 10), span: `${iso.slice(11, 13)}${iso.slice(14, 16)}+${(until - from) / 60_000}` });
    from = until;
  }
  return resourceIds.flatMap((resourceId) => spans.map((s) => ({ resourceId, ...s })));
}

/** The interval of a span on its UTC day, in epoch milliseconds. */
export function spanInterval(day: string, span: Span): { start: number; end: number } {
  const [hhmm = '', minutes = ''] = span.split('+');
  const start = Date.parse(`${day}T${hhmm.slice(0, 2)}:${hhmm.slice(2, 4)}:00.000Z`);
  return { start, end: start + Number(minutes) * 60_000 };
}

/** A busy day outlives its day by GRANULE_TTL_DAYS, as its granules do. */
const busyDayExpiry = (day: string) => Date.parse(`${day}T00:00:00.000Z`) / 1000 + (1 + GRANULE_TTL_DAYS) * 86_400;

/** The update that adds (booking) or deletes (release) spans on a busy day: set operations, so writers never read first. */
function busyDayUpdate(
  table: TableRef,
  clinicId: string,
  departmentId: string,
  entry: { resourceId: string; day: string; span: Span },
  action: 'ADD' | 'DELETE',
) {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.busyDay(clinicId, departmentId, entry.day, entry.resourceId),
      UpdateExpression: `${action} #busy :span SET expiresAt = :expiresAt`,
      ExpressionAttributeNames: { '#busy': 'busy' },
      ExpressionAttributeValues: { ':span': new Set([entry.span]), ':expiresAt': busyDayExpiry(entry.day) },
    },
  };
}

/**
 * Books the appointment's interval on all its resources atomically. Never throws for a lost race or a repeated call:
 * those are outcomes. With 5-minute granules and a busy day per resource per UTC day, a transaction fits e.g. 4 h 00 on
 * two resources or 8 h 10 min on one (5 minutes less across UTC midnight); longer appointments are rejected here
 * rather than failing inside DynamoDB (the catalog allows 8 h at most).
 */
async function bookSlot(table: TableRef, appointment: AppointmentRecord): Promise<BookSlotResult> {
  const interval = { start: new Date(appointment.start), end: new Date(appointment.end) };
  const granules = appointment.resourceIds.flatMap((resourceId) => granuleStarts(interval).map((start) => ({ resourceId, start })));
  const spans = busySpans(appointment.resourceIds, interval);
  const size = 1 + granules.length + spans.length;
  if (size > MAX_TRANSACT_ITEMS) {
    throw new Error(`Appointment ${appointment.appointmentType} needs ${size} transaction items; the limit is ${MAX_TRANSACT_ITEMS}`);
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
          // Unconditional: the granules decide. A concurrent booking of the same resource and day conflicts here.
          ...spans.map((entry) => busyDayUpdate(table, appointment.clinicId, appointment.department.id, entry, 'ADD')),
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
 * Frees a journey's booked time: marks the appointment CANCELLED (the record stays), deletes its busy granules and
 * takes its spans off its busy days, in one transaction with the audit record, so the time is bookable again the
 * moment the cancellation commits.
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
        ...busySpans(appointment.resourceIds, interval).map((entry) =>
          busyDayUpdate(table, ref.clinicId, appointment.department.id, entry, 'DELETE'),
        ),
        { Put: { TableName: table.tableName, Item: auditItem({ ...audit, action: 'appointment.cancel', outcome: 'success' }, now) } },
      ],
    }),
  );
  return 'RELEASED';
}

/**
 * Marks in `busy` every span already booked for the resources during `interval`: one Query over the department's busy
 * days (keys.busyDay) from the UTC day of its start to that of its end, paged. What it costs depends on the bytes of
 * the busy days read (a few KB a week for a whole department), not on how many resources or bookings there are.
 * Eventually consistent on purpose: a span missed here is caught by the granules' conditional write (TAKEN).
 */
async function loadBusy(
  table: TableRef,
  clinicId: string,
  departmentId: string,
  resourceIds: string[],
  interval: Interval,
  busy: BusyCalendar,
): Promise<void> {
  const wanted = new Set(resourceIds);
  if (wanted.size === 0 || interval.end <= interval.start) return;
  const firstDay = interval.start.toISOString().slice(0, 10);
  const lastDay = new Date(interval.end.getTime() - 1).toISOString().slice(0, 10);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        // '$' sorts right after '#': the range ends after every resource of the last day.
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#busy': 'busy' },
        ExpressionAttributeValues: {
          ':pk': keys.departmentBusy(clinicId, departmentId),
          ':from': `DAY#${firstDay}#`,
          ':to': `DAY#${lastDay}$`,
        },
        ProjectionExpression: 'SK, #busy',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const [, day = '', , resourceId = ''] = String(item.SK).split('#');
      if (!wanted.has(resourceId)) continue;
      for (const span of (item.busy as Set<string> | undefined) ?? []) {
        const { start, end } = spanInterval(day, span);
        busy.markBusyBetween(resourceId, start, end);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

function granuleKey(clinicId: string, resourceId: string, start: Date) {
  const iso = start.toISOString();
  return keys.resourceGranule(clinicId, resourceId, iso.slice(0, 10), `${iso.slice(11, 13)}${iso.slice(14, 16)}`);
}

/** The appointments' port: bookings that can never overlap, one per journey, and the busy time they hold. */
export interface AppointmentStore {
  /** Books atomically on every resource; a lost race or a repeat is an outcome, never an error. */
  book(appointment: AppointmentRecord): Promise<BookSlotResult>;
  /** The journey's appointment (strongly consistent), if it has one. */
  get(ref: JourneyRef): Promise<AppointmentRecord | undefined>;
  /** Frees the journey's booked time, keeping the record CANCELLED; idempotent. */
  release(ref: JourneyRef, now: Date, audit: Omit<AuditEvent, 'action' | 'outcome'>): Promise<'RELEASED' | 'NOTHING_TO_RELEASE'>;
  /** Marks in `busy` what the department's resources (those listed) are booked for within the interval. */
  loadBusy(clinicId: string, departmentId: string, resourceIds: string[], interval: Interval, busy: BusyCalendar): Promise<void>;
}

/** The DynamoDB adapter of the appointment store. */
export function dynamoAppointmentStore(table: TableRef): AppointmentStore {
  return {
    book: (appointment) => bookSlot(table, appointment),
    get: (ref) => getAppointment(table, ref),
    release: (ref, now, audit) => releaseAppointment(table, ref, now, audit),
    loadBusy: (clinicId, departmentId, resourceIds, interval, busy) => loadBusy(table, clinicId, departmentId, resourceIds, interval, busy),
  };
}
