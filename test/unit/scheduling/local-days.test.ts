import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { atLocalTime, dayOfInstant, hourOf, localDays, openingWindows, wallClock } from '#functions/scheduling/local-days.ts';
import type { Resource } from '#model/clinic-catalog.ts';

const NEW_YORK = 'America/New_York';
const iso = (ms: number) => new Date(ms).toISOString();
const daysOf = (zone: string, from: string, until: string) => [...localDays(zone, Date.parse(from), Date.parse(until))];

const resource = (weeklyHours: Resource['weeklyHours']): Resource => ({
  resourceId: 'r',
  kind: 'provider',
  name: 'R',
  departmentId: 'd',
  locationId: 'l',
  weeklyHours,
});

describe('Function: localDays', () => {
  it('gives each local day from the midnight before `from`, in epoch milliseconds, with its date and weekday', () => {
    // Act: from Monday 2 March 2026 07:00 EST to Wednesday 00:00 EST
    const days = daysOf(NEW_YORK, '2026-03-02T12:00:00Z', '2026-03-04T05:00:00Z');

    // Assess
    expect(days.map((d) => [iso(d.start), iso(d.end), d.date, d.weekday, d.uniform])).toEqual([
      ['2026-03-02T05:00:00.000Z', '2026-03-03T05:00:00.000Z', '2026-03-02', 'MON', true],
      ['2026-03-03T05:00:00.000Z', '2026-03-04T05:00:00.000Z', '2026-03-03', 'TUE', true],
    ]);
  });

  it('makes the spring-forward day 23 hours long and not uniform', () => {
    // Act: Sunday 8 March 2026 in New York, 02:00 EST → 03:00 EDT
    const [saturday, sunday, monday] = daysOf(NEW_YORK, '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z');

    // Assess
    expect(sunday).toMatchObject({ date: '2026-03-08', weekday: 'SUN', uniform: false });
    expect(((sunday?.end ?? 0) - (sunday?.start ?? 0)) / 3_600_000).toBe(23);
    expect(iso(monday?.start ?? 0)).toBe('2026-03-09T04:00:00.000Z');
    expect([saturday?.uniform, monday?.uniform]).toEqual([true, true]);
  });

  it('makes the fall-back day 25 hours long and not uniform', () => {
    // Act: Sunday 1 November 2026 in New York, 02:00 EDT → 01:00 EST
    const days = daysOf(NEW_YORK, '2026-11-01T12:00:00Z', '2026-11-02T12:00:00Z');

    // Assess
    expect(days.map((d) => [d.date, (d.end - d.start) / 3_600_000, d.uniform])).toEqual([
      ['2026-11-01', 25, false],
      ['2026-11-02', 24, true],
    ]);
  });

  it('flags a half-hour change (Lord Howe) and a change at midnight (Havana), where local midnight is skipped', () => {
    // Act
    const [lordHowe] = daysOf('Australia/Lord_Howe', '2026-04-04T14:00:00Z', '2026-04-04T15:00:00Z');
    const [havana] = daysOf('America/Havana', '2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z');

    // Assess: 24.5 hours; a day that starts at 01:00 because 00:00 never happened.
    expect(lordHowe).toMatchObject({ date: '2026-04-05', uniform: false });
    expect(((lordHowe?.end ?? 0) - (lordHowe?.start ?? 0)) / 3_600_000).toBe(24.5);
    expect(havana).toMatchObject({ date: '2026-03-08', uniform: false });
    expect(havana?.local.toFormat('HH:mm')).toBe('01:00');
  });
});

