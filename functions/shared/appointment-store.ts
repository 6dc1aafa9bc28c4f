import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AppointmentChange, AppointmentStatus, CANCEL_REASONS, CANCELLED_BY } from '#contract/appointments.ts';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import type { AuthorizationStatus } from '#contract/prior-authorizations.ts';
import { heldInterval, holdsTime, localDate } from '#model/appointment-lifecycle.ts';
import { type BusyCalendar, GRANULE_MINUTES, granuleStarts, type Interval } from '#model/busy-time.ts';
import { type AppointmentSummary, appointmentIdOf } from '#model/journey.ts';
import type { PhysicianOrder } from '#model/physician-order.ts';
import { type AuditEvent, auditPut } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/**
 * Booking store. A booking is one TransactWriteItems: the appointment item plus, per resource per UTC day it touches,
 * an update of that resource's *busy day* (keys.busyDay) adding the booking's 5-minute granules to the day's set under
 * the condition that none of them is there yet. That conditional update IS the business rule: two overlapping bookings
 * share at least one granule of one busy day, so at most one transaction can commit.
 *
 * The busy days are also what the slot search reads: a department's busy days share a partition, so one Query reads a
 * week of the whole department, whatever its number of providers or bookings (issue 7; docs/decisions).
 *
 * Busy days and their granules use the UTC date and UTC HHmm: unambiguous across DST (a local 01:30 happens twice on
 * the autumn change). A local clinic day spans at most two UTC days.
 */

/** DynamoDB's limit on items per transaction. */
export const MAX_TRANSACT_ITEMS = 100;
/** DynamoDB's limit on the length of any expression string (here: a busy day's condition), in bytes. */
export const MAX_EXPRESSION_BYTES = 4096;
/** DynamoDB's limit on operators in one expression: a lock's condition uses two per granule (`contains`, `OR`/`NOT`). */
export const MAX_EXPRESSION_OPERATORS = 300;
/** Busy days outlive their day by this much, then TTL deletes them (the appointment item remains the record). */
export const BUSY_DAY_TTL_DAYS = 7;

/**
 * The appointment item (keys.appointment), keyed by its ID: a journey's is `appointmentIdOf(journeyId)` and a staff
 * booking's derives from its Idempotency-Key, so a repeated booking meets the first one's item and never writes a
 * second.
 */
export interface AppointmentRecord extends AppointmentSummary {
  type: 'Appointment';
  clinicId: string;
  /** The journey that booked it; absent for a booking staff made on the phone or at the desk. */
  journeyId?: string;
  patientId: string;
  /** See model/appointment-lifecycle.ts. CANCELLED keeps the record and frees its time. */
  status: AppointmentStatus;
  /** Every resource held (provider first, then rooms/devices), i.e. whose busy days the booking wrote. */
  resourceIds: string[];
  /** Minutes the resources are held before the start and after the end (the type's buffers), when not zero. */
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  createdAt: string;
  /** Who booked it: `function:bookAppointment`, or `user:<sub>` for staff. */
  bookedBy?: string;
  /** The physician's order it was booked under (types that require one). */
  order?: PhysicianOrder;
  /**
   * Where its prior authorization stands, when it needs one (the case's status, kept here by the case's own writes for
   * the day schedule and views): booked but not confirmed to the patient until APPROVED covers its day.
   */
  authorizationStatus?: AuthorizationStatus;
  /** The series (plan of care) it is a visit of. */
  seriesId?: string;
  /**
   * Incremented by every change after booking; each change is conditional on the revision it read, so two changes
   * made at once cannot both commit. Also the calendar invite's SEQUENCE. Absent (0) until the first change.
   */
  revision?: number;
  /** Every change after booking, oldest first (a reschedule keeps the times it moved from). */
  history?: AppointmentHistoryEntry[];
  cancellation?: { by: (typeof CANCELLED_BY)[number]; reason: (typeof CANCEL_REASONS)[number]; late: boolean; note?: string };
  checkedInAt?: string;
  completedAt?: string;
  noShowAt?: string;
  cancelledAt?: string;
}

export { heldInterval, holdsTime };

