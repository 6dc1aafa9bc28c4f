import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { BusyCalendar } from '#model/busy-time.ts';
import {
  type AppointmentRecord,
  type AppointmentStore,
  BUSY_DAY_TTL_DAYS,
  dynamoAppointmentStore,
  transactionSize,
} from '#shared/appointment-store.ts';
import { keys } from '#shared/keys.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { appointmentRecord } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

// The fixture's 45 minutes on its provider (res-1) and device (res-2), moved far enough ahead that no TTL expires
// mid-test: 14:30-15:15 UTC, 9 granules per resource.
const START = '2041-03-04T14:30:00.000Z';
const END = '2041-03-04T15:15:00.000Z';
const DAY = '2041-03-04';
const NINE_GRANULES = ['1430', '1435', '1440', '1445', '1450', '1455', '1500', '1505', '1510'];
/** The granules "HHmm" of [from, until) on one UTC day (times as "HH:mm"). */
function granulesBetween(from: string, until: string): string[] {
  const granules: string[] = [];
  for (let at = Date.parse(`${DAY}T${from}:00Z`); at < Date.parse(`${DAY}T${until}:00Z`); at += 5 * 60_000) {
    granules.push(new Date(at).toISOString().slice(11, 16).replace(':', ''));
  }
  return granules;
}

const table = await localTable('appointment-store');
const appointments = dynamoAppointmentStore(table);

/** The fixture appointment in a clinic of its own (nothing another test booked is in its way), at START-END. */
function booking(overrides: Partial<AppointmentRecord> = {}): AppointmentRecord {
  return appointmentRecord({ clinicId: `clinic-${randomUUID().slice(0, 8)}`, start: START, end: END, ...overrides });
}

/** The busy days of a department (keys.busyDay), read back strongly consistent: SK → its granules, sorted. */
async function busyDaysOf(clinicId: string, departmentId = 'dep-1'): Promise<Record<string, string[]>> {
  const Items = await busyDayItems(clinicId, departmentId);
  return Object.fromEntries(Items.map((item) => [String(item.SK), [...((item.busy as Set<string> | undefined) ?? [])].sort()]));
}

async function busyDayItems(clinicId: string, departmentId = 'dep-1'): Promise<Array<Record<string, unknown>>> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.departmentBusy(clinicId, departmentId) },
      ConsistentRead: true,
    }),
  );
  return Items;
}

/** An appointment store over a client that counts the commands it sends, by name. */
function countingStore(): { store: AppointmentStore; sent: Record<string, number> } {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const sent: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent[context.commandName ?? ''] = (sent[context.commandName ?? ''] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize' },
  );
  return { store: dynamoAppointmentStore({ ...table, client }), sent };
}

/** An appointment store whose next TransactWriteItems fails with `error` instead of reaching DynamoDB Local. */
function storeFailingNextTransaction(error: Error): AppointmentStore {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 1 }));
  let failed = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!failed && context.commandName === 'TransactWriteItemsCommand') {
        failed = true;
        throw error;
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  return dynamoAppointmentStore({ ...table, client });
}

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

/** One provider's 45-minute bookings, `count` of them, the i-th starting `stepMinutes` × i after `first`. */
function fortyFiveMinuteBookings(clinicId: string, name: string, first: string, count: number, stepMinutes: number): AppointmentRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const start = Date.parse(first) + i * stepMinutes * 60_000;
    return booking({
      clinicId,
      journeyId: `${name}-${i}`,
      appointmentId: `appt-${name}-${i}`,
      resourceIds: ['res-1'],
      start: new Date(start).toISOString(),
      end: new Date(start + 45 * 60_000).toISOString(),
    });
  });
}

/** Books them all at once, trying CONTENDED again as the use case's next attempt would; the outcome of each. */
function bookAllAtOnce(slots: AppointmentRecord[]): Promise<string[]> {
  return Promise.all(
    slots.map(async (slot) => {
      for (;;) {
        const result = await appointments.book(slot);
        if (result.outcome !== 'CONTENDED') return result.outcome;
      }
    }),
  );
}

