import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { CalendarChangedSchema, CalendarSchema } from '#contract/api/calendar-schema.ts';
import { makeDecideStaffTask } from '#functions/journey/decide-staff-task.handler.ts';
import { type CalendarOutboxItem, type CalendarStore, dynamoCalendarStore } from '#functions/scheduling/calendar-store.ts';
import { checkBookedTime } from '#functions/scheduling/check-booked-time.ts';
import { makeMaintainCalendar } from '#functions/scheduling/maintain-calendar.handler.ts';
import { eventOf } from '#functions/scheduling/publish-appointment-events.ts';
import { rescheduleCollisions, withdrawUndoneCollisions } from '#functions/scheduling/reschedule-collisions.ts';
import { DEMO_LOCATIONS, DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { type Desk, openDesk } from '#test/support/appointment-desk.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeJourneyEngine } from '#test/support/fakes/journey-ports.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('calendar');
const tasks = dynamoStaffTaskStore(table);
/** Monday 7 December 2026, 07:00 in Boston, 05:00 in Denver. */
const NOW = new Date('2026-12-07T12:00:00.000Z');
const ADMIN: StaffClaims = { sub: 'user-admin', username: 'admin', groups: '[admin]' };
const OKAFOR = DEMO_RESOURCES.drOkafor;

/** The desk over a catalog in the table, and the admins' calendar routes over the same clinic. */
async function openClinic() {
  const desk = openDesk(table, NOW, (c) => c, 'table');
  await desk.catalogStore.put(desk.catalog);
  // What the table's stream would carry: the outbox items of the changes that were written, published as events.
  const outbox: CalendarOutboxItem[] = [];
  const store = dynamoCalendarStore(table);
  const calendar: CalendarStore = {
    ...store,
    async save(...args) {
      const saved = await store.save(...args);
      if (saved) outbox.push(...args[4]);
      return saved;
    },
    async saveHours(...args) {
      const saved = await store.saveHours(...args);
      if (saved) outbox.push(...args[4]);
      return saved;
    },
  };
  const handler = makeMaintainCalendar({
    appointments: desk.appointments,
    catalog: desk.catalogStore,
    audit: dynamoAuditLog(table),
    calendar,
    now: () => NOW,
  });
  const collisionDeps = {
    appointments: desk.appointments,
    catalog: desk.catalogStore,
    tasks,
    audit: dynamoAuditLog(table),
    escalations: { schedule: async () => {} },
    now: () => NOW,
  };
  /**
   * The closings and openings the changes wrote, through the publisher's event, to rescheduleCollisions (rules
   * RescheduleCollisions and WithdrawUndoneCollisions).
   */
  const drain = async () => {
    for (let item = outbox.shift(); item; item = outbox.shift()) {
      const event = eventOf(item);
      if (event.detailType === 'CalendarClosed') await rescheduleCollisions(collisionDeps, event.detail);
      if (event.detailType === 'CalendarOpened') await withdrawUndoneCollisions(collisionDeps, event.detail);
    }
  };
  const call = async (routeKey: string, options: { body?: unknown; params?: Record<string, string> } = {}, person = ADMIN) => {
    const response = await handler(
      staffEvent({
        routeKey,
        pathParameters: { clinicId: desk.clinicId, ...options.params },
        ...(options.body !== undefined ? { body: options.body } : {}),
        person: { clinicId: desk.clinicId, ...person },
      }),
      lambdaContext,
    );
    await drain();
    // biome-ignore lint/suspicious/noExplicitAny: a response body as the test reads it
    return { status: response.statusCode ?? 0, body: JSON.parse(response.body ?? '{}') as any };
  };
  const admin = {
    calendar: () => call('GET /v1/clinics/{clinicId}/calendar'),
    setHours: (resourceId: string, weeklyHours: unknown, person?: StaffClaims) =>
      call('PATCH /v1/clinics/{clinicId}/resources/{resourceId}/hours', { params: { resourceId }, body: { weeklyHours } }, person),
    addClosure: (body: unknown) => call('POST /v1/clinics/{clinicId}/closures', { body }),
    removeClosure: (closureId: string) => call('POST /v1/clinics/{clinicId}/closures/{closureId}/remove', { params: { closureId } }),
    addAway: (body: unknown, person?: StaffClaims) => call('POST /v1/clinics/{clinicId}/unavailability', { body }, person),
    removeAway: (entryId: string) => call('POST /v1/clinics/{clinicId}/unavailability/{entryId}/remove', { params: { entryId } }),
  };
  return { desk, admin };
}

/** Books the first open slot of a follow-up with a provider on a local date at or after a local time. */
async function bookOn(desk: Desk, providerId: string, date: string, notBefore = '00:00') {
  const { body } = await desk.availability({
    appointmentType: TYPES.primaryCareFollowUp,
    providerId,
    from: `${date}T00:00:00Z`,
    to: `${date}T23:59:00-07:00`,
    limit: '200',
  });
  const slot = (body.slots as Array<{ start: string }>).find((s) => s.start.slice(0, 10) === date && s.start.slice(11, 16) >= notBefore);
  if (!slot) throw new Error(`No slot with ${providerId} on ${date} from ${notBefore}`);
  const booked = await desk.book({
    patientId: await desk.patient(),
    appointmentType: TYPES.primaryCareFollowUp,
    providerId,
    start: slot.start,
  });
  expect(booked.status).toBe(201);
  return booked.body as { appointmentId: string; start: string };
}

async function slotsOn(desk: Desk, providerId: string, date: string) {
  const { body } = await desk.availability({
    appointmentType: TYPES.primaryCareFollowUp,
    providerId,
    from: `${date}T00:00:00-05:00`,
    to: `${date}T23:59:00-05:00`,
    limit: '200',
  });
  return (body.slots as Array<{ start: string }>).map((s) => s.start);
}

async function openingItem(clinicId: string, openingId: string) {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.calendarOutbox(clinicId, openingId) }));
  return Item;
}