export interface AppointmentHistoryEntry {
  change: AppointmentChange;
  at: string;
  /** `user:<sub>` or `function:<name>`. */
  by: string;
  /** A reschedule's previous times and resources. */
  from?: { start: string; end: string; resourceIds: string[] };
  /** The Idempotency-Key of the request that made the change, when it had one: a repeat finds it here. */
  requestKey?: string;
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

/**
 * Items a booking writes: 1 appointment + one busy day per resource per UTC day the slot touches (one, or two when it
 * crosses UTC midnight). Must stay ≤ MAX_TRANSACT_ITEMS.
 */
export function transactionSize(resourceCount: number, utcDays = 1): number {
  return 1 + utcDays * resourceCount;
}

/** A busy granule on a busy day: its UTC start, "HHmm" (e.g. "1430"), granule-aligned. */
type Granule = string;

/** What a booking holds on one resource's busy day: the UTC day and its granules, in order. */
export interface BusyDayGranules {
  resourceId: string;
  day: string;
  granules: Granule[];
}

/** The granules a booking locks on its resources' busy days: per resource, one entry per UTC day the interval touches. */
export function busyDayGranules(resourceIds: string[], interval: Interval): BusyDayGranules[] {
  const days: Array<{ day: string; granules: Granule[] }> = [];
  for (const start of granuleStarts(interval)) {
    const iso = start.toISOString();
    const day = iso.slice(0, 10);
    const granule = `${iso.slice(11, 13)}${iso.slice(14, 16)}`;
    const last = days.at(-1);
    if (last?.day === day) last.granules.push(granule);
    else days.push({ day, granules: [granule] });
  }
  return resourceIds.flatMap((resourceId) => days.map(({ day, granules }) => ({ resourceId, day, granules: [...granules] })));
}

/** The start of a granule of a UTC day, in epoch milliseconds. */
export function granuleStart(day: string, granule: Granule): number {
  return Date.parse(`${day}T${granule.slice(0, 2)}:${granule.slice(2, 4)}:00.000Z`);
}

/** A busy day outlives its day by BUSY_DAY_TTL_DAYS. */
const busyDayExpiry = (day: string) => Date.parse(`${day}T00:00:00.000Z`) / 1000 + (1 + BUSY_DAY_TTL_DAYS) * 86_400;

/**
 * "None of these granules is on the busy day yet": `NOT (contains(#busy, :g0) OR …)`, one `contains` per granule. An
 * absent item or attribute contains nothing, so the first booking of a day passes.
 */
export function busyDayCondition(granuleCount: number): string {
  return `NOT (${Array.from({ length: granuleCount }, (_, i) => `contains(#busy, :g${i})`).join(' OR ')})`;
}

/**
 * The lock of one resource-day (keys.resourceLock): ADD the booking's granules on the condition that none is there yet,
 * returning the day's old image if one is (booking), or DELETE them (release). Keyed by the resource alone, so two
 * bookings of one resource meet here whatever department the catalog gave it when each was made.
 */
function lockUpdate(table: TableRef, clinicId: string, entry: BusyDayGranules, action: 'ADD' | 'DELETE') {
  return granulesUpdate(table, keys.resourceLock(clinicId, entry.resourceId, entry.day), entry, action, action === 'ADD');
}

/**
 * The slot search's copy of the same granules in the department's partition (keys.busyDay), unconditional: it is what
 * searches read, never what decides a booking (a copy left under an old department only makes a search try a slot the
 * lock then refuses).
 */
function searchCopyUpdate(table: TableRef, clinicId: string, departmentId: string, entry: BusyDayGranules, action: 'ADD' | 'DELETE') {
  return granulesUpdate(table, keys.busyDay(clinicId, departmentId, entry.day, entry.resourceId), entry, action, false);
}

/** ADD or DELETE a day's granules (set operations: writers never read first, concurrent additions never overwrite). */
function granulesUpdate(
  table: TableRef,
  key: { PK: string; SK: string },
  entry: BusyDayGranules,
  action: 'ADD' | 'DELETE',
  locking: boolean,
) {
  const base = {
    TableName: table.tableName,
    Key: key,
    UpdateExpression: `${action} #busy :granules SET expiresAt = :expiresAt`,
    ExpressionAttributeNames: { '#busy': 'busy' },
  };
  const values = { ':granules': new Set(entry.granules), ':expiresAt': busyDayExpiry(entry.day) };
  if (!locking) return { Update: { ...base, ExpressionAttributeValues: values } };
  return {
    Update: {
      ...base,
      ConditionExpression: busyDayCondition(entry.granules.length),
      ExpressionAttributeValues: { ...values, ...Object.fromEntries(entry.granules.map((g, i) => [`:g${i}`, g])) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/**
 * The granules a transaction found taken: its locks follow the appointment (CancellationReasons[i + 1] is `locks[i]`'s),
 * and a failed lock's old image says which of its granules were there (without it, never expected, all of them).
 */
function takenGranules(locks: readonly BusyDayGranules[], reasons: readonly CancellationReason[]) {
  return locks.flatMap(({ resourceId, day, granules }, i) => {
    if (reasons[i + 1]?.Code !== 'ConditionalCheckFailed') return [];
    const held = busyOf(reasons[i + 1]?.Item);
    const hit = held ? granules.filter((g) => held.has(g)) : [];
    return (hit.length > 0 ? hit : granules).map((g) => {
      const start = granuleStart(day, g);
      return { resourceId, granule: { start: new Date(start), end: new Date(start + GRANULE_MS) } };
    });
  });
}

/** The busy granules of a busy day's old image, as DynamoDB returns it in CancellationReasons (wire format, a string set). */
function busyOf(item: CancellationReason['Item']): Set<string> | undefined {
  const busy = item?.busy as { SS?: string[] } | undefined;
  return busy?.SS ? new Set(busy.SS) : undefined;
}

/**
 * Books the appointment's interval on all its resources atomically. Never throws for a lost race or a repeated call:
 * those are outcomes. Each busy day's condition names every granule the booking holds on it, and must stay within
 * DynamoDB's limits per expression (4 KB and 300 operators: 150 granules, 12 h 30 on one UTC day; the catalog allows
 * 8 h at most); longer
 * appointments, or more resource-days than a transaction holds, are rejected here rather than failing inside DynamoDB.
 */
async function bookSlot(table: TableRef, appointment: AppointmentRecord): Promise<BookSlotResult> {
  const days = busyDayGranules(appointment.resourceIds, heldInterval(appointment));
  const size = 1 + 2 * days.length;
  if (size > MAX_TRANSACT_ITEMS) {
    throw new Error(`Appointment ${appointment.appointmentType} needs ${size} transaction items; the limit is ${MAX_TRANSACT_ITEMS}`);
  }
  const longest = Math.max(0, ...days.map((d) => busyDayCondition(d.granules.length).length));
  const most = Math.max(0, ...days.map((d) => d.granules.length));
  if (2 * most > MAX_EXPRESSION_OPERATORS) {
    throw new Error(`Appointment ${appointment.appointmentType} holds ${most} granules of one day; a lock's condition takes at most 150`);
  }
  if (longest > MAX_EXPRESSION_BYTES) {
    throw new Error(
      `Appointment ${appointment.appointmentType} needs a ${longest}-byte condition on one busy day; the limit is ${MAX_EXPRESSION_BYTES}`,
    );
  }
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.tableName,
              Item: appointmentItem(appointment),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          // The locks right after the appointment: CancellationReasons[i + 1] is days[i]'s lock.
          ...days.map((entry) => lockUpdate(table, appointment.clinicId, entry, 'ADD')),
          ...days.map((entry) => searchCopyUpdate(table, appointment.clinicId, appointment.department.id, entry, 'ADD')),
        ],
      }),
    );
    return { outcome: 'BOOKED', appointment };
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    if (failed(0)) {
      const existing = await getAppointment(table, appointment.clinicId, appointment.appointmentId);
      if (!existing) throw new Error(`Appointment ${appointment.appointmentId} reported as existing but not found`, { cause: error });
      return { outcome: 'ALREADY_BOOKED', appointment: existing };
    }
    const taken = takenGranules(days, reasons);
    if (taken.length > 0) return { outcome: 'TAKEN', taken };
    if (reasons.some((r) => r.Code === 'TransactionConflict')) return { outcome: 'CONTENDED' };
    throw error;
  }
}

/** An appointment, read strongly consistent (it decides whether a retry books again, and what a change is made to). */
async function getAppointment(table: TableRef, clinicId: string, appointmentId: string): Promise<AppointmentRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.appointment(clinicId, appointmentId), ConsistentRead: true }),
  );
  return Item ? appointmentOf(Item) : undefined;
}

