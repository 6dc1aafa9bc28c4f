import { describe, expect, it } from 'vitest';
import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { markNoShow, watchForNoShow } from '#functions/scheduling/no-show-check.ts';
import { DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { openDesk } from '#test/support/appointment-desk.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('no-show-check');
/** Monday 7 December 2026, 07:00 in Boston; the visit is Tuesday at 09:00 (14:00 UTC). */
const NOW = new Date('2026-12-07T12:00:00.000Z');
const START = '2026-12-08T09:00:00-05:00';

async function bookedVisit(noShowAfterMinutes?: number) {
  const desk = openDesk(table, NOW, (catalog) => ({
    ...catalog,
    profile: { ...catalog.profile, ...(noShowAfterMinutes ? { noShowAfterMinutes } : {}) },
  }));
  const answer = await desk.book({
    patientId: await desk.patient(),
    appointmentType: TYPES.primaryCareFollowUp,
    providerId: DEMO_RESOURCES.drOkafor,
    start: START,
  });
  expect(answer.status).toBe(201);
  const event: AppointmentChangedDetail = {
    clinicId: desk.clinicId,
    appointmentId: answer.body.appointmentId,
    revision: 0,
    change: 'book',
    status: 'BOOKED',
    origin: 'staff',
  };
  const catalogStore = { load: async () => desk.catalog, put: async () => ({ calendarKept: false, hoursKept: [] }) };
  return { desk, event, catalogStore };
}

describe('Function: watchForNoShow and markNoShow on DynamoDB Local', () => {
  it('schedules the check the clinic’s minutes after the start (30 by default), once per revision', async () => {
    const scheduled: unknown[] = [];
    const timers = { schedule: async (check: unknown) => void scheduled.push(check) };
    const usual = await bookedVisit();
    const strict = await bookedVisit(15);

    await watchForNoShow({ appointments: usual.desk.appointments, catalog: usual.catalogStore, timers, now: () => NOW }, usual.event);
    await watchForNoShow({ appointments: strict.desk.appointments, catalog: strict.catalogStore, timers, now: () => NOW }, strict.event);

    expect(scheduled).toEqual([
      { clinicId: usual.desk.clinicId, appointmentId: usual.event.appointmentId, revision: 0, at: new Date('2026-12-08T14:30:00.000Z') },
      { clinicId: strict.desk.clinicId, appointmentId: strict.event.appointmentId, revision: 0, at: new Date('2026-12-08T14:15:00.000Z') },
    ]);
  });

  it('schedules nothing for a booking moved or cancelled since (that change schedules its own)', async () => {
    const scheduled: unknown[] = [];
    const { desk, event, catalogStore } = await bookedVisit();
    await desk.change(event.appointmentId, 'reschedule', { start: '2026-12-09T09:00:00-05:00' });

    const outcome = await watchForNoShow(
      { appointments: desk.appointments, catalog: catalogStore, timers: { schedule: async (c) => void scheduled.push(c) }, now: () => NOW },
      event,
    );

    expect(outcome).toBe('NOT_NEEDED');
    expect(scheduled).toEqual([]);
  });

  it('marks the visit a no-show once due, in the function’s name; not before, and never one checked in', async () => {
    const missed = await bookedVisit();
    const arrived = await bookedVisit();
    arrived.desk.setNow(new Date('2026-12-08T13:55:00.000Z'));
    await arrived.desk.change(arrived.event.appointmentId, 'check-in');
    const deps = (visit: typeof missed, now: string) => ({
      appointments: visit.desk.appointments,
      catalog: visit.catalogStore,
      audit: dynamoAuditLog(table),
      now: () => new Date(now),
    });

    const early = await markNoShow(deps(missed, '2026-12-08T14:29:00.000Z'), missed.event);
    const due = await markNoShow(deps(missed, '2026-12-08T14:30:00.000Z'), missed.event);
    const again = await markNoShow(deps(missed, '2026-12-08T14:31:00.000Z'), missed.event);
    const checkedIn = await markNoShow(deps(arrived, '2026-12-08T14:30:00.000Z'), arrived.event);

    expect([early, due, again, checkedIn]).toEqual(['NOT_DUE', 'MARKED', 'NOT_DUE', 'NOT_DUE']);
    expect(await missed.desk.appointments.getById(missed.desk.clinicId, missed.event.appointmentId)).toMatchObject({
      status: 'NO_SHOW',
      history: [{ change: 'no-show', by: 'function:markNoShow', at: '2026-12-08T14:30:00.000Z' }],
    });
    expect((await arrived.desk.appointments.getById(arrived.desk.clinicId, arrived.event.appointmentId))?.status).toBe('CHECKED_IN');
  });
});
