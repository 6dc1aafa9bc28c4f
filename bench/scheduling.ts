/**
 * npm run bench:scheduling — what finding and booking the earliest slot costs in a large clinic (issue 7), before and
 * after, in one run:
 * - the earliest-slot search on the generated large clinic (bench/fixtures/large-clinic.ts: 20 providers per
 *   department, 90-day horizon, 5,000 bookings, first week booked out), median wall time, with the search as it was
 *   before issue 7 (test/support/reference/find-slots-before.ts) next to today's;
 * - a growth table over providers, bookings and horizon, each varied from that base;
 * - the read capacity of one booking attempt (the busy time `bookEarliestSlot` loads), billed by DynamoDB's rules
 *   (bench/read-capacity.ts), on DynamoDB Local with the real appointment store: the reads as they were before (one
 *   Query per resource per UTC day over the granule items) and today's.
 * Timing lives here, never in tests. Prints figures, asserts none.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { appointmentIdFor, bookEarliestSlot } from '#functions/scheduling/book-earliest.ts';
import { type FindSlotsInput, findSlots, type SlotCandidate, searchWindow } from '#functions/scheduling/find-slots.ts';
import { ensureTable } from '#local/create-table.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { freePort } from '#local/ports.ts';
import { type BusyCalendar, GRANULE_MINUTES, granuleStarts, type Interval } from '#model/busy-time.ts';
import type { AppointmentType } from '#model/clinic-catalog.ts';
import { type AppointmentRecord, type AppointmentStore, dynamoAppointmentStore } from '#shared/appointment-store.ts';
import type { TableRef } from '#shared/table.ts';
import { findSlotsBefore } from '#test/support/reference/find-slots-before.ts';
import { type FixtureBooking, type LargeClinic, type LargeClinicOptions, largeClinic } from './fixtures/large-clinic.ts';
import { meterReads } from './read-capacity.ts';

/** The search measured: a new primary-care patient, no preferences (both sites, every provider of the department). */
const APPOINTMENT_TYPE = 'PRIMARY_CARE_NEW';
/** As bookEarliestSlot reads and searches: a week at a time. */
const CHUNK_DAYS = 7;
const DAY_MS = 86_400_000;

export interface GrowthRow {
  providersPerDepartment: number;
  /** Random bookings placed (all departments), and the bookings filling the first week. */
  bookings: number;
  fillBookings: number;
  horizonDays: number;
  searchMedianMsBefore: number;
  searchMedianMs: number;
  /** Billed RCU of one booking attempt's reads, before and today (undefined when not measured). */
  rcuBefore?: number;
  rcu?: number;
}

export interface SchedulingFigures {
  /** Large fixture, first week booked out: median ms of the earliest-slot search today (goal ≤ 10). */
  slotSearchMedianMs: number;
  slotSearchMedianMsBefore: number;
  /** Large fixture, first week booked out: billed RCU of one booking attempt's reads today (goal ≤ 20). */
  rcuPerBookingAttemptLargeClinic: number;
  rcuPerBookingAttemptLargeClinicBefore: number;
  /** The same attempt with the first week still open. */
  rcuPerBookingAttemptFirstWeekOpen: number;
  rcuPerBookingAttemptFirstWeekOpenBefore: number;
  /** What DynamoDB Local itself reported as ConsumedCapacity for the same attempts (first week booked out). */
  rcuPerBookingAttemptLocalReported: number;
  rcuPerBookingAttemptLocalReportedBefore: number;
  growth: GrowthRow[];
}

export interface MeasureSchedulingOptions {
  /** Runs per search median (today's search; the search before issue 7 gets a fifth of them, at least 3). */
  runs?: number;
  /** Also measure read capacity for every growth row (a few seconds of DynamoDB Local each). Default true. */
  growthReads?: boolean;
  log?: (line: string) => void;
}

const BASE: Required<Pick<LargeClinicOptions, 'providersPerDepartment' | 'bookings' | 'horizonDays'>> = {
  providersPerDepartment: 20,
  bookings: 5_000,
  horizonDays: 90,
};
const GROWTH: LargeClinicOptions[] = [
  ...[2, 5, 10, 20, 40].map((providersPerDepartment) => ({ ...BASE, providersPerDepartment })),
  ...[1_000, 20_000].map((bookings) => ({ ...BASE, bookings })),
  { ...BASE, horizonDays: 28 },
];