/** The stored item: the record, its key and its place in the day index. */
function appointmentItem(appointment: AppointmentRecord): Record<string, unknown> {
  return { ...keys.appointment(appointment.clinicId, appointment.appointmentId), ...appointmentsOfDay(appointment), ...appointment };
}

/** The record without its table and index keys. */
function appointmentOf(item: Record<string, unknown>): AppointmentRecord {
  const { PK: _pk, SK: _sk, GSI1PK: _day, GSI1SK: _start, ...record } = item;
  return record as unknown as AppointmentRecord;
}

export type SaveChangeResult =
  | { outcome: 'CHANGED'; appointment: AppointmentRecord }
  /** Someone changed the appointment since it was read (its revision moved on): read it again and decide again. */
  | { outcome: 'STALE' }
  /** A reschedule's new time is someone else's now (as BookSlotResult). */
  | { outcome: 'TAKEN'; taken: Array<{ resourceId: string; granule: Interval }> }
  | { outcome: 'CONTENDED' };

/** A lock or search copy's key, as a string: where a change's old and new granules meet on one item. */
const entryKey = (entry: BusyDayGranules) => `${entry.resourceId}/${entry.day}`;

/**
 * Writes `next` in place of `current`, in one transaction: the appointment (conditional on the revision read, so two
 * changes made at once cannot both commit), the time it gives back and the time it takes, the journey's copy of its
 * times (when a journey booked it), and the audit record. Time given back is DELETEd from the busy days; time taken
 * is ADDed on the condition that it is free, as in a booking. A busy day that holds both (a reschedule within the
 * same resource-day) cannot take an ADD and a DELETE of one attribute in one update: it is read (strongly
 * consistent) and written whole, on the condition that it still holds what was read.
 */