describe('Appointment store: bookings on DynamoDB Local', () => {
  it("writes the appointment and its granules on each resource's busy day, expiring a week after the day", async () => {
    // Prepare
    const appointment = booking();

    // Act
    const result = await appointments.book(appointment);

    // Assess: two items besides the appointment, one busy day per resource, holding the nine granules and nothing else.
    expect(result).toEqual({ outcome: 'BOOKED', appointment });
    expect(await appointments.getById(appointment.clinicId, appointment.appointmentId)).toEqual(appointment);
    const busyDays = await busyDaysOf(appointment.clinicId);
    expect(busyDays).toEqual({ 'DAY#2041-03-04#RESOURCE#res-1': NINE_GRANULES, 'DAY#2041-03-04#RESOURCE#res-2': NINE_GRANULES });
    expect(1 + Object.keys(busyDays).length).toBe(transactionSize(2));
    const [item] = await busyDayItems(appointment.clinicId);
    expect(Object.keys(item ?? {}).sort()).toEqual(['PK', 'SK', 'busy', 'expiresAt']);
    expect(item?.expiresAt).toBe(Date.parse(`${DAY}T00:00:00Z`) / 1000 + (1 + BUSY_DAY_TTL_DAYS) * 86_400);
  });

  it('lets exactly one of 20 concurrent bookings of the same slot succeed', async () => {
    // Prepare: 20 journeys want the same 45 minutes on one provider and one device.
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const journeys = Array.from({ length: 20 }, (_, i) => `race-${i}`);

    // Act
    const results = await Promise.all(
      journeys.map((journeyId) => appointments.book(booking({ clinicId, journeyId, appointmentId: `appt-${journeyId}` }))),
    );

    // Assess: one winner; every loser failed cleanly and left no appointment behind.
    const winners = journeys.filter((_, i) => results[i]?.outcome === 'BOOKED');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.outcome !== 'BOOKED').every((r) => r.outcome === 'TAKEN' || r.outcome === 'CONTENDED')).toBe(true);
    const stored = await Promise.all(journeys.map((journeyId) => appointments.get({ clinicId, journeyId })));
    expect(stored.filter(Boolean).map((a) => a?.journeyId)).toEqual(winners);
    // …and the busy days hold the winner's granules: the losers' transactions added nothing.
    expect(await busyDaysOf(clinicId)).toEqual({
      'DAY#2041-03-04#RESOURCE#res-1': NINE_GRANULES,
      'DAY#2041-03-04#RESOURCE#res-2': NINE_GRANULES,
    });
  });

  it('lets exactly one of concurrent overlapping, not identical, bookings succeed', async () => {
    // Prepare: 9 journeys want 45 minutes of one provider, starting 5 minutes apart (14:30 … 15:10): every two overlap.
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const slots = fortyFiveMinuteBookings(clinicId, 'overlap', START, 9, 5);

    // Act: all at once; CONTENDED is tried again, as the use case's next attempt would meet the same granules.
    const results = await bookAllAtOnce(slots);

    // Assess: one booked, every other one TAKEN, and the busy day holds exactly the winner's granules.
    expect(results.filter((r) => r === 'BOOKED')).toHaveLength(1);
    expect(results.filter((r) => r === 'TAKEN')).toHaveLength(8);
    const winner = slots[results.indexOf('BOOKED')] as AppointmentRecord;
    const hhmm = (iso: string) => iso.slice(11, 16);
    expect(await busyDaysOf(clinicId)).toEqual({ 'DAY#2041-03-04#RESOURCE#res-1': granulesBetween(hhmm(winner.start), hhmm(winner.end)) });
  });

  it('keeps every granule when concurrent bookings of one resource and day take different times', async () => {
    // Prepare: 12 journeys want one provider on the same day, each at its own time (back to back from 08:00 UTC).
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const slots = fortyFiveMinuteBookings(clinicId, 'day', '2041-03-04T08:00:00Z', 12, 45);

    // Act: all at once; a transaction that met another on the busy day (CONTENDED) is tried again, as the use case would.
    const results = await bookAllAtOnce(slots);

    // Assess: every one booked, and the busy day holds every granule (set additions never overwrite each other).
    expect(results).toEqual(slots.map(() => 'BOOKED'));
    expect(await busyDaysOf(clinicId)).toEqual({ 'DAY#2041-03-04#RESOURCE#res-1': granulesBetween('08:00', '17:00') });
  });

  it('splits a slot across UTC midnight over both busy days, locks both and reads both back', async () => {
    // Prepare: 16:30-17:30 in Denver (MST) is 23:30-00:30 UTC.
    const appointment = booking({ start: '2041-03-04T23:30:00.000Z', end: '2041-03-05T00:30:00.000Z', resourceIds: ['res-1'] });
    const { clinicId } = appointment;
    const busy = new BusyCalendar();
    const onEither = (start: string, end: string, journeyId: string) =>
      appointments.book(booking({ clinicId, journeyId, appointmentId: `appt-${journeyId}`, resourceIds: ['res-1'], start, end }));

    // Act
    await appointments.book(appointment);
    const onTheFirst = await onEither('2041-03-04T23:00:00.000Z', '2041-03-04T23:35:00.000Z', 'j-first');
    const onTheSecond = await onEither('2041-03-05T00:25:00.000Z', '2041-03-05T01:00:00.000Z', 'j-second');
    await appointments.loadBusy(
      clinicId,
      'dep-1',
      ['res-1'],
      { start: new Date('2041-03-04T20:00:00Z'), end: new Date('2041-03-05T04:00:00Z') },
      busy,
    );

    // Assess
    expect(await busyDaysOf(clinicId)).toEqual({
      'DAY#2041-03-04#RESOURCE#res-1': ['2330', '2335', '2340', '2345', '2350', '2355'],
      'DAY#2041-03-05#RESOURCE#res-1': ['0000', '0005', '0010', '0015', '0020', '0025'],
    });
    expect(onTheFirst).toEqual({
      outcome: 'TAKEN',
      taken: [{ resourceId: 'res-1', granule: { start: new Date('2041-03-04T23:30:00Z'), end: new Date('2041-03-04T23:35:00Z') } }],
    });
    expect(onTheSecond).toEqual({
      outcome: 'TAKEN',
      taken: [{ resourceId: 'res-1', granule: { start: new Date('2041-03-05T00:25:00Z'), end: new Date('2041-03-05T00:30:00Z') } }],
    });
    expect(busy.isFree('res-1', { start: new Date('2041-03-04T23:25:00Z'), end: new Date('2041-03-04T23:30:00Z') })).toBe(true);
    expect(busy.isFree('res-1', { start: new Date('2041-03-04T23:55:00Z'), end: new Date('2041-03-05T00:05:00Z') })).toBe(false);
    expect(busy.isFree('res-1', { start: new Date('2041-03-05T00:25:00Z'), end: new Date('2041-03-05T00:30:00Z') })).toBe(false);
    expect(busy.isFree('res-1', { start: new Date('2041-03-05T00:30:00Z'), end: new Date('2041-03-05T00:35:00Z') })).toBe(true);
  });

  it('reports the granules another booking holds, and writes none of its own', async () => {
    // Prepare: another journey holds the device from 15:05 to 15:50; the slot's last two granules are among them.
    const appointment = booking();
    const { clinicId } = appointment;
    await appointments.book(
      booking({
        clinicId,
        journeyId: 'j-2',
        appointmentId: 'appt-j-2',
        start: '2041-03-04T15:05:00.000Z',
        end: '2041-03-04T15:50:00.000Z',
        resourceIds: ['res-2'],
      }),
    );

    // Act
    const result = await appointments.book(appointment);

    // Assess
    expect(result).toEqual({
      outcome: 'TAKEN',
      taken: [
        { resourceId: 'res-2', granule: { start: new Date('2041-03-04T15:05:00Z'), end: new Date('2041-03-04T15:10:00Z') } },
        { resourceId: 'res-2', granule: { start: new Date('2041-03-04T15:10:00Z'), end: new Date('2041-03-04T15:15:00Z') } },
      ],
    });
    expect(await appointments.getById(appointment.clinicId, appointment.appointmentId)).toBeUndefined();
    expect(await busyDaysOf(clinicId)).toEqual({ 'DAY#2041-03-04#RESOURCE#res-2': granulesBetween('15:05', '15:50') });
  });

  it('returns the stored booking for a repeated request of the same journey', async () => {
    // Prepare
    const first = booking();
    await appointments.book(first);

    // Act: the retry computed a different slot (the first is busy now), but the journey is already booked.
    const repeated = await appointments.book({ ...first, start: '2041-03-04T16:00:00.000Z', end: '2041-03-04T16:45:00.000Z' });

    // Assess: the same appointment, and the transaction wrote none of the second slot's granules.
    expect(repeated).toEqual({ outcome: 'ALREADY_BOOKED', appointment: first });
    expect((await busyDaysOf(first.clinicId))['DAY#2041-03-04#RESOURCE#res-1']).toEqual(NINE_GRANULES);
  });

  it('reports contention when another transaction was writing the same granules', async () => {
    // Prepare: DynamoDB Local cannot be made to conflict on demand; the store sees the cancellation DynamoDB sends.
    const store = storeFailingNextTransaction(cancelled(['None', 'TransactionConflict', 'None']));

    // Act
    const result = await store.book(booking());

    // Assess
    expect(result).toEqual({ outcome: 'CONTENDED' });
  });

  it('rethrows a failure that is not a cancelled transaction', async () => {
    // Prepare
    const store = storeFailingNextTransaction(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    // Act
    const writing = store.book(booking());

    // Assess
    await expect(writing).rejects.toMatchObject({ name: 'ThrottlingException', message: 'throttled' });
  });

  it('rejects an appointment too long to lock on one busy day, writing nothing', async () => {
    // Prepare: 13 hours of one UTC day: 156 granules, a condition over DynamoDB's 300 operators per expression.
    const long = booking({ start: '2041-03-04T02:00:00.000Z', end: '2041-03-04T15:00:00.000Z' });

    // Act
    const writing = appointments.book(long);

    // Assess
    await expect(writing).rejects.toThrow('at most 150');
    expect(await appointments.getById(long.clinicId, long.appointmentId)).toBeUndefined();
    expect(await busyDaysOf(long.clinicId)).toEqual({});
  });
});

