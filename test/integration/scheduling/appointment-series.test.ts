import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeriesSchema } from '#contract/api/appointment-schema.ts';
import { DEMO_LOCATIONS, DEMO_RESOURCES, DEMO_APPOINTMENT_TYPES as TYPES } from '#local/seed/demo-clinic.ts';
import { openDesk } from '#test/support/appointment-desk.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('appointment-series');
/** Monday 7 December 2026, 05:00 in Denver, where physical therapy practises. */
const NOW = new Date('2026-12-07T12:00:00.000Z');
const ORDER = {
  orderingPhysicianName: 'Dr. Alan Smith',
  orderingPhysicianNpi: '1234567893',
  procedureCode: '97110',
  diagnosisCodes: ['M25.561'],
  expiresOn: '2027-03-31',
};
/** A plan of care: twice a week, Tuesday and Thursday afternoons, 12 visits. */
const PLAN = {
  appointmentType: TYPES.physicalTherapyVisit,
  recurrence: { frequency: 'WEEKLY', byDay: ['TUE', 'THU'], count: 12 },
  startDate: '2026-12-08',
  timeOfDay: 'AFTERNOON',
  order: ORDER,
};

const overlapping = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

describe('Series: POST /v1/clinics/{clinicId}/appointment-series', () => {
  it('books a 12-visit physical therapy plan on Tuesday and Thursday afternoons with the same therapist, without overlaps', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();

    const answer = await desk.bookSeries({ patientId, ...PLAN });

    expect(answer.status).toBe(201);
    const series = SeriesSchema.parse(answer.body);
    expect(series.unplaced).toEqual([]);
    expect(series.visits.map((v) => v.date)).toEqual([
      '2026-12-08',
      '2026-12-10',
      '2026-12-15',
      '2026-12-17',
      '2026-12-22',
      '2026-12-24',
      '2026-12-29',
      '2026-12-31',
      '2027-01-05',
      '2027-01-07',
      '2027-01-12',
      '2027-01-14',
    ]);
    for (const visit of series.visits) {
      expect(visit.start).toMatch(/T1[2-4]:\d{2}:00-07:00$/);
      expect(visit.provider.id).toBe(DEMO_RESOURCES.ptChen);
    }
    for (const [i, a] of series.visits.entries()) for (const b of series.visits.slice(i + 1)) expect(overlapping(a, b)).toBe(false);
    // Each visit is an appointment like any other: on the day sheet, under the order.
    const day = await desk.schedule({ date: '2026-12-10' });
    expect(day.body.appointments).toEqual([
      expect.objectContaining({
        appointmentId: series.visits[1]?.appointmentId,
        order: expect.objectContaining({ procedureCode: '97110' }),
      }),
    ]);
  });

  it('keeps the visits at the same local time across the change to standard time, and reports a day it cannot place with what is open', async () => {
    // From late October: clocks go back on 1 November. The therapist is away on 3 November.
    const desk = openDesk(table, new Date('2026-10-26T12:00:00.000Z'), (catalog) => ({
      ...catalog,
      unavailability: [
        { resourceId: DEMO_RESOURCES.ptChen, kind: 'time-off', start: '2026-11-03T00:00:00-07:00', end: '2026-11-04T00:00:00-07:00' },
      ],
    }));
    const patientId = await desk.patient();

    const answer = await desk.bookSeries({
      patientId,
      ...PLAN,
      startDate: '2026-10-27',
      recurrence: { frequency: 'WEEKLY', byDay: ['TUE', 'THU'], count: 4 },
    });

    const series = SeriesSchema.parse(answer.body);
    expect(series.visits.map((v) => v.start)).toEqual([
      '2026-10-27T12:00:00-06:00',
      '2026-10-29T12:00:00-06:00',
      '2026-11-05T12:00:00-07:00',
    ]);
    expect(series.unplaced).toEqual([
      expect.objectContaining({
        date: '2026-11-03',
        alternatives: [expect.objectContaining({ start: '2026-11-04T07:00:00-07:00' }), expect.anything(), expect.anything()],
      }),
    ]);
  });

  it('keeps the visits at the same local time across the change to summer time, in Denver and in Boston', async () => {
    // Clocks go forward on 14 March 2027 in both zones.
    const desk = openDesk(table, new Date('2027-03-01T12:00:00.000Z'));
    const patientId = await desk.patient();
    const therapy = await desk.bookSeries({
      patientId,
      ...PLAN,
      startDate: '2027-03-09',
      recurrence: { frequency: 'WEEKLY', byDay: ['TUE', 'THU'], count: 4 },
    });
    const checkUps = await desk.bookSeries({
      patientId,
      appointmentType: TYPES.primaryCareFollowUp,
      locationId: DEMO_LOCATIONS.boston,
      providerId: DEMO_RESOURCES.drOkafor,
      recurrence: { frequency: 'WEEKLY', byDay: ['MON'], count: 2 },
      startDate: '2027-03-08',
      timeOfDay: 'MORNING',
    });

    expect(SeriesSchema.parse(therapy.body).visits.map((v) => v.start)).toEqual([
      '2027-03-09T12:00:00-07:00',
      '2027-03-11T12:00:00-07:00',
      '2027-03-16T12:00:00-06:00',
      '2027-03-18T12:00:00-06:00',
    ]);
    expect(SeriesSchema.parse(checkUps.body).visits.map((v) => v.start)).toEqual([
      '2027-03-08T08:00:00-05:00',
      '2027-03-15T08:00:00-04:00',
    ]);
  });

  it('places what it can when another patient holds the usual time: another time that afternoon', async () => {
    const desk = openDesk(table, NOW);
    const [other, patientId] = [await desk.patient(), await desk.patient()];
    const first = await desk.bookSeries({ patientId: other, ...PLAN, recurrence: { frequency: 'WEEKLY', byDay: ['TUE'], count: 1 } });

    const answer = await desk.bookSeries({ patientId, ...PLAN, recurrence: { frequency: 'WEEKLY', byDay: ['TUE'], count: 2 } });

    const [taken] = SeriesSchema.parse(first.body).visits;
    const series = SeriesSchema.parse(answer.body);
    expect(series.visits).toHaveLength(2);
    expect(overlapping(series.visits[0] ?? { start: '', end: '' }, taken ?? { start: '', end: '' })).toBe(false);
  });

  it('books a series once for a repeated request, and refuses a therapy series without a physician order', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();
    const key = randomUUID();

    const first = await desk.bookSeries({ patientId, ...PLAN }, key);
    const again = await desk.bookSeries({ patientId, ...PLAN }, key);
    const unordered = await desk.bookSeries({ patientId, ...PLAN, order: undefined });

    expect(again.status).toBe(200);
    expect(again.body.visits).toEqual(first.body.visits);
    expect(unordered).toMatchObject({ status: 409, body: { message: expect.stringContaining("physician's order") } });
  });

  it('cancels the rest of a series from a date, keeping the visits before it, and frees their time', async () => {
    const desk = openDesk(table, NOW);
    const patientId = await desk.patient();
    const series = SeriesSchema.parse((await desk.bookSeries({ patientId, ...PLAN })).body);

    const answer = await desk.cancelSeries(series.seriesId, { from: '2026-12-29', by: 'patient', reason: 'PATIENT_REQUEST' });

    expect(answer.status).toBe(200);
    expect(answer.body.cancelled).toEqual(series.visits.slice(6).map((v) => v.appointmentId));
    expect(answer.body.kept).toEqual(series.visits.slice(0, 6).map((v) => v.appointmentId));
    const open = await desk.availability({
      appointmentType: TYPES.physicalTherapyVisit,
      locationId: DEMO_LOCATIONS.denver,
      from: series.visits[6]?.start ?? '',
      to: new Date(Date.parse(series.visits[6]?.start ?? '') + 60_000).toISOString(),
    });
    expect(open.body.slots.map((s: { start: string }) => s.start)).toEqual([series.visits[6]?.start]);
    expect((await desk.cancelSeries('series-nope', { by: 'clinic', reason: 'OTHER' })).status).toBe(404);
  });
});