async function saveChange(
  table: TableRef,
  current: AppointmentRecord,
  next: AppointmentRecord,
  audit: AuditEvent,
  now: Date,
  journey?: { appointment: Record<string, unknown> },
): Promise<SaveChangeResult> {
  const given = holdsTime(current.status) ? busyDayGranules(current.resourceIds, heldInterval(current)) : [];
  const taken = holdsTime(next.status) ? busyDayGranules(next.resourceIds, heldInterval(next)) : [];
  const takenKeys = new Set(taken.map(entryKey));
  const givenByKey = new Map(given.map((entry) => [entryKey(entry), entry]));
  const sameTime = (a: BusyDayGranules, b: BusyDayGranules) => a.granules.join() === b.granules.join();
  const clinicId = current.clinicId;

  // Busy days both give and take: read each lock and search copy, then write it whole (below).
  const rewrites: Array<{ key: { PK: string; SK: string }; lock: boolean; read: Set<string> | undefined; next: Set<string> }> = [];
  const clashes: Array<{ resourceId: string; granule: Interval }> = [];
  for (const entry of taken) {
    const old = givenByKey.get(entryKey(entry));
    if (!old || sameTime(old, entry)) continue;
    for (const [key, lock] of [
      [keys.resourceLock(clinicId, entry.resourceId, entry.day), true],
      [keys.busyDay(clinicId, next.department.id, entry.day, entry.resourceId), false],
    ] as const) {
      const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
      const read = Item?.busy as Set<string> | undefined;
      const others = new Set([...(read ?? [])].filter((g) => !old.granules.includes(g)));
      if (lock) {
        for (const g of entry.granules.filter((g) => others.has(g))) {
          const at = granuleStart(entry.day, g);
          clashes.push({ resourceId: entry.resourceId, granule: { start: new Date(at), end: new Date(at + GRANULE_MS) } });
        }
      }
      rewrites.push({ key, lock, read, next: new Set([...others, ...entry.granules]) });
    }
  }
  if (clashes.length > 0) return { outcome: 'TAKEN', taken: clashes };
  const rewritten = (entry: BusyDayGranules) => {
    const old = givenByKey.get(entryKey(entry));
    return old !== undefined && takenKeys.has(entryKey(entry));
  };
  const newTaken = taken.filter((entry) => !rewritten(entry));
  const newGiven = given.filter((entry) => !takenKeys.has(entryKey(entry)));

  const items = [
    {
      Put: {
        TableName: table.tableName,
        Item: appointmentItem(next),
        // The authorization status is the prior-authorization case's to write (prior-authorization-store.ts) without a
        // revision: a change made from an older read of it would put the old status back, so it must not have moved.
        ConditionExpression: `#status = :status AND (#revision = :revision OR (attribute_not_exists(#revision) AND :revision = :zero)) AND ${
          current.authorizationStatus ? '#auth = :auth' : 'attribute_not_exists(#auth)'
        }`,
        ExpressionAttributeNames: { '#status': 'status', '#revision': 'revision', '#auth': 'authorizationStatus' },
        ExpressionAttributeValues: {
          ':status': current.status,
          ':revision': current.revision ?? 0,
          ':zero': 0,
          ...(current.authorizationStatus ? { ':auth': current.authorizationStatus } : {}),
        },
      },
    },
    // The new locks right after the appointment: CancellationReasons[i + 1] is newTaken[i]'s lock.
    ...newTaken.map((entry) => lockUpdate(table, clinicId, entry, 'ADD')),
    ...newTaken.map((entry) => searchCopyUpdate(table, clinicId, next.department.id, entry, 'ADD')),
    ...newGiven.flatMap((entry) => [
      lockUpdate(table, clinicId, entry, 'DELETE'),
      searchCopyUpdate(table, clinicId, current.department.id, entry, 'DELETE'),
    ]),
    ...rewrites.map(({ key, read, next: granules }) => ({
      Update: {
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET #busy = :next',
        ConditionExpression: read ? '#busy = :read' : 'attribute_not_exists(#busy)',
        ExpressionAttributeNames: { '#busy': 'busy' },
        ExpressionAttributeValues: { ':next': granules, ...(read ? { ':read': read } : {}) },
      },
    })),
    ...(journey && next.journeyId
      ? [
          {
            Update: {
              TableName: table.tableName,
              Key: keys.journey(clinicId, next.journeyId),
              UpdateExpression: 'SET appointment = :appointment',
              ConditionExpression: 'attribute_exists(appointment)',
              ExpressionAttributeValues: { ':appointment': journey.appointment },
            },
          },
        ]
      : []),
    auditPut(table.tableName, audit, now),
  ];
  try {
    await table.client.send(new TransactWriteCommand({ TransactItems: items }));
    return { outcome: 'CHANGED', appointment: next };
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    if (failed(0)) return { outcome: 'STALE' };
    const clash = takenGranules(newTaken, reasons);
    if (clash.length > 0) return { outcome: 'TAKEN', taken: clash };
    // A rewritten busy day or the journey moved on under us, or another writer was mid-transaction: try again.
    if (reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ConditionalCheckFailed')) return { outcome: 'CONTENDED' };
    throw error;
  }
}

/**
 * Frees a cancelled journey's booked time: the appointment becomes CANCELLED (the record stays) and its granules leave
 * its busy days, in one transaction with the audit record, so the time is bookable again the moment it commits.
 * Idempotent: no appointment, or one that no longer holds time, changes nothing. A change made at the same moment
 * (STALE, CONTENDED) is read again and the cancellation decided again.
 */
async function releaseAppointment(
  table: TableRef,
  ref: JourneyRef,
  now: Date,
  audit: Omit<AuditEvent, 'action' | 'outcome'>,
): Promise<'RELEASED' | 'NOTHING_TO_RELEASE'> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const appointment = await getAppointment(table, ref.clinicId, appointmentIdOf(ref.journeyId));
    if (appointment?.status !== 'BOOKED') return 'NOTHING_TO_RELEASE';
    const at = now.toISOString();
    const next: AppointmentRecord = {
      ...appointment,
      status: 'CANCELLED',
      cancelledAt: at,
      revision: (appointment.revision ?? 0) + 1,
      history: [...(appointment.history ?? []), { change: 'cancel', at, by: audit.actor }],
    };
    const result = await saveChange(table, appointment, next, { ...audit, action: 'appointment.cancel', outcome: 'success' }, now);
    if (result.outcome === 'CHANGED') return 'RELEASED';
  }
  throw new Error(`Appointment of journey ${ref.journeyId} kept changing while it was being released`);
}