describe('Appointment store: the lock is the resource, whatever its department', () => {
  it('refuses the same resource at the same time when the catalog has moved it to another department meanwhile', async () => {
    // Prepare: res-1 booked while the catalog put it in dep-1.
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const first = booking({ clinicId, journeyId: 'before-move', appointmentId: 'appt-before', resourceIds: ['res-1'] });
    expect((await appointments.book(first)).outcome).toBe('BOOKED');
    const moved = booking({
      clinicId,
      journeyId: 'after-move',
      appointmentId: 'appt-after',
      resourceIds: ['res-1'],
      department: { id: 'dep-moved', name: 'Moved department' },
    });

    // Act: the same resource and time, booked under the department the catalog gives it now.
    const result = await appointments.book(moved);

    // Assess
    expect(result.outcome).toBe('TAKEN');
    expect(await appointments.getById(moved.clinicId, moved.appointmentId)).toBeUndefined();
  });
});

describe('Appointment store: busy time and release on DynamoDB Local', () => {
  it("takes only the released appointment's granules off a busy day", async () => {
    // Prepare: two appointments of res-1 on the same day.
    const first = booking({ resourceIds: ['res-1'] });
    const { clinicId } = first;
    const second = booking({
      clinicId,
      journeyId: 'j-2',
      appointmentId: 'appt-j-2',
      resourceIds: ['res-1'],
      start: '2041-03-04T16:00:00.000Z',
      end: '2041-03-04T16:45:00.000Z',
    });
    await appointments.book(first);
    await appointments.book(second);

    // Act
    await appointments.release({ clinicId, journeyId: 'j-1' }, new Date('2041-03-01T09:00:00.000Z'), {
      clinicId,
      actor: 'function:finishJourney',
      journeyId: 'j-1',
      patientId: 'p-1',
    });

    // Assess
    expect(await busyDaysOf(clinicId)).toEqual({ 'DAY#2041-03-04#RESOURCE#res-1': granulesBetween('16:00', '16:45') });
  });

  it('marks busy exactly the granules booked on the resources asked about', async () => {
    // Prepare
    const appointment = booking();
    await appointments.book(appointment);
    const busy = new BusyCalendar();

    // Act
    await appointments.loadBusy(
      appointment.clinicId,
      'dep-1',
      ['res-1', 'res-3'],
      { start: new Date('2041-03-04T14:00:00Z'), end: new Date('2041-03-04T16:00:00Z') },
      busy,
    );

    // Assess
    expect(busy.isFree('res-1', { start: new Date(START), end: new Date(END) })).toBe(false);
    expect(busy.isFree('res-1', { start: new Date('2041-03-04T15:10:00Z'), end: new Date('2041-03-04T15:15:00Z') })).toBe(false);
    expect(busy.isFree('res-1', { start: new Date(END), end: new Date('2041-03-04T16:00:00Z') })).toBe(true);
    expect(busy.isFree('res-1', { start: new Date('2041-03-04T14:00:00Z'), end: new Date(START) })).toBe(true);
    expect(busy.isFree('res-2', { start: new Date(START), end: new Date(END) })).toBe(true);
    expect(busy.isFree('res-3', { start: new Date(START), end: new Date(END) })).toBe(true);
  });

  it('reads a week of a whole department in one Query, whatever the number of resources and bookings', async () => {
    // Prepare: 24 providers of one department, each booked three times on each of 7 days (504 bookings).
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const providers = Array.from({ length: 24 }, (_, i) => `prov-${String(i).padStart(2, '0')}`);
    const bookings = providers.flatMap((provider) =>
      Array.from({ length: 7 * 3 }, (_, n) => {
        const start = Date.parse('2041-03-04T13:00:00Z') + Math.floor(n / 3) * 86_400_000 + (n % 3) * 90 * 60_000;
        return booking({
          clinicId,
          journeyId: `${provider}-${n}`,
          appointmentId: `appt-${provider}-${n}`,
          resourceIds: [provider],
          start: new Date(start).toISOString(),
          end: new Date(start + 45 * 60_000).toISOString(),
        });
      }),
    );
    for (let i = 0; i < bookings.length; i += 40) {
      await Promise.all(bookings.slice(i, i + 40).map((b) => appointments.book(b)));
    }
    const { store, sent } = countingStore();
    const busy = new BusyCalendar();

    // Act
    await store.loadBusy(
      clinicId,
      'dep-1',
      providers,
      { start: new Date('2041-03-04T00:00:00Z'), end: new Date('2041-03-11T00:00:00Z') },
      busy,
    );

    // Assess: one request, and every booking is busy.
    expect(sent).toEqual({ QueryCommand: 1 });
    for (const b of bookings) {
      expect(busy.isFree(b.resourceIds[0] as string, { start: new Date(b.start), end: new Date(b.end) })).toBe(false);
    }
  });

  it('marks nothing of another department, another day or a resource not asked about', async () => {
    // Prepare: res-1 on the 4th in dep-1; res-1 on the 6th; res-2 on the 4th; res-1 on the 4th in dep-2 (another slot).
    const appointment = booking({ resourceIds: ['res-1'] });
    const { clinicId } = appointment;
    await appointments.book(appointment);
    await appointments.book(
      booking({ clinicId, journeyId: 'j-6th', resourceIds: ['res-1'], start: '2041-03-06T14:30:00.000Z', end: '2041-03-06T15:15:00.000Z' }),
    );
    await appointments.book(
      booking({
        clinicId,
        journeyId: 'j-res-2',
        resourceIds: ['res-2'],
        start: '2041-03-04T16:00:00.000Z',
        end: '2041-03-04T16:45:00.000Z',
      }),
    );
    await appointments.book(
      booking({
        clinicId,
        journeyId: 'j-dep-2',
        department: { id: 'dep-2', name: 'Other' },
        resourceIds: ['res-1'],
        start: '2041-03-04T18:00:00.000Z',
        end: '2041-03-04T18:45:00.000Z',
      }),
    );
    const busy = new BusyCalendar();

    // Act: dep-1, res-1 only, the 4th and the 5th
    await appointments.loadBusy(
      clinicId,
      'dep-1',
      ['res-1'],
      { start: new Date('2041-03-04T00:00:00Z'), end: new Date('2041-03-06T00:00:00Z') },
      busy,
    );

    // Assess
    expect(busy.isFree('res-1', { start: new Date(START), end: new Date(END) })).toBe(false);
    expect(busy.isFree('res-1', { start: new Date('2041-03-06T14:30:00Z'), end: new Date('2041-03-06T15:15:00Z') })).toBe(true);
    expect(busy.isFree('res-2', { start: new Date('2041-03-04T16:00:00Z'), end: new Date('2041-03-04T16:45:00Z') })).toBe(true);
    expect(busy.isFree('res-1', { start: new Date('2041-03-04T18:00:00Z'), end: new Date('2041-03-04T18:45:00Z') })).toBe(true);
  });

  it('frees the time of a released appointment, keeps it CANCELLED with an audit record, and releases it once', async () => {
    // Prepare
    const appointment = booking();
    const { clinicId, journeyId, patientId } = appointment;
    await appointments.book(appointment);
    const now = new Date('2041-03-01T09:00:00.000Z');
    const audit = { clinicId, actor: 'function:finishJourney', journeyId, patientId };

    // Act
    const ref = { clinicId, journeyId: journeyId ?? '' };
    const released = await appointments.release(ref, now, audit);
    const again = await appointments.release(ref, now, audit);

    // Assess
    expect([released, again]).toEqual(['RELEASED', 'NOTHING_TO_RELEASE']);
    expect(await appointments.getById(appointment.clinicId, appointment.appointmentId)).toEqual({
      ...appointment,
      status: 'CANCELLED',
      cancelledAt: now.toISOString(),
      revision: 1,
      history: [{ change: 'cancel', at: now.toISOString(), by: 'function:finishJourney' }],
    });
    expect(await busyDaysOf(clinicId)).toEqual({ 'DAY#2041-03-04#RESOURCE#res-1': [], 'DAY#2041-03-04#RESOURCE#res-2': [] });
    const { Items: audits = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(clinicId, '2041-03-01', '').PK },
      }),
    );
    expect(auditRecords(audits)).toEqual([expect.objectContaining({ ...audit, actions: ['appointment.cancel'], outcome: 'success' })]);
    const next = await appointments.book(booking({ clinicId, journeyId: 'j-2', appointmentId: 'appt-j-2' }));
    expect(next.outcome).toBe('BOOKED');
  });
});