export async function measureScheduling(options: MeasureSchedulingOptions = {}): Promise<SchedulingFigures> {
  const runs = options.runs ?? 31;
  const log = options.log ?? (() => {});
  const dynamodb = await startDynamoDbLocal({ port: await freePort() });
  try {
    const growth: GrowthRow[] = [];
    let base: { row: GrowthRow; reads: AttemptReads; open: AttemptReads } | undefined;
    for (const config of GROWTH) {
      const fixture = largeClinic({ ...config, firstWeekBookedOut: true });
      const isBase = config.providersPerDepartment === 20 && config.bookings === 5_000 && config.horizonDays === 90;
      const row: GrowthRow = {
        providersPerDepartment: fixture.options.providersPerDepartment,
        bookings: fixture.bookings.length,
        fillBookings: fixture.fillBookings.length,
        horizonDays: fixture.horizonDays,
        searchMedianMsBefore: searchMedian(fixture, findSlotsBefore, Math.max(3, Math.round(runs / 5))),
        searchMedianMs: searchMedian(fixture, findSlots, runs),
      };
      if (isBase || options.growthReads !== false) {
        const reads = await attemptReads(dynamodb, fixture);
        row.rcuBefore = reads.before.rcu;
        row.rcu = reads.today.rcu;
        if (isBase) base = { row, reads, open: await attemptReads(dynamodb, largeClinic({ ...config, firstWeekBookedOut: false })) };
      }
      log(growthLine(row));
      growth.push(row);
    }
    if (!base) throw new Error('bench: the base configuration is not in the growth table');
    return {
      slotSearchMedianMs: base.row.searchMedianMs,
      slotSearchMedianMsBefore: base.row.searchMedianMsBefore,
      rcuPerBookingAttemptLargeClinic: base.reads.today.rcu,
      rcuPerBookingAttemptLargeClinicBefore: base.reads.before.rcu,
      rcuPerBookingAttemptFirstWeekOpen: base.open.today.rcu,
      rcuPerBookingAttemptFirstWeekOpenBefore: base.open.before.rcu,
      rcuPerBookingAttemptLocalReported: base.reads.today.localReportedRcu,
      rcuPerBookingAttemptLocalReportedBefore: base.reads.before.localReportedRcu,
      growth,
    };
  } finally {
    await dynamodb.stop();
  }
}

// --- Search time ---------------------------------------------------------------------------------------------------

type Search = (input: FindSlotsInput) => Generator<SlotCandidate>;

function appointmentType(fixture: LargeClinic): AppointmentType {
  const type = fixture.catalog.appointmentTypes.find((t) => t.code === APPOINTMENT_TYPE);
  if (!type) throw new Error(`bench: no ${APPOINTMENT_TYPE} in the large clinic`);
  return type;
}

/** The earliest candidate, searched a week at a time over the search horizon (HORIZON_DAYS), as bookEarliestSlot does. */
function earliest(search: Search, fixture: LargeClinic, busy: BusyCalendar): SlotCandidate | undefined {
  const type = appointmentType(fixture);
  const input = { catalog: fixture.catalog, appointmentType: type, preferences: {}, busy, now: fixture.now };
  const window = searchWindow(fixture.catalog, type, {}, fixture.now);
  for (let from = window.start.getTime(); from < window.end.getTime(); from += CHUNK_DAYS * DAY_MS) {
    const within = { start: new Date(from), end: new Date(Math.min(from + CHUNK_DAYS * DAY_MS, window.end.getTime())) };
    const first = search({ ...input, within }).next();
    if (!first.done) return first.value;
  }
  return undefined;
}