/**
 * Marks in `busy` every granule already booked for the resources during `interval`: one Query over the department's busy
 * days (keys.busyDay) from the UTC day of its start to that of its end, paged. What it costs depends on the bytes of
 * the busy days read (a few KB a week for a whole department), not on how many resources or bookings there are.
 * Eventually consistent on purpose: a granule missed here is caught by the busy day's condition (TAKEN).
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
      for (const granule of (item.busy as Set<string> | undefined) ?? []) {
        const start = granuleStart(day, granule);
        busy.markBusyBetween(resourceId, start, start + GRANULE_MS);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * The appointment's entry in the day index (GSI1): its location's local date, then its start as a UTC instant, so a
 * day sorts in the order things happen (local times repeat when clocks go back: 01:45 EDT comes before 01:30 EST).
 */
function appointmentsOfDay(appointment: AppointmentRecord) {
  return keys.appointmentsOfDayIndex(
    appointment.clinicId,
    localDate(appointment.start, appointment.timeZone),
    new Date(appointment.start).toISOString(),
    appointment.appointmentId,
  );
}

/** One page of a day's appointments, and where the next page starts. */
export interface AppointmentPage {
  appointments: AppointmentRecord[];
  cursor?: Record<string, unknown>;
}

/**
 * The clinic's appointments of one local day, in start order, a page at a time (GSI1, eventually consistent): the
 * read grows with that day's appointments only. Cancelled ones are included; reports filter by status, department or
 * location from the page.
 */