describe('Calendar: a visit booked in time the calendar no longer has (checkBookedTime)', () => {
  it('gets the RESCHEDULE task the change would have opened, once; a visit that fits, or a later revision, gets none', async () => {
    const { desk } = await openClinic();
    const late = await bookOn(desk, OKAFOR, '2026-12-29', '10:00');
    const fits = await bookOn(desk, OKAFOR, '2026-12-30', '10:00');
    // The block lands after the booking was made against a cached catalog: nobody listed the collision.
    const { revision } = await dynamoCalendarStore(table).read(desk.clinicId);
    await dynamoCalendarStore(table).save(
      desk.clinicId,
      { closures: [], unavailability: [{ resourceId: OKAFOR, kind: 'block', start: '2026-12-29T05:00:00Z', end: '2026-12-30T05:00:00Z' }] },
      revision,
      { actor: 'user:admin', at: NOW },
      [],
    );
    const deps = {
      appointments: desk.appointments,
      catalog: desk.catalogStore,
      tasks,
      audit: dynamoAuditLog(table),
      escalations: { schedule: async () => {} },
      now: () => NOW,
    };
    const event = (appointmentId: string, revision = 0) =>
      ({ clinicId: desk.clinicId, appointmentId, revision, change: 'book', status: 'BOOKED', origin: 'staff' }) as const;

    const outcomes = [
      await checkBookedTime(deps, event(late.appointmentId)),
      await checkBookedTime(deps, event(late.appointmentId)),
      await checkBookedTime(deps, event(fits.appointmentId)),
      await checkBookedTime(deps, event(late.appointmentId, 3)),
    ];

    expect(outcomes).toEqual(['OUTSIDE', 'OUTSIDE', 'INSIDE', 'STALE']);
    const open = await tasks.list({ clinicId: desk.clinicId, queues: ['scheduling'], status: 'OPEN', limit: 50 });
    const reschedules = open.tasks.filter((t) => t.kind === 'RESCHEDULE');
    expect(reschedules.map((t) => t.appointmentId)).toEqual([late.appointmentId]);
    expect(reschedules[0]?.history[0]?.by).toBe('function:checkBookedTime');
  });
});

