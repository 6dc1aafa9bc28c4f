import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StaffAppointmentSchema } from '#contract/api/appointment-schema.ts';
import { APPOINTMENT_CHANGES, type AppointmentStatus } from '#contract/appointments.ts';
import { DEMO_DEPARTMENTS, DEMO_LOCATIONS, DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import { appointmentIdOf, journeyAppointment, newJourneyRecord } from '#model/journey.ts';
import { journeyItem } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { type Desk, openDesk } from '#test/support/appointment-desk.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('appointment-changes');
/** Monday 7 December 2026, 07:00 in Boston. */
const NOW = new Date('2026-12-07T12:00:00.000Z');
/** Tuesday 8 December, 09:00 in Boston: a 30-minute follow-up with Dr Okafor. */
const START = '2026-12-08T09:00:00-05:00';
const FOLLOW_UP = { appointmentType: TYPES.primaryCareFollowUp, providerId: DEMO_RESOURCES.drOkafor };

async function booked(desk: Desk, start = START) {
  const answer = await desk.book({ patientId: await desk.patient(), ...FOLLOW_UP, start });
  expect(answer.status).toBe(201);
  return StaffAppointmentSchema.parse(answer.body);
}

/** Dr Okafor's lock for a UTC day: the granules it holds ("HHmm", UTC), sorted. */
async function okaforLock(desk: Desk, day: string): Promise<string[]> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.resourceLock(desk.clinicId, DEMO_RESOURCES.drOkafor, day),
      ConsistentRead: true,
    }),
  );
  return [...((Item?.busy as Set<string> | undefined) ?? [])].sort();
}

/** The same, from the department's copy the slot search reads. */
async function okaforSearchCopy(desk: Desk, day: string): Promise<string[]> {
  const key = keys.busyDay(desk.clinicId, DEMO_DEPARTMENTS.primaryCare, day, DEMO_RESOURCES.drOkafor);
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
  return [...((Item?.busy as Set<string> | undefined) ?? [])].sort();
}

/** Five-minute granules "HHmm" (UTC) of [from, until). */
function granules(from: string, until: string): string[] {
  const out: string[] = [];
  for (let at = Date.parse(from); at < Date.parse(until); at += 5 * 60_000)
    out.push(new Date(at).toISOString().slice(11, 16).replace(':', ''));
  return out;
}

async function stored(desk: Desk, appointmentId: string) {
  return desk.appointments.getById(desk.clinicId, appointmentId);
}

describe('Appointment changes: who may make them', () => {
  it('lets clinicians check in and complete, but not book, move or cancel a visit (403, nothing changed)', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId, patientId } = await booked(desk);
    const nurse = { sub: 'nurse-1', groups: '[clinical]' };

    const cancel = await desk.change(appointmentId, 'cancel', { by: 'patient', reason: 'PATIENT_ILL' }, undefined, nurse);
    const move = await desk.change(appointmentId, 'reschedule', { nextAvailable: true }, undefined, nurse);
    const book = await desk.book(
      { patientId, appointmentType: 'PRIMARY_CARE_FOLLOW_UP', start: '2026-12-09T09:00:00-05:00' },
      undefined,
      nurse,
    );
    desk.setNow(new Date('2026-12-08T13:55:00.000Z'));
    const checkIn = await desk.change(appointmentId, 'check-in', undefined, undefined, nurse);

    expect([cancel.status, move.status, book.status, checkIn.status]).toEqual([403, 403, 403, 200]);
    expect((await stored(desk, appointmentId))?.revision).toBe(1);
  });
});