async function listDay(
  table: TableRef,
  clinicId: string,
  localDay: string,
  page: { limit?: number; cursor?: Record<string, unknown> } = {},
): Promise<AppointmentPage> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :day',
      ExpressionAttributeValues: { ':day': keys.appointmentsOfDayIndex(clinicId, localDay, '', '').GSI1PK },
      ...(page.limit ? { Limit: page.limit } : {}),
      ExclusiveStartKey: page.cursor,
    }),
  );
  const appointments = (result.Items ?? []).map(appointmentOf);
  return { appointments, ...(result.LastEvaluatedKey ? { cursor: result.LastEvaluatedKey } : {}) };
}

/** The appointments' port: bookings that can never overlap, one per journey, and the busy time they hold. */
export interface AppointmentStore {
  /** Books atomically on every resource; a lost race or a repeat is an outcome, never an error. */
  book(appointment: AppointmentRecord): Promise<BookSlotResult>;
  /** The journey's appointment (strongly consistent), if it has one. */
  get(ref: JourneyRef): Promise<AppointmentRecord | undefined>;
  /** An appointment by ID (strongly consistent). */
  getById(clinicId: string, appointmentId: string): Promise<AppointmentRecord | undefined>;
  /**
   * Replaces `current` with `next` (a change after booking: see saveChange), with its audit record and, for a journey's
   * appointment, the journey's copy of it.
   */
  saveChange(
    current: AppointmentRecord,
    next: AppointmentRecord,
    audit: AuditEvent,
    now: Date,
    journey?: { appointment: Record<string, unknown> },
  ): Promise<SaveChangeResult>;
  /** Frees the journey's booked time, keeping the record CANCELLED; idempotent. */
  release(ref: JourneyRef, now: Date, audit: Omit<AuditEvent, 'action' | 'outcome'>): Promise<'RELEASED' | 'NOTHING_TO_RELEASE'>;
  /** Marks in `busy` what the department's resources (those listed) are booked for within the interval. */
  loadBusy(clinicId: string, departmentId: string, resourceIds: string[], interval: Interval, busy: BusyCalendar): Promise<void>;
  /** The clinic's appointments of a local day (YYYY-MM-DD, each in its location's zone), by start, a page at a time. */
  listDay(clinicId: string, localDay: string, page?: { limit?: number; cursor?: Record<string, unknown> }): Promise<AppointmentPage>;
}

/** The DynamoDB adapter of the appointment store. */
export function dynamoAppointmentStore(table: TableRef): AppointmentStore {
  return {
    book: (appointment) => bookSlot(table, appointment),
    get: (ref) => getAppointment(table, ref.clinicId, appointmentIdOf(ref.journeyId)),
    getById: (clinicId, appointmentId) => getAppointment(table, clinicId, appointmentId),
    saveChange: (current, next, audit, now, journey) => saveChange(table, current, next, audit, now, journey),
    release: (ref, now, audit) => releaseAppointment(table, ref, now, audit),
    loadBusy: (clinicId, departmentId, resourceIds, interval, busy) => loadBusy(table, clinicId, departmentId, resourceIds, interval, busy),
    listDay: (clinicId, localDay, page) => listDay(table, clinicId, localDay, page),
  };
}