describe('Calendar: admins maintain hours, time off, blocks and closures', () => {
  let clinic: Awaited<ReturnType<typeof openClinic>>;
  beforeAll(async () => {
    clinic = await openClinic();
  });

  it('time off over a booked visit lists it with a RESCHEDULE task, takes the time out of availability, and a repeat adds nothing', async () => {
    const { desk, admin } = clinic;
    const tuesday = await bookOn(desk, OKAFOR, '2026-12-08', '10:00');
    const thursday = await bookOn(desk, OKAFOR, '2026-12-10', '10:00');
    const timeOff = { resourceId: OKAFOR, kind: 'time-off', start: '2026-12-08T00:00:00-05:00', end: '2026-12-09T00:00:00-05:00' };

    const added = await admin.addAway(timeOff);

    expect(added.status).toBe(201);
    const answer = CalendarChangedSchema.parse(added.body);
    expect(answer.collisions.map((c) => c.appointmentId)).toEqual([tuesday.appointmentId]);
    const [collision] = answer.collisions;
    const task = await tasks.get(desk.clinicId, collision?.taskId ?? '');
    expect(task).toMatchObject({ kind: 'RESCHEDULE', appointmentId: tuesday.appointmentId, queue: 'scheduling', status: 'OPEN' });
    expect(task?.history[0]?.by).toBe('user:user-admin');
    expect((await desk.appointments.getById(desk.clinicId, tuesday.appointmentId))?.status).toBe('BOOKED');
    expect(await slotsOn(desk, OKAFOR, '2026-12-08')).toEqual([]);
    expect((await slotsOn(desk, OKAFOR, '2026-12-10')).length).toBeGreaterThan(0);
    expect(thursday.appointmentId).not.toBe(tuesday.appointmentId);
    expect(answer.collisions.map((c) => c.appointmentId)).not.toContain(thursday.appointmentId);

    const again = await admin.addAway(timeOff);
    expect(again.status).toBe(200);
    expect(again.body.collisions).toEqual(answer.collisions);
    const calendar = CalendarSchema.parse((await admin.calendar()).body);
    expect(calendar.unavailability.filter((u) => u.resourceId === OKAFOR)).toHaveLength(1);
  });

  it('a RESCHEDULE task is handled by a PROCEED of its queue’s people; RETRY is refused, as it holds no journey', async () => {
    const { desk, admin } = clinic;
    const calendar = CalendarSchema.parse((await admin.calendar()).body);
    const entry = calendar.unavailability.find((u) => u.resourceId === OKAFOR);
    const { body } = await admin.addAway({ resourceId: entry?.resourceId, kind: entry?.kind, start: entry?.start, end: entry?.end });
    const taskId = body.collisions[0].taskId as string;
    const decide = makeDecideStaffTask({
      ...dynamoStores(table),
      engine: fakeJourneyEngine().port,
      escalations: { schedule: async () => {} },
      metrics: noMetrics,
      now: () => NOW,
    });
    const decision = async (action: string, groups: string) =>
      (
        await decide(
          staffEvent({
            routeKey: 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision',
            pathParameters: { clinicId: desk.clinicId, taskId },
            body: { action },
            person: { clinicId: desk.clinicId, sub: 'user-sched', username: 'sched', groups },
          }),
          lambdaContext,
        )
      ).statusCode;

    expect(await decision('RETRY', '[front-desk]')).toBe(409);
    expect(await decision('PROCEED', '[billing]')).toBe(403);
    expect(await decision('PROCEED', '[front-desk]')).toBe(200);
    expect((await tasks.get(desk.clinicId, taskId))?.status).toBe('DECIDED');
  });

  it('removing the time off gives the time back and writes the opening the waitlist hears of; a second removal is 404', async () => {
    const { desk, admin } = clinic;
    const calendar = CalendarSchema.parse((await admin.calendar()).body);
    const entry = calendar.unavailability.find((u) => u.resourceId === OKAFOR);
    if (!entry) throw new Error('the time off of the test before');

    const removed = await admin.removeAway(entry.entryId);

    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ change: 'unavailability-removed', openedTime: true, collisions: [] });
    expect((await slotsOn(desk, OKAFOR, '2026-12-08')).length).toBeGreaterThan(0);
    const { revision } = await dynamoCalendarStore(table).read(desk.clinicId);
    const opening = await openingItem(desk.clinicId, `opening-calendar-${revision}-${NOW.getTime().toString(36)}`);
    expect(opening).toMatchObject({
      type: 'CalendarOpening',
      resourceIds: [OKAFOR],
      windows: [{ start: '2026-12-08T05:00:00.000Z', end: '2026-12-09T05:00:00.000Z' }],
    });
    expect((await admin.removeAway(entry.entryId)).status).toBe(404);
  });

  it('new weekly hours list the visits they leave out (not those still inside) and write the time they open', async () => {
    const { desk, admin } = clinic;
    const afternoon = await bookOn(desk, OKAFOR, '2026-12-15', '14:00');
    const morning = await bookOn(desk, OKAFOR, '2026-12-16', '09:00');
    const mornings = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI'].map((d) => [d, [{ start: '08:00', end: '12:00' }]]));

    const narrowed = await admin.setHours(OKAFOR, mornings);

    expect(narrowed.status).toBe(200);
    const ids = (narrowed.body.collisions as Array<{ appointmentId: string }>).map((c) => c.appointmentId);
    expect(ids).toContain(afternoon.appointmentId);
    expect(ids).not.toContain(morning.appointmentId);
    expect(narrowed.body.openedTime).toBe(false);
    expect(await slotsOn(desk, OKAFOR, '2026-12-17')).not.toContainEqual(expect.stringContaining('T14:'));

    const saturdays = await admin.setHours(OKAFOR, { ...mornings, SAT: [{ start: '09:00', end: '12:00' }] });

    expect(saturdays.body.openedTime).toBe(true);
    expect(saturdays.body.collisions).toEqual(narrowed.body.collisions);
    // Saturdays opened, but the afternoon visit is still outside the hours: its task stays for the desk.
    const afternoonTask = (narrowed.body.collisions as Array<{ appointmentId: string; taskId: string }>).find(
      (c) => c.appointmentId === afternoon.appointmentId,
    );
    expect((await tasks.get(desk.clinicId, afternoonTask?.taskId ?? ''))?.status).toBe('OPEN');
    const hours = await dynamoCalendarStore(table).readHours(desk.clinicId, OKAFOR);
    const opening = await openingItem(desk.clinicId, `opening-hours-${OKAFOR}-${hours?.revision}-${NOW.getTime().toString(36)}`);
    // Saturdays 12 December to 2 January, 09:00–12:00 in Boston (UTC−5).
    expect(opening?.windows).toEqual(
      ['12', '19', '26']
        .map((day) => ({ start: `2026-12-${day}T14:00:00.000Z`, end: `2026-12-${day}T17:00:00.000Z` }))
        .concat([{ start: '2027-01-02T14:00:00.000Z', end: '2027-01-02T17:00:00.000Z' }]),
    );
  });

  it("a closure lists that day's visits at that location only; lifting it withdraws the tasks it opened", async () => {
    const { desk, admin } = clinic;
    const boston = await bookOn(desk, DEMO_RESOURCES.drLindqvist, '2026-12-22');
    const denver = await bookOn(desk, DEMO_RESOURCES.drMartinez, '2026-12-22');

    const closed = await admin.addClosure({ locationId: DEMO_LOCATIONS.boston, date: '2026-12-22', name: 'Water main repair' });

    expect(closed.status).toBe(201);
    const ids = (closed.body.collisions as Array<{ appointmentId: string }>).map((c) => c.appointmentId);
    expect(ids).toContain(boston.appointmentId);
    expect(ids).not.toContain(denver.appointmentId);
    expect(await slotsOn(desk, DEMO_RESOURCES.drLindqvist, '2026-12-22')).toEqual([]);
    expect((await admin.addClosure({ locationId: DEMO_LOCATIONS.boston, date: '2026-12-22', name: 'Again' })).status).toBe(200);

    const bostonTask = (closed.body.collisions as Array<{ appointmentId: string; taskId: string }>).find(
      (c) => c.appointmentId === boston.appointmentId,
    );
    expect((await tasks.get(desk.clinicId, bostonTask?.taskId ?? ''))?.status).toBe('OPEN');

    const reopened = await admin.removeClosure(`${DEMO_LOCATIONS.boston}-2026-12-22`);
    expect(reopened.body).toMatchObject({ change: 'closure-removed', openedTime: true });
    expect((await slotsOn(desk, DEMO_RESOURCES.drLindqvist, '2026-12-22')).length).toBeGreaterThan(0);
    // The visit has room again: nothing left for the desk to do about it.
    const withdrawn = await tasks.get(desk.clinicId, bostonTask?.taskId ?? '');
    expect(withdrawn).toMatchObject({ status: 'EXPIRED' });
    expect(withdrawn?.history.at(-1)).toMatchObject({ event: 'expired', by: 'function:rescheduleCollisions' });
  });

  it('a closure months ahead, lifted, withdraws its task; closed again, the same task opens again', async () => {
    const { desk, admin } = clinic;
    // Tuesday 9 February 2027: far past the 28 days an opening offers the waitlist.
    const visit = await bookOn(desk, DEMO_RESOURCES.drLindqvist, '2027-02-09');
    const closure = { locationId: DEMO_LOCATIONS.boston, date: '2027-02-09', name: 'Inventory' };
    const closed = await admin.addClosure(closure);
    const taskId = (closed.body.collisions as Array<{ appointmentId: string; taskId: string }>).find(
      (c) => c.appointmentId === visit.appointmentId,
    )?.taskId;
    expect((await tasks.get(desk.clinicId, taskId ?? ''))?.status).toBe('OPEN');

    const lifted = await admin.removeClosure(`${DEMO_LOCATIONS.boston}-2027-02-09`);
    const withdrawn = await tasks.get(desk.clinicId, taskId ?? '');
    const closedAgain = await admin.addClosure(closure);
    const reopened = await tasks.get(desk.clinicId, taskId ?? '');

    expect(lifted.body).toMatchObject({ change: 'closure-removed', openedTime: false });
    expect(withdrawn?.status).toBe('EXPIRED');
    expect(closedAgain.body.collisions).toContainEqual(expect.objectContaining({ appointmentId: visit.appointmentId, taskId }));
    expect(reopened).toMatchObject({ status: 'OPEN' });
    expect(reopened?.history.map((h) => h.event)).toEqual(['opened', 'expired', 'reopened']);
  });

  it('a lifted closure leaves a task a colleague has claimed to them', async () => {
    const { desk, admin } = clinic;
    const visit = await bookOn(desk, DEMO_RESOURCES.drLindqvist, '2027-02-11');
    const closure = { locationId: DEMO_LOCATIONS.boston, date: '2027-02-11', name: 'Inventory' };
    const closed = await admin.addClosure(closure);
    const taskId = (closed.body.collisions as Array<{ appointmentId: string; taskId: string }>).find(
      (c) => c.appointmentId === visit.appointmentId,
    )?.taskId;
    const task = await tasks.get(desk.clinicId, taskId ?? '');
    if (!task) throw new Error('the closure opened a task');
    const audit = { clinicId: desk.clinicId, actor: 'user:sched', action: 'staffTask.claim', outcome: 'success' } as const;
    expect(await tasks.claim(task, { actor: 'user:sched', name: 'sched' }, NOW, audit)).toBe('CLAIMED');

    await admin.removeClosure(`${DEMO_LOCATIONS.boston}-2027-02-11`);

    expect(await tasks.get(desk.clinicId, taskId ?? '')).toMatchObject({ status: 'OPEN', owner: 'user:sched' });
  });

  it('answers 400 with every field in error and writes nothing', async () => {
    const { desk, admin } = await openClinic();

    const unknown = await admin.addAway({
      resourceId: 'nobody',
      kind: 'block',
      start: '2026-12-08T09:00:00Z',
      end: '2026-12-08T10:00:00Z',
    });
    const backwards = await admin.addAway({
      resourceId: OKAFOR,
      kind: 'block',
      start: '2026-12-08T10:00:00Z',
      end: '2026-12-08T09:00:00Z',
    });
    const overlap = await admin.setHours(OKAFOR, {
      MON: [
        { start: '08:00', end: '12:00' },
        { start: '11:00', end: '13:00' },
      ],
    });
    const badLocation = await admin.addClosure({ locationId: 'atlantis', date: '2026-12-24', name: 'Eve' });

    expect([unknown, backwards, overlap, badLocation].map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'resourceId' })]);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ path: 'end' })]);
    expect(badLocation.body.errors).toEqual([expect.objectContaining({ path: 'locationId' })]);
    // As the catalog's load left them (its first write is revision 1).
    expect(await dynamoCalendarStore(table).read(desk.clinicId)).toEqual({ closures: [], unavailability: [], revision: 1 });
    expect((await dynamoCalendarStore(table).readHours(desk.clinicId, OKAFOR))?.revision).toBe(1);
    expect((await admin.setHours('nobody', {})).status).toBe(404);
  });

  it('is for admins: the front desk gets 403 and changes nothing', async () => {
    const { desk, admin } = await openClinic();
    const desker = { sub: 'user-desk', username: 'desk', groups: '[front-desk]' };

    const refused = await admin.addAway(
      { resourceId: OKAFOR, kind: 'block', start: '2026-12-08T14:00:00Z', end: '2026-12-08T15:00:00Z' },
      desker,
    );

    expect(refused.status).toBe(403);
    expect((await admin.setHours(OKAFOR, {}, desker)).status).toBe(403);
    expect((await dynamoCalendarStore(table).read(desk.clinicId)).revision).toBe(1);
  });

  it('concurrent admins each land their change: none is lost to another’s write', async () => {
    const { admin } = await openClinic();
    const blocks = [9, 11, 13].map((hour) => ({
      resourceId: OKAFOR,
      kind: 'block',
      start: `2026-12-09T${hour + 5}:00:00Z`,
      end: `2026-12-09T${hour + 5}:30:00Z`,
    }));

    const answers = await Promise.all(blocks.map((b) => admin.addAway(b)));

    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const calendar = CalendarSchema.parse((await admin.calendar()).body);
    expect(calendar.unavailability.map((u) => u.start).sort()).toEqual(blocks.map((b) => b.start).sort());
  });
});