describe('Appointment changes: check-in, complete, cancel, no-show', () => {
  it('checks in, then completes, each once, each in the person’s name with its audit record', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId, patientId } = await booked(desk);
    desk.setNow(new Date('2026-12-08T13:55:00.000Z'));

    const checkIn = await desk.change(appointmentId, 'check-in', undefined, undefined, { sub: 'desk-1' });
    desk.setNow(new Date('2026-12-08T14:40:00.000Z'));
    const complete = await desk.change(appointmentId, 'complete', undefined, undefined, { sub: 'nurse-1', groups: '[clinical]' });
    const again = await desk.change(appointmentId, 'complete');

    expect(checkIn).toMatchObject({ status: 200, body: { status: 'CHECKED_IN', checkedInAt: '2026-12-08T13:55:00.000Z', revision: 1 } });
    expect(complete.body).toMatchObject({
      status: 'COMPLETED',
      completedAt: '2026-12-08T14:40:00.000Z',
      revision: 2,
      history: [
        { change: 'check-in', at: '2026-12-08T13:55:00.000Z', by: 'user:desk-1' },
        { change: 'complete', at: '2026-12-08T14:40:00.000Z', by: 'user:nurse-1' },
      ],
    });
    expect(again).toEqual({ status: 200, body: complete.body });
    // A completed visit keeps its time: it happened.
    expect(await okaforLock(desk, '2026-12-08')).toEqual(granules('2026-12-08T14:00:00Z', '2026-12-08T14:30:00Z'));
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(desk.clinicId, '2026-12-08', '').PK },
        ConsistentRead: true,
      }),
    );
    // The repeat changed nothing, and is recorded as the read it was.
    expect(
      auditRecords(Items)
        .map((r) => `${r.actor} ${r.actions.join()} ${r.patientId === patientId}`)
        .sort(),
    ).toEqual([
      'user:desk-1 appointment.checkIn true',
      'user:nurse-1 appointment.complete true',
      'user:user-frontdesk appointment.read true',
    ]);
  });

  it('cancels, giving the time back at once; a patient’s cancellation within 24 hours is late, the clinic’s never', async () => {
    const desk = openDesk(table, NOW);
    const early = await booked(desk);
    const late = await booked(desk, '2026-12-08T10:00:00-05:00');
    const clinic = await booked(desk, '2026-12-08T11:00:00-05:00');
    desk.setNow(new Date('2026-12-07T16:00:00.000Z')); // 23 hours before 10:00 the next day

    const cancelled = await Promise.all([
      desk.change(early.appointmentId, 'cancel', { by: 'patient', reason: 'SCHEDULING_CONFLICT', note: 'Work trip' }),
      desk.change(late.appointmentId, 'cancel', { by: 'patient', reason: 'PATIENT_ILL' }),
      desk.change(clinic.appointmentId, 'cancel', { by: 'clinic', reason: 'PROVIDER_UNAVAILABLE' }),
    ]);

    expect(cancelled.map((a) => [a.status, a.body.status, a.body.cancellation])).toEqual([
      [200, 'CANCELLED', { by: 'patient', reason: 'SCHEDULING_CONFLICT', late: true, note: 'Work trip' }],
      [200, 'CANCELLED', { by: 'patient', reason: 'PATIENT_ILL', late: true }],
      [200, 'CANCELLED', { by: 'clinic', reason: 'PROVIDER_UNAVAILABLE', late: false }],
    ]);
    expect(await okaforLock(desk, '2026-12-08')).toEqual([]);
    expect(await okaforSearchCopy(desk, '2026-12-08')).toEqual([]);
    const open = await desk.availability({ ...FOLLOW_UP, from: '2026-12-08T14:00:00Z', to: '2026-12-08T14:01:00Z' });
    expect(open.body.slots.map((s: { start: string }) => s.start)).toEqual([START]);
  });

  it('marks a patient’s cancellation more than 24 hours ahead not late, and refuses a cancel without a reason', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);

    const missing = await desk.change(appointmentId, 'cancel', { by: 'patient' });
    const cancelled = await desk.change(appointmentId, 'cancel', { by: 'patient', reason: 'PATIENT_REQUEST' });

    expect(missing).toMatchObject({ status: 400, body: { errors: [{ path: 'reason' }] } });
    expect(cancelled.body.cancellation).toEqual({ by: 'patient', reason: 'PATIENT_REQUEST', late: false });
  });

  it('records a no-show only from the start, and gives the time back', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);

    const early = await desk.change(appointmentId, 'no-show');
    desk.setNow(new Date('2026-12-08T14:20:00.000Z'));
    const missed = await desk.change(appointmentId, 'no-show');

    expect(early).toMatchObject({ status: 409, body: { message: expect.stringContaining('started') } });
    expect(missed).toMatchObject({ status: 200, body: { status: 'NO_SHOW', noShowAt: '2026-12-08T14:20:00.000Z' } });
    expect(await okaforLock(desk, '2026-12-08')).toEqual([]);
  });

  it('checks a patient in on the day of the visit only: 409 the day before, and the day after', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);

    const dayBefore = await desk.change(appointmentId, 'check-in');
    desk.setNow(new Date('2026-12-09T14:00:00.000Z'));
    const dayAfter = await desk.change(appointmentId, 'check-in');

    expect(dayBefore).toMatchObject({ status: 409, body: { message: 'A patient checks in on the day of the visit (2026-12-08)' } });
    expect(dayAfter.status).toBe(409);
    expect((await stored(desk, appointmentId))?.status).toBe('BOOKED');
  });

  it('checks in a late arrival marked a no-show, taking the visit’s time back; not the next day', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId, start, end } = await booked(desk);
    const other = await booked(desk, '2026-12-08T10:00:00-05:00');
    // 10:31 in Boston: both visits have started, nobody came.
    desk.setNow(new Date('2026-12-08T15:31:00.000Z'));
    await desk.change(appointmentId, 'no-show');
    await desk.change(other.appointmentId, 'no-show');
    const freed = await okaforLock(desk, '2026-12-08');

    const late = await desk.change(appointmentId, 'check-in');
    desk.setNow(new Date('2026-12-09T13:00:00.000Z'));
    const nextDay = await desk.change(other.appointmentId, 'check-in');

    expect(late).toMatchObject({ status: 200, body: { status: 'CHECKED_IN', revision: 2 } });
    expect(freed).toEqual([]);
    expect(await okaforLock(desk, '2026-12-08')).toEqual(granules(start, end));
    expect(nextDay.status).toBe(409);
  });

  it('refuses every change its status does not allow with 409, changing nothing; a repeat of the status it has answers 200', async () => {
    let desk = openDesk(table, NOW);
    /** Reaches `status` through the API from a booking (in a clinic of its own); the clock is then after the start. */
    const inStatus = async (status: AppointmentStatus) => {
      desk = openDesk(table, NOW);
      const { appointmentId } = await booked(desk, START);
      desk.setNow(new Date('2026-12-08T14:10:00.000Z'));
      const path: Record<AppointmentStatus, string[]> = {
        BOOKED: [],
        CHECKED_IN: ['check-in'],
        COMPLETED: ['check-in', 'complete'],
        CANCELLED: ['cancel'],
        NO_SHOW: ['no-show'],
      };
      for (const verb of path[status]) {
        if (verb === 'cancel') desk.setNow(NOW);
        expect((await desk.change(appointmentId, verb, verb === 'cancel' ? { by: 'clinic', reason: 'OTHER' } : undefined)).status).toBe(
          200,
        );
        desk.setNow(new Date('2026-12-08T14:10:00.000Z'));
      }
      return appointmentId;
    };
    const bodyOf = (verb: string) =>
      verb === 'cancel' ? { by: 'clinic', reason: 'OTHER' } : verb === 'reschedule' ? { start: '2026-12-09T09:00:00-05:00' } : undefined;
    // What a front desk expects, written out rather than derived from the rules under test.
    const expected: Record<AppointmentStatus, Record<string, number>> = {
      BOOKED: { complete: 409 },
      CHECKED_IN: { reschedule: 409, cancel: 409, 'check-in': 200, 'no-show': 409 },
      COMPLETED: { reschedule: 409, cancel: 409, 'check-in': 409, 'no-show': 409, complete: 200 },
      CANCELLED: { reschedule: 409, cancel: 200, 'check-in': 409, 'no-show': 409, complete: 409 },
      // A no-show's check-in is a late arrival (its own test below).
      NO_SHOW: { reschedule: 409, cancel: 409, 'no-show': 200, complete: 409 },
    };

    for (const [status, answers] of Object.entries(expected) as Array<[AppointmentStatus, Record<string, number>]>) {
      for (const verb of APPOINTMENT_CHANGES.filter((v) => v in answers)) {
        const appointmentId = await inStatus(status);
        const before = await stored(desk, appointmentId);

        const answer = await desk.change(appointmentId, verb, bodyOf(verb));

        expect(answer.status, `${verb} of ${status}`).toBe(answers[verb]);
        expect(await stored(desk, appointmentId), `${verb} of ${status}`).toEqual(before);
      }
    }
  });

  it('answers 404 for an appointment of another clinic, 403 to billing, 401 without a person', async () => {
    const desk = openDesk(table, NOW);
    const other = openDesk(table, NOW);
    const { appointmentId } = await booked(other);

    expect((await desk.change(appointmentId, 'check-in')).status).toBe(404);
    expect((await other.change(appointmentId, 'check-in', undefined, undefined, { groups: '[billing]' })).status).toBe(403);
    expect((await stored(other, appointmentId))?.status).toBe('BOOKED');
  });
});

