import { describe, expect, it } from 'vitest';
import {
  closureIdOf,
  collides,
  hoursTakeTime,
  localDateSpan,
  openedByHours,
  outsideCalendar,
  outsideHours,
  unavailabilityIdOf,
} from '#functions/scheduling/calendar-changes.ts';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import type { Resource } from '#model/clinic-catalog.ts';
import { appointmentRecord } from '#test/support/fixtures/records.ts';

const BOSTON = 'America/New_York';
const provider: Resource = {
  resourceId: 'dr-a',
  kind: 'provider',
  name: 'Dr A',
  departmentId: 'primary-care',
  locationId: 'boston-back-bay',
  weeklyHours: { MON: [{ start: '09:00', end: '12:00' }], SUN: [{ start: '01:00', end: '04:00' }] },
};
/** A visit of dr-a, as booked (local instants with their offset). */
const visit = (start: string, end: string, extra: Partial<Parameters<typeof appointmentRecord>[0]> = {}) =>
  appointmentRecord({
    start,
    end,
    resourceIds: ['dr-a'],
    location: { id: 'boston-back-bay', name: 'Back Bay', address: '' },
    ...extra,
  });

describe('Calendar changes: what collides, what opens (pure)', () => {
  it('away: the visit’s held time, buffers included, overlapping the span; another resource’s time off never', () => {
    const at10 = visit('2026-12-07T10:00:00-05:00', '2026-12-07T10:30:00-05:00', { bufferAfterMinutes: 15 });
    const span = (start: string, end: string) => ({ start: Date.parse(start), end: Date.parse(end) });

    expect(collides(at10, { kind: 'away', resourceId: 'dr-a', span: span('2026-12-07T15:45:00Z', '2026-12-07T16:00:00Z') })).toBe(false);
    // Only the 15-minute buffer after the visit overlaps.
    expect(collides(at10, { kind: 'away', resourceId: 'dr-a', span: span('2026-12-07T15:40:00Z', '2026-12-07T16:00:00Z') })).toBe(true);
    expect(collides(at10, { kind: 'away', resourceId: 'dr-b', span: span('2026-12-07T00:00:00Z', '2026-12-08T00:00:00Z') })).toBe(false);
    const cancelled = { ...at10, status: 'CANCELLED' as const };
    expect(collides(cancelled, { kind: 'away', resourceId: 'dr-a', span: span('2026-12-07T00:00:00Z', '2026-12-08T00:00:00Z') })).toBe(
      false,
    );
  });

  it('hours: the visit itself within one opening of its local day, on the day the clocks go forward too', () => {
    const hours = { kind: 'hours' as const, resource: provider, timeZone: BOSTON };

    expect(collides(visit('2026-12-07T11:30:00-05:00', '2026-12-07T12:00:00-05:00'), hours)).toBe(false);
    expect(collides(visit('2026-12-07T11:45:00-05:00', '2026-12-07T12:15:00-05:00'), hours)).toBe(true);
    expect(collides(visit('2026-12-08T10:00:00-05:00', '2026-12-08T10:30:00-05:00'), hours)).toBe(true);
    // Sunday 14 March 2027: 02:00 does not exist in Boston; 01:00–04:00 local is 06:00–07:00Z then 07:00–08:00Z.
    expect(collides(visit('2027-03-14T03:00:00-04:00', '2027-03-14T03:30:00-04:00'), hours)).toBe(false);
    expect(collides(visit('2027-03-14T04:00:00-04:00', '2027-03-14T04:30:00-04:00'), hours)).toBe(true);
  });

  it('closed: a visit at that location on that local date', () => {
    const evening = visit('2026-12-24T19:00:00-05:00', '2026-12-24T19:30:00-05:00');

    expect(collides(evening, { kind: 'closed', locationId: 'boston-back-bay', date: '2026-12-24' })).toBe(true);
    // 19:00 in Boston is already the 25th in UTC: the location's date counts.
    expect(collides(evening, { kind: 'closed', locationId: 'boston-back-bay', date: '2026-12-25' })).toBe(false);
    expect(collides(evening, { kind: 'closed', locationId: 'denver-union-station', date: '2026-12-24' })).toBe(false);
  });

  it('new hours open what the old ones did not, day by day in the local zone', () => {
    const wider: Resource = { ...provider, weeklyHours: { MON: [{ start: '08:00', end: '13:00' }] } };
    const from = Date.parse('2026-12-06T00:00:00Z');
    const until = Date.parse('2026-12-15T00:00:00Z');

    const opened = openedByHours(wider, provider.weeklyHours, BOSTON, from, until).map((s) => [
      new Date(s.start).toISOString(),
      new Date(s.end).toISOString(),
    ]);

    expect(opened).toEqual([
      ['2026-12-07T13:00:00.000Z', '2026-12-07T14:00:00.000Z'],
      ['2026-12-07T17:00:00.000Z', '2026-12-07T18:00:00.000Z'],
      ['2026-12-14T13:00:00.000Z', '2026-12-14T14:00:00.000Z'],
      ['2026-12-14T17:00:00.000Z', '2026-12-14T18:00:00.000Z'],
    ]);
    const narrower: Resource = { ...provider, weeklyHours: { MON: [{ start: '09:00', end: '12:00' }] } };
    expect(openedByHours(narrower, wider.weeklyHours, BOSTON, from, until)).toEqual([]);
  });

  it('knows whether new hours take time away, or only add some', () => {
    const mornings = { MON: [{ start: '08:00', end: '12:00' }] };

    expect(hoursTakeTime(mornings, { MON: [{ start: '07:00', end: '13:00' }] })).toBe(false);
    expect(
      hoursTakeTime(mornings, {
        MON: [
          { start: '08:00', end: '10:00' },
          { start: '10:00', end: '12:00' },
        ],
      }),
    ).toBe(false);
    expect(
      hoursTakeTime(mornings, {
        MON: [
          { start: '08:00', end: '10:00' },
          { start: '10:05', end: '12:00' },
        ],
      }),
    ).toBe(true);
    expect(hoursTakeTime(mornings, { TUE: [{ start: '08:00', end: '12:00' }] })).toBe(true);
    expect(hoursTakeTime({}, mornings)).toBe(false);
  });

  it('outsideHours keeps only the granules outside the weekly hours', () => {
    const starts = ['2026-12-07T14:00:00Z', '2026-12-07T17:00:00Z', '2026-12-07T16:55:00Z'].map(Date.parse);

    expect(outsideHours(provider, BOSTON, starts).map((at) => new Date(at).toISOString())).toEqual(['2026-12-07T17:00:00.000Z']);
  });

  it('outsideCalendar says why a booked visit no longer fits the catalog as it is', () => {
    const catalog = { ...demoClinicCatalog, resources: [provider] };
    const inside = visit('2026-12-07T10:00:00-05:00', '2026-12-07T10:30:00-05:00');

    expect(outsideCalendar(catalog, inside)).toBeUndefined();
    expect(outsideCalendar({ ...catalog, closures: [{ locationId: 'boston-back-bay', date: '2026-12-07', name: 'x' }] }, inside)).toBe(
      'closed',
    );
    expect(
      outsideCalendar(
        { ...catalog, unavailability: [{ resourceId: 'dr-a', kind: 'block', start: '2026-12-07T15:15:00Z', end: '2026-12-07T15:20:00Z' }] },
        inside,
      ),
    ).toBe('away');
    expect(outsideCalendar({ ...catalog, resources: [{ ...provider, weeklyHours: {} }] }, inside)).toBe('hours');
  });

  it('names entries by what they are, and a local date by the instants it spans (25 hours when the clocks go back)', () => {
    const entry = { resourceId: 'dr-a', kind: 'block' as const, start: '2026-12-07T10:00:00-05:00', end: '2026-12-07T11:00:00-05:00' };

    expect(unavailabilityIdOf(entry)).toBe(unavailabilityIdOf({ ...entry, start: '2026-12-07T15:00:00Z' }));
    expect(unavailabilityIdOf(entry)).not.toBe(unavailabilityIdOf({ ...entry, kind: 'time-off' }));
    expect(unavailabilityIdOf(entry)).toMatch(/^un-[0-9a-f]{20}$/);
    expect(closureIdOf({ locationId: 'boston-back-bay', date: '2026-12-24' })).toBe('boston-back-bay-2026-12-24');
    const fallBack = localDateSpan('2026-11-01', BOSTON);
    expect((fallBack.end - fallBack.start) / 3_600_000).toBe(25);
  });
});