function searchMedian(fixture: LargeClinic, search: Search, runs: number): number {
  const busy = fixture.busy();
  const reference = earliest(findSlots, fixture, busy);
  const samples: number[] = [];
  for (let i = 0; i < runs + 2; i += 1) {
    const started = performance.now();
    const found = earliest(search, fixture, busy);
    const ms = performance.now() - started;
    if (found?.start.getTime() !== reference?.start.getTime()) throw new Error('bench: the two searches disagree');
    if (i >= 2) samples.push(ms); // two warm-up runs
  }
  return median(samples);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

// --- Read capacity -------------------------------------------------------------------------------------------------

interface AttemptReads {
  before: { rcu: number; requests: number; localReportedRcu: number };
  today: { rcu: number; requests: number; localReportedRcu: number };
}

/**
 * Loads the fixture's bookings of the searched department that the attempt can read (up to its slot's week) into a
 * new table through the real store, then runs one `bookEarliestSlot` twice with a store whose `book` writes nothing
 * (so both runs see the same table): once reading busy time as before issue 7, once as the store does today.
 */
async function attemptReads(dynamodb: DynamoDbLocal, fixture: LargeClinic): Promise<AttemptReads> {
  const raw = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = `bench-scheduling-${Math.random().toString(36).slice(2, 8)}`;
  await ensureTable(raw, tableName);
  const plain: TableRef = { client: DynamoDBDocumentClient.from(raw), tableName };
  const type = appointmentType(fixture);
  // The attempt reads week after week up to its slot: the bookings before the slot's week's end are all it can see.
  const expected = earliest(findSlots, fixture, fixture.busy());
  const reach = expected?.start ?? searchWindow(fixture.catalog, type, {}, fixture.now).end;
  const readable = reach.getTime() + (CHUNK_DAYS + 1) * DAY_MS;
  const seeded = [...fixture.fillBookings, ...fixture.bookings].filter(
    (b) => b.departmentId === type.departmentId && b.start.getTime() < readable,
  );
  await seed(dynamoAppointmentStore(plain), fixture, seeded, plain);

  const metered: TableRef = { client: DynamoDBDocumentClient.from(raw), tableName };
  const meter = meterReads(metered.client, plain.client);
  const store = dynamoAppointmentStore(metered);
  const dryRun = (appointments: AppointmentStore): AppointmentStore => ({
    ...appointments,
    book: async (appointment) => ({ outcome: 'BOOKED', appointment }),
  });
  const attempt = async (appointments: AppointmentStore) => {
    meter.reset();
    const result = await bookEarliestSlot(dryRun(appointments), {
      bookedBy: 'function:bench',
      clinicId: fixture.clinicId,
      journeyId: 'bench-journey',
      patientId: 'bench-patient',
      catalog: fixture.catalog,
      appointmentType: type,
      preferences: {},
      now: fixture.now,
    });
    const booked = result.outcome === 'NO_SLOT' ? undefined : Date.parse(result.appointment.start);
    if (booked !== expected?.start.getTime()) throw new Error('bench: the attempt and the search disagree');
    const requests = Object.values(meter.requests).reduce((sum, n) => sum + n, 0);
    return { rcu: meter.rcu, requests, localReportedRcu: meter.localReportedRcu };
  };
  const before = await attempt({
    ...store,
    loadBusy: (clinicId, _departmentId, resourceIds, interval, busy) => loadBusyBefore(metered, clinicId, resourceIds, interval, busy),
  });
  const today = await attempt(store);
  return { before, today };
}

/**
 * Books `bookings` through the store and, for the "before" replay only, also puts the granule items the store wrote
 * before its busy days became the lock (`legacyGranules`, in partitions today's store never reads).
 */
async function seed(store: AppointmentStore, fixture: LargeClinic, bookings: FixtureBooking[], table: TableRef): Promise<void> {
  const { catalog } = fixture;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < bookings.length; i = next++) {
      const booking = bookings[i] as FixtureBooking;
      // Journey IDs are UUIDs (submit-intake's newId): granule items carry them, so they count in what a Query bills.
      const journeyId = randomUUID();
      const location = catalog.locations.find((l) => l.locationId === booking.locationId);
      const department = catalog.departments.find((d) => d.departmentId === booking.departmentId);
      const [provider, other] = booking.resourceIds.map((id) => catalog.resources.find((r) => r.resourceId === id));
      if (!location || !department || !provider) throw new Error('bench: a fixture booking names what the catalog lacks');
      const appointment: AppointmentRecord = {
        appointmentId: appointmentIdFor(journeyId),
        appointmentType: booking.appointmentTypeCode,
        start: booking.start.toISOString(),
        end: booking.end.toISOString(),
        timeZone: location.timeZone,
        location: { id: location.locationId, name: location.name, address: location.address },
        department: { id: department.departmentId, name: department.name },
        provider: { id: provider.resourceId, name: provider.name },
        ...(other ? { resource: { id: other.resourceId, name: other.name } } : {}),
        type: 'Appointment',
        clinicId: fixture.clinicId,
        journeyId,
        patientId: randomUUID(),
        status: 'BOOKED',
        resourceIds: booking.resourceIds,
        createdAt: fixture.now.toISOString(),
      };
      const result = await store.book(appointment);
      if (result.outcome !== 'BOOKED') throw new Error(`bench: seeding booking ${i} ended ${result.outcome}`);
      await legacyGranules(table, appointment);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The granule items a booking wrote before the busy day became the lock: one per resource per 5 minutes, 270 B each. */
async function legacyGranules(table: TableRef, appointment: AppointmentRecord): Promise<void> {
  const interval = { start: new Date(appointment.start), end: new Date(appointment.end) };
  const expiresAt = Math.floor(interval.end.getTime() / 1000) + 7 * 86_400;
  const puts = appointment.resourceIds.flatMap((resourceId) =>
    granuleStarts(interval).map((start) => {
      const iso = start.toISOString();
      return {
        PutRequest: {
          Item: {
            PK: legacyResourceDay(appointment.clinicId, resourceId, iso.slice(0, 10)),
            SK: `BUSY#${iso.slice(11, 13)}${iso.slice(14, 16)}`,
            type: 'ResourceBusy',
            clinicId: appointment.clinicId,
            resourceId,
            appointmentId: appointment.appointmentId,
            journeyId: appointment.journeyId,
            granuleStart: iso,
            expiresAt,
          },
        },
      };
    }),
  );
  for (let i = 0; i < puts.length; i += 25) {
    let pending: Record<string, unknown[]> | undefined = { [table.tableName]: puts.slice(i, i + 25) };
    while (pending && Object.keys(pending).length > 0) {
      const out = await table.client.send(new BatchWriteCommand({ RequestItems: pending as never }));
      pending = out.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
}

const legacyResourceDay = (clinicId: string, resourceId: string, day: string) => `CLINIC#${clinicId}#RESOURCE#${resourceId}#DAY#${day}`;

/**
 * Busy time read as before issue 7: one Query per resource per UTC day over the granule items (`CLINIC#<c>#RESOURCE#<r>#DAY#<d>`,
 * written by the seeding only, since the busy day became the lock), each granule item evaluated and billed in full.
 * Kept here to price the old reads against the same bookings.
 */
async function loadBusyBefore(
  table: TableRef,
  clinicId: string,
  resourceIds: string[],
  interval: Interval,
  busy: BusyCalendar,
): Promise<void> {
  const days: string[] = [];
  const first = new Date(interval.start);
  for (let day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()); day < interval.end.getTime(); day += DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  for (const resourceId of resourceIds) {
    for (const day of days) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.client.send(
          new QueryCommand({
            TableName: table.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :busy)',
            ExpressionAttributeValues: { ':pk': legacyResourceDay(clinicId, resourceId, day), ':busy': 'BUSY#' },
            ProjectionExpression: 'SK',
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const hhmm = String(item.SK).slice('BUSY#'.length);
          const start = Date.parse(`${day}T${hhmm.slice(0, 2)}:${hhmm.slice(2, 4)}:00.000Z`);
          busy.markBusyBetween(resourceId, start, start + GRANULE_MINUTES * 60_000);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
}

// --- Output --------------------------------------------------------------------------------------------------------

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '—' : n.toFixed(digits));

function growthLine(row: GrowthRow): string {
  return [
    String(row.providersPerDepartment).padStart(9),
    String(row.bookings).padStart(8),
    String(row.fillBookings).padStart(6),
    String(row.horizonDays).padStart(7),
    fmt(row.searchMedianMsBefore).padStart(12),
    fmt(row.searchMedianMs, 2).padStart(10),
    fmt(row.rcuBefore).padStart(11),
    fmt(row.rcu).padStart(9),
  ].join(' ');
}

async function main() {
  console.log(
    `Scheduling at scale (issue 7): ${APPOINTMENT_TYPE}, first week booked out, search a week at a time as bookEarliestSlot does`,
  );
  console.log('Growth, each row varying one setting of the base (20 providers/department, 5,000 bookings, 90 days):');
  console.log('providers bookings  fill+ horizon  search before  search now  RCU before  RCU now');
  const figures = await measureScheduling({ log: (line) => console.log(line) });
  console.log('\nLarge clinic (20 providers per department, 90-day horizon, 5,000 bookings)');
  console.log(
    `  earliest-slot search, first week booked out   median ${fmt(figures.slotSearchMedianMsBefore)} ms before → ${fmt(figures.slotSearchMedianMs, 2)} ms now (goal ≤ 10)`,
  );
  console.log(
    `  RCU per booking attempt, first week booked out  ${fmt(figures.rcuPerBookingAttemptLargeClinicBefore)} before → ${fmt(figures.rcuPerBookingAttemptLargeClinic)} now (goal ≤ 20)`,
  );
  console.log(
    `  DynamoDB Local's own ConsumedCapacity for them   ${fmt(figures.rcuPerBookingAttemptLocalReportedBefore)} before → ${fmt(figures.rcuPerBookingAttemptLocalReported)} now (it charges nothing for an empty Query)`,
  );
  console.log(
    `  RCU per booking attempt, first week open        ${fmt(figures.rcuPerBookingAttemptFirstWeekOpenBefore)} before → ${fmt(figures.rcuPerBookingAttemptFirstWeekOpen)} now`,
  );
  console.log("  (RCU billed by DynamoDB rules, eventually consistent reads; the attempt's write is not performed)");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