describe('Appointment store: the day index on DynamoDB Local', () => {
  it('lists a clinic’s appointments of a local day in start order, by the location’s zone, cancelled ones included', async () => {
    // Prepare: Boston (UTC−5 in March 2041). 03:30 UTC on the 5th is still the 4th in Boston; 05:30 UTC is the 5th.
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const at = (start: string, end: string, journeyId: string, resourceId: string) =>
      booking({
        clinicId,
        journeyId,
        appointmentId: `appt-${journeyId}`,
        start,
        end,
        timeZone: 'America/New_York',
        provider: { id: resourceId, name: resourceId },
        resourceIds: [resourceId],
      });
    const late = at('2041-03-05T03:30:00.000Z', '2041-03-05T04:00:00.000Z', 'j-late', 'res-a');
    const early = at('2041-03-04T14:00:00.000Z', '2041-03-04T14:30:00.000Z', 'j-early', 'res-b');
    const nextDay = at('2041-03-05T05:30:00.000Z', '2041-03-05T06:00:00.000Z', 'j-next', 'res-c');
    const cancelled = at('2041-03-04T15:00:00.000Z', '2041-03-04T15:30:00.000Z', 'j-cancelled', 'res-d');
    for (const appointment of [late, early, nextDay, cancelled]) expect((await appointments.book(appointment)).outcome).toBe('BOOKED');
    await appointments.release({ clinicId, journeyId: 'j-cancelled' }, new Date(), { clinicId, actor: 'test', patientId: 'p-1' });

    // Act
    const day = await appointments.listDay(clinicId, '2041-03-04');
    const firstPage = await appointments.listDay(clinicId, '2041-03-04', { limit: 2 });
    const secondPage = await appointments.listDay(clinicId, '2041-03-04', { limit: 2, cursor: firstPage.cursor });

    // Assess
    expect(day.appointments.map((a) => [a.journeyId, a.status])).toEqual([
      ['j-early', 'BOOKED'],
      ['j-cancelled', 'CANCELLED'],
      ['j-late', 'BOOKED'],
    ]);
    expect(day.appointments[0]).toEqual(early);
    expect(firstPage.appointments.map((a) => a.journeyId)).toEqual(['j-early', 'j-cancelled']);
    expect(secondPage.appointments.map((a) => a.journeyId)).toEqual(['j-late']);
    expect((await appointments.listDay(clinicId, '2041-03-05')).appointments.map((a) => a.journeyId)).toEqual(['j-next']);
  });
});