describe('Appointment changes: reschedule', () => {
  it('moves to the start asked: the new time taken and the old given back in one write, the old kept in the history', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);

    const moved = await desk.change(appointmentId, 'reschedule', { start: '2026-12-09T14:00:00-05:00' }, undefined, { sub: 'desk-2' });

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      appointmentId,
      status: 'BOOKED',
      start: '2026-12-09T14:00:00-05:00',
      end: '2026-12-09T14:30:00-05:00',
      revision: 1,
      history: [
        {
          change: 'reschedule',
          by: 'user:desk-2',
          from: { start: START, end: '2026-12-08T09:30:00-05:00', resourceIds: [DEMO_RESOURCES.drOkafor] },
        },
      ],
    });
    expect(await okaforLock(desk, '2026-12-08')).toEqual([]);
    expect(await okaforLock(desk, '2026-12-09')).toEqual(granules('2026-12-09T19:00:00Z', '2026-12-09T19:30:00Z'));
    expect(await okaforSearchCopy(desk, '2026-12-09')).toEqual(await okaforLock(desk, '2026-12-09'));
    expect((await desk.schedule({ date: '2026-12-08' })).body.appointments).toEqual([]);
    expect((await desk.schedule({ date: '2026-12-09' })).body.appointments.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([
      appointmentId,
    ]);
  });

  it('moves 15 minutes later on the same day and provider, where the old and new time share a busy day', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);
    const neighbour = await booked(desk, '2026-12-08T10:00:00-05:00');

    const moved = await desk.change(appointmentId, 'reschedule', { start: '2026-12-08T09:15:00-05:00' });

    expect(moved.body).toMatchObject({ start: '2026-12-08T09:15:00-05:00', end: '2026-12-08T09:45:00-05:00' });
    const expected = [
      ...granules('2026-12-08T14:15:00Z', '2026-12-08T14:45:00Z'),
      ...granules('2026-12-08T15:00:00Z', '2026-12-08T15:30:00Z'),
    ];
    expect(await okaforLock(desk, '2026-12-08')).toEqual(expected);
    expect(await okaforSearchCopy(desk, '2026-12-08')).toEqual(expected);
    // 09:00 is free again, 09:15 is not.
    const takenNow = await desk.book({ patientId: await desk.patient(), ...FOLLOW_UP, start: '2026-12-08T09:15:00-05:00' });
    expect(takenNow.status).toBe(409);
    expect((await stored(desk, neighbour.appointmentId))?.status).toBe('BOOKED');
  });

  it('moves to the next available slot from now, which is not where it already is', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk, '2026-12-07T08:00:00-05:00');

    const unkeyed = await desk.change(appointmentId, 'reschedule', { nextAvailable: true, providerId: DEMO_RESOURCES.drOkafor });
    const moved = await desk.change(
      appointmentId,
      'reschedule',
      { nextAvailable: true, providerId: DEMO_RESOURCES.drOkafor },
      { 'Idempotency-Key': randomUUID() },
    );

    // Without a key a repeat could not be told from a second move: refused, nothing moved.
    expect(unkeyed).toMatchObject({ status: 400, body: { errors: [{ path: 'Idempotency-Key' }] } });
    expect(moved).toMatchObject({
      status: 200,
      body: { start: '2026-12-07T08:15:00-05:00', provider: { id: DEMO_RESOURCES.drOkafor }, revision: 1 },
    });
  });

  it('refuses a time someone else holds with 409 and the next open slots, changing nothing', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);
    await booked(desk, '2026-12-08T11:00:00-05:00');
    const before = await stored(desk, appointmentId);

    const refused = await desk.change(appointmentId, 'reschedule', {
      start: '2026-12-08T11:00:00-05:00',
      providerId: DEMO_RESOURCES.drOkafor,
    });

    expect(refused.status).toBe(409);
    expect(refused.body.alternatives[0]).toMatchObject({ start: '2026-12-08T11:30:00-05:00' });
    expect(await stored(desk, appointmentId)).toEqual(before);
  });

  it('moves once for a repeated request with the same Idempotency-Key', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);
    const key = { 'Idempotency-Key': randomUUID() };

    const first = await desk.change(appointmentId, 'reschedule', { nextAvailable: true }, key);
    const again = await desk.change(appointmentId, 'reschedule', { nextAvailable: true }, key);

    expect(first.body.revision).toBe(1);
    expect(again).toEqual({ status: 200, body: first.body });
  });

  it('settles two reschedules made at once on one time, holding only it', async () => {
    const desk = openDesk(table, NOW);
    const { appointmentId } = await booked(desk);

    const answers = await Promise.all([
      desk.change(appointmentId, 'reschedule', { start: '2026-12-08T13:00:00-05:00' }),
      desk.change(appointmentId, 'reschedule', { start: '2026-12-08T15:00:00-05:00' }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const final = await stored(desk, appointmentId);
    expect(final?.revision).toBe(2);
    const at = Date.parse(final?.start ?? '');
    expect(await okaforLock(desk, '2026-12-08')).toEqual(granules(new Date(at).toISOString(), new Date(at + 30 * 60_000).toISOString()));
  });

  it('keeps the journey’s copy of a journey’s appointment in step', async () => {
    const desk = openDesk(table, NOW);
    const journeyId = randomUUID();
    const patientId = await desk.patient();
    const first = await booked(desk);
    // The journey's own booking, as bookAppointment makes it (keyed by the journey), and its journey.
    const record = {
      ...(await stored(desk, first.appointmentId)),
      appointmentId: appointmentIdOf(journeyId),
      journeyId,
      patientId,
      start: '2026-12-08T09:30:00-05:00',
      end: '2026-12-08T10:00:00-05:00',
    };
    expect((await desk.appointments.book(record as never)).outcome).toBe('BOOKED');
    const journey = {
      ...newJourneyRecord({ clinicId: desk.clinicId, journeyId, submissionId: 's-1', patientId }, NOW),
      appointment: journeyAppointment(record as never),
    };
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: journeyItem(journey) }));

    const moved = await desk.change(appointmentIdOf(journeyId), 'reschedule', { start: '2026-12-10T10:00:00-05:00' });

    expect(moved.status).toBe(200);
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.journey(desk.clinicId, journeyId), ConsistentRead: true }),
    );
    expect(Item?.appointment).toMatchObject({ start: '2026-12-10T10:00:00-05:00', end: '2026-12-10T10:30:00-05:00' });

    // Cancelled by the desk: the journey's copy says so (a journey still running then charges and confirms nothing).
    await desk.change(appointmentIdOf(journeyId), 'cancel', { by: 'clinic', reason: 'PROVIDER_UNAVAILABLE' });
    const { Item: after } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.journey(desk.clinicId, journeyId), ConsistentRead: true }),
    );
    expect(after?.appointment).toMatchObject({ start: '2026-12-10T10:00:00-05:00', status: 'CANCELLED' });
  });
});