describe('Function: openingWindows', () => {
  const hours = resource({
    SUN: [
      { start: '01:00', end: '04:00' },
      { start: '09:00', end: '12:00' },
    ],
    MON: [{ start: '22:00', end: '24:00' }],
  });

  it('keeps the wall clock on the spring-forward day: 01:00-04:00 lasts two hours, 09:00 is 09:00 EDT', () => {
    // Prepare
    const [sunday] = daysOf(NEW_YORK, '2026-03-08T12:00:00Z', '2026-03-08T13:00:00Z');

    // Act
    const windows = openingWindows(hours, sunday as NonNullable<typeof sunday>);

    // Assess
    expect(windows.map(([opens, closes]) => [iso(opens), iso(closes)])).toEqual([
      ['2026-03-08T06:00:00.000Z', '2026-03-08T08:00:00.000Z'],
      ['2026-03-08T13:00:00.000Z', '2026-03-08T16:00:00.000Z'],
    ]);
  });

  it('keeps the wall clock on the fall-back day: 01:00-04:00 lasts four hours', () => {
    // Prepare
    const [sunday] = daysOf(NEW_YORK, '2026-11-01T12:00:00Z', '2026-11-01T13:00:00Z');

    // Act
    const [night] = openingWindows(hours, sunday as NonNullable<typeof sunday>);

    // Assess: 01:00 EDT (the first one) to 04:00 EST
    expect(night && [iso(night[0]), iso(night[1])]).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T09:00:00.000Z']);
  });

  it('closes at the next midnight for "24:00", and opens nothing on a day without hours', () => {
    // Prepare
    const [monday, tuesday] = daysOf(NEW_YORK, '2026-03-02T12:00:00Z', '2026-03-03T12:00:00Z');

    // Act
    const mondayWindows = openingWindows(hours, monday as NonNullable<typeof monday>);
    const tuesdayWindows = openingWindows(hours, tuesday as NonNullable<typeof tuesday>);

    // Assess
    expect(mondayWindows.map(([o, c]) => [iso(o), iso(c)])).toEqual([['2026-03-03T03:00:00.000Z', '2026-03-03T05:00:00.000Z']]);
    expect(tuesdayWindows).toEqual([]);
  });

  it('agrees with luxon on every day of a year in zones with and without DST', () => {
    // Prepare
    const ranges = [
      { start: '00:00', end: '00:45' },
      { start: '01:30', end: '02:30' },
      { start: '08:15', end: '17:45' },
      { start: '23:00', end: '24:00' },
    ];
    const everyDay = resource(Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, ranges])));

    for (const zone of [NEW_YORK, 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Havana']) {
      for (const day of localDays(zone, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'))) {
        // Act
        const windows = openingWindows(everyDay, day);

        // Assess: as luxon sets the wall clock on the day's midnight
        const midnight = day.local.startOf('day');
        const expected = ranges.map((r) =>
          [r.start, r.end].map((hhmm) => {
            const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
            return hour === 24 ? midnight.plus({ days: 1 }).toMillis() : midnight.set({ hour, minute }).toMillis();
          }),
        );
        expect(windows, `${zone} ${day.date}`).toEqual(expected);
      }
    }
  });
});

describe('Function: atLocalTime, hourOf and dayOfInstant', () => {
  it('reads the hour of an instant on a uniform day by arithmetic', () => {
    // Prepare
    const [monday] = daysOf(NEW_YORK, '2026-03-02T12:00:00Z', '2026-03-02T13:00:00Z');
    const day = monday as NonNullable<typeof monday>;

    // Act
    const noon = atLocalTime(day, '12:00');

    // Assess
    expect(iso(noon)).toBe('2026-03-02T17:00:00.000Z');
    expect([hourOf(day, noon - 1), hourOf(day, noon)]).toEqual([11, 12]);
  });

  it('gives the day of an instant on its own wall clock, never uniform', () => {
    // Act: 23:30 EST on Saturday 7 March 2026
    const day = dayOfInstant(DateTime.fromISO('2026-03-08T04:30:00Z', { zone: NEW_YORK }));

    // Assess
    expect(day).toMatchObject({ date: '2026-03-07', weekday: 'SAT', uniform: false });
    expect(iso(day.start)).toBe('2026-03-07T05:00:00.000Z');
    expect(iso(atLocalTime(day, '09:00'))).toBe('2026-03-07T14:00:00.000Z');
  });
});

describe('Function: wallClock', () => {
  it('reads the date, weekday, hour and offset luxon reads, every hour of a year, across DST changes', () => {
    for (const zone of [NEW_YORK, 'Australia/Lord_Howe', 'America/Havana', 'Pacific/Chatham']) {
      for (let at = Date.parse('2026-01-01T00:00:00Z'); at < Date.parse('2027-01-01T00:00:00Z'); at += 3_600_000) {
        // Act
        const wall = wallClock(IANAZone.create(zone), at);

        // Assess
        const local = DateTime.fromMillis(at, { zone });
        const weekday = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][local.weekday - 1];
        expect(wall, `${zone} ${iso(at)}`).toEqual({ date: local.toISODate(), weekday, hour: local.hour, offset: local.offset });
      }
    }
  });
});