describe('Day schedule: GET /v1/clinics/{clinicId}/appointments', () => {
  it('lists a local day by start, with its filters, and records each patient shown as read by the person', async () => {
    const desk = openDesk(table, NOW);
    const late = await booked(desk, '2026-12-08T15:00:00-05:00');
    const early = await booked(desk, '2026-12-08T08:00:00-05:00');
    const denver = await desk.book({
      patientId: await desk.patient(),
      appointmentType: TYPES.primaryCareNew,
      start: '2026-12-08T08:00:00-07:00',
      locationId: DEMO_LOCATIONS.denver,
    });
    await booked(desk, '2026-12-09T08:00:00-05:00');

    const day = await desk.schedule({ date: '2026-12-08' }, { sub: 'desk-9' });
    const boston = await desk.schedule({ date: '2026-12-08', locationId: DEMO_LOCATIONS.boston });
    const martinez = await desk.schedule({ date: '2026-12-08', providerId: DEMO_RESOURCES.drMartinez });

    expect(day.body.appointments.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([
      early.appointmentId,
      denver.body.appointmentId,
      late.appointmentId,
    ]);
    expect(boston.body.appointments.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([
      early.appointmentId,
      late.appointmentId,
    ]);
    expect(martinez.body.appointments.map((a: { start: string }) => a.start)).toEqual(['2026-12-08T08:00:00-07:00']);
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(desk.clinicId, '2026-12-07', '').PK },
        ConsistentRead: true,
      }),
    );
    const reads = auditRecords(Items).filter((r) => r.actor === 'user:desk-9');
    expect(reads.map((r) => r.patientId).sort()).toEqual([early.patientId, late.patientId, denver.body.patientId].sort());
    expect(reads.every((r) => r.actions.join() === 'appointment.read')).toBe(true);
  });

  it('pages a day, and refuses a cursor of another day or clinic', async () => {
    const desk = openDesk(table, NOW);
    for (const start of ['08:00', '09:00', '10:00']) await booked(desk, `2026-12-08T${start}:00-05:00`);

    const first = await desk.schedule({ date: '2026-12-08', limit: '2' });
    const second = await desk.schedule({ date: '2026-12-08', limit: '2', cursor: first.body.next });
    const wrongDay = await desk.schedule({ date: '2026-12-09', cursor: first.body.next });
    const forged = await desk.schedule({ date: '2026-12-08', cursor: Buffer.from('{"PK":"x"}').toString('base64url') });

    expect([first.body.appointments.length, second.body.appointments.length]).toEqual([2, 1]);
    expect(wrongDay).toMatchObject({ status: 400, body: { errors: [{ path: 'cursor' }] } });
    expect(forged.status).toBe(400);
  });

  it('lists the days clocks change on in both zones, each visit at its own offset (23- and 25-hour days)', async () => {
    // Sunday hours for both primary care physicians, through the night of each change.
    const desk = openDesk(table, new Date('2026-03-01T12:00:00.000Z'), (catalog) => ({
      ...catalog,
      resources: catalog.resources.map((r) =>
        r.resourceId === DEMO_RESOURCES.drOkafor || r.resourceId === DEMO_RESOURCES.drMartinez
          ? { ...r, weeklyHours: { ...r.weeklyHours, SUN: [{ start: '00:00', end: '06:00' }] } }
          : r,
      ),
    }));
    const book = async (start: string, providerId: string) => {
      const answer = await desk.book({ patientId: await desk.patient(), appointmentType: TYPES.primaryCareFollowUp, start, providerId });
      expect(answer.status, start).toBe(201);
    };

    // Spring forward (8 March): 01:30 standard time runs into 03:00 daylight time, 30 minutes later.
    await book('2026-03-08T01:30:00-05:00', DEMO_RESOURCES.drOkafor);
    await book('2026-03-08T03:00:00-04:00', DEMO_RESOURCES.drOkafor);
    await book('2026-03-08T01:30:00-07:00', DEMO_RESOURCES.drMartinez);
    await book('2026-03-08T03:00:00-06:00', DEMO_RESOURCES.drMartinez);
    // Fall back (1 November): 01:30 happens twice; each is its own slot.
    desk.setNow(new Date('2026-10-25T12:00:00.000Z'));
    await book('2026-11-01T01:30:00-04:00', DEMO_RESOURCES.drOkafor);
    await book('2026-11-01T01:30:00-05:00', DEMO_RESOURCES.drOkafor);
    await book('2026-11-01T01:30:00-06:00', DEMO_RESOURCES.drMartinez);
    await book('2026-11-01T01:30:00-07:00', DEMO_RESOURCES.drMartinez);

    const spring = await desk.schedule({ date: '2026-03-08' });
    const autumn = await desk.schedule({ date: '2026-11-01' });
    const dayBefore = await desk.schedule({ date: '2026-03-07' });

    expect(spring.body.appointments.map((a: { start: string; end: string }) => `${a.start} ${a.end}`)).toEqual([
      '2026-03-08T01:30:00-05:00 2026-03-08T03:00:00-04:00',
      '2026-03-08T03:00:00-04:00 2026-03-08T03:30:00-04:00',
      '2026-03-08T01:30:00-07:00 2026-03-08T03:00:00-06:00',
      '2026-03-08T03:00:00-06:00 2026-03-08T03:30:00-06:00',
    ]);
    expect(autumn.body.appointments.map((a: { start: string }) => a.start)).toEqual([
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-01T01:30:00-06:00',
      '2026-11-01T01:30:00-07:00',
    ]);
    expect(dayBefore.body.appointments).toEqual([]);
  });
});
