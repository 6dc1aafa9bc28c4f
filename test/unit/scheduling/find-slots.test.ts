import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  type FindSlotsInput,
  findSlots,
  type SlotCandidate,
  type SlotPreferences,
  searchWindow,
  summarizeSlot,
} from '#functions/scheduling/find-slots.ts';
import { BusyCalendar } from '#model/busy-time.ts';
import type { AppointmentType, ClinicCatalog, Resource } from '#model/clinic-catalog.ts';
import { findSlotsBefore } from '#test/support/reference/find-slots-before.ts';

const weekdays = (ranges: Array<{ start: string; end: string }>): Resource['weeklyHours'] => ({
  MON: ranges,
  TUE: ranges,
  WED: ranges,
  THU: ranges,
  FRI: ranges,
});

const resource = (r: Omit<Resource, 'locationId' | 'departmentId'> & Partial<Resource>): Resource => ({
  locationId: 'bos',
  departmentId: 'gp',
  ...r,
});

const gp30: AppointmentType = {
  code: 'GP30',
  name: 'Visit',
  departmentId: 'gp',
  durationMinutes: 30,
  requires: ['provider'],
  serviceTypeCode: '98',
  allowedAmountCents: 10_000,
  requiresPhysicianOrder: false,
};
const mri60: AppointmentType = {
  ...gp30,
  code: 'MRI60',
  departmentId: 'mri',
  durationMinutes: 60,
  requires: ['provider', 'device'],
  serviceTypeCode: '62',
};
const night60: AppointmentType = { ...gp30, code: 'NIGHT60', departmentId: 'night', durationMinutes: 60 };

const catalog: ClinicCatalog = {
  profile: { clinicId: 'c1', name: 'C', npi: '1999999984', organizationName: 'C', replyToEmail: 'a@b.example', phone: '+16175550100' },
  locations: [
    { locationId: 'bos', name: 'Boston', address: '1 Main St', timeZone: 'America/New_York' },
    { locationId: 'den', name: 'Denver', address: '2 Main St', timeZone: 'America/Denver' },
  ],
  departments: [
    { departmentId: 'gp', name: 'Primary Care', locationId: 'bos' },
    { departmentId: 'mri', name: 'Radiology', locationId: 'bos' },
    { departmentId: 'night', name: 'Night Clinic', locationId: 'bos' },
  ],
  resources: [
    resource({
      resourceId: 'gp-a',
      kind: 'provider',
      name: 'Dr A',
      weeklyHours: weekdays([
        { start: '08:00', end: '12:00' },
        { start: '13:00', end: '17:00' },
      ]),
    }),
    resource({
      resourceId: 'gp-den',
      kind: 'provider',
      name: 'Dr D',
      locationId: 'den',
      weeklyHours: { TUE: [{ start: '09:00', end: '12:00' }] },
    }),
    resource({
      resourceId: 'tech',
      kind: 'provider',
      name: 'Tech',
      departmentId: 'mri',
      weeklyHours: weekdays([{ start: '08:00', end: '10:00' }]),
    }),
    resource({
      resourceId: 'scanner',
      kind: 'device',
      name: 'Scanner',
      departmentId: 'mri',
      weeklyHours: weekdays([{ start: '07:00', end: '19:00' }]),
    }),
    resource({
      resourceId: 'night-doc',
      kind: 'provider',
      name: 'Dr N',
      departmentId: 'night',
      weeklyHours: { SUN: [{ start: '00:30', end: '04:00' }] },
    }),
  ],
  appointmentTypes: [gp30, mri60, night60],
};

// Monday 2 March 2026, 07:00 in Boston (EST, UTC-5). US daylight saving time starts Sunday 8 March 2026.
const MONDAY_7AM_BOSTON = new Date('2026-03-02T12:00:00Z');

const search = (overrides: Partial<FindSlotsInput> = {}): Generator<SlotCandidate> =>
  findSlots({ catalog, appointmentType: gp30, preferences: {}, busy: new BusyCalendar(), now: MONDAY_7AM_BOSTON, ...overrides });

function take(candidates: Iterable<SlotCandidate>, count: number) {
  const taken: Array<{ start: string; end: string; resources: string[] }> = [];
  for (const c of candidates) {
    if (taken.length === count) break;
    taken.push({ start: c.start.toISOString(), end: c.end.toISOString(), resources: c.resources.map((r) => r.resourceId) });
  }
  return taken;
}

describe('Function: findSlots', () => {
  it('offers the earliest start after the two-hour lead time, in the location time zone', () => {
    // Prepare: Dr A opens at 08:00 but now is 07:00, so 09:00 is the first start allowed.
    const candidates = search();

    // Act
    const [first] = take(candidates, 1);

    // Assess: 09:00 EST
    expect(first).toEqual({ start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T14:30:00.000Z', resources: ['gp-a'] });
  });

  it('yields candidates in order on the quarter hours', () => {
    // Act
    const starts = take(search(), 4).map((c) => c.start);

    // Assess
    expect(starts).toEqual([
      '2026-03-02T14:00:00.000Z',
      '2026-03-02T14:15:00.000Z',
      '2026-03-02T14:30:00.000Z',
      '2026-03-02T14:45:00.000Z',
    ]);
  });

  it('never offers a slot that runs into a lunch break', () => {
    // Prepare: Dr A works 08:00-12:00 and 13:00-17:00 local.
    const candidates = search({ preferences: { locationId: 'bos' } });

    // Act
    const monday = take(candidates, 200)
      .map((c) => DateTime.fromISO(c.start, { zone: 'America/New_York' }))
      .filter((local) => local.toISODate() === '2026-03-02')
      .map((local) => local.toFormat('HH:mm'));

    // Assess: the last morning start is 11:30, the first afternoon one 13:00, the last of the day 16:30.
    expect(monday).toContain('11:30');
    expect(monday.filter((hhmm) => hhmm > '11:30' && hhmm < '13:00')).toEqual([]);
    expect(monday).toContain('13:00');
    expect(monday.at(-1)).toBe('16:30');
  });

  it('skips busy intervals of the resource', () => {
    // Prepare: Dr A is busy 09:00-10:10 local; the granule 10:05-10:10 blocks 10:00 too.
    const busy = BusyCalendar.fromIntervals({
      'gp-a': [{ start: new Date('2026-03-02T14:00:00Z'), end: new Date('2026-03-02T15:10:00Z') }],
    });

    // Act
    const [first] = take(search({ busy }), 1);

    // Assess: 10:15 local
    expect(first?.start).toBe('2026-03-02T15:15:00.000Z');
  });

  it('keeps to the days of the week and the time of day the patient asked for', () => {
    // Act
    const [wednesdayAfternoon] = take(search({ preferences: { daysOfWeek: ['WED'], timeOfDay: 'AFTERNOON' } }), 1);
    const [fridayMorning] = take(search({ preferences: { daysOfWeek: ['FRI'], timeOfDay: 'MORNING' } }), 1);

    // Assess: Wednesday 13:00 EST, Friday 08:00 EST
    expect(wednesdayAfternoon?.start).toBe('2026-03-04T18:00:00.000Z');
    expect(fridayMorning?.start).toBe('2026-03-06T13:00:00.000Z');
  });

  it('uses the preferred location and its own time zone', () => {
    // Act
    const [first] = search({ preferences: { locationId: 'den' } });

    // Assess: Tuesday 09:00 in Denver (MST, UTC-7)
    expect(first?.location.locationId).toBe('den');
    expect(first?.start.toISOString()).toBe('2026-03-03T16:00:00.000Z');
    expect(summarizeSlot(catalog, gp30, first as SlotCandidate, 'appt-1')).toMatchObject({
      start: '2026-03-03T09:00:00-07:00',
      end: '2026-03-03T09:30:00-07:00',
      timeZone: 'America/Denver',
      location: { id: 'den', name: 'Denver', address: '2 Main St' },
      department: { id: 'gp', name: 'Primary Care' },
      provider: { id: 'gp-den', name: 'Dr D' },
    });
  });

  it('starts on the earliest date in local time, after the daylight saving change', () => {
    // Act
    const [first] = take(search({ preferences: { earliestDate: '2026-03-10', locationId: 'bos' } }), 1);

    // Assess: Tuesday 10 March 08:00 EDT (UTC-4), not 13:00Z as in winter.
    expect(first?.start).toBe('2026-03-10T12:00:00.000Z');
  });

  it('keeps the same local opening time on both sides of the spring change', () => {
    // Prepare: the Boston provider only, mornings
    const starts = take(search({ preferences: { locationId: 'bos', timeOfDay: 'MORNING' } }), 1000).map((c) => c.start);

    // Act
    const fridayFirst = starts.find((s) => s.startsWith('2026-03-06'));
    const mondayFirst = starts.find((s) => s.startsWith('2026-03-09'));

    // Assess: 08:00 local is 13:00Z in EST and 12:00Z in EDT.
    expect(fridayFirst).toBe('2026-03-06T13:00:00.000Z');
    expect(mondayFirst).toBe('2026-03-09T12:00:00.000Z');
  });

  it('counts real elapsed time on the night the clocks spring forward', () => {
    // Prepare: open 00:30-04:00 local on Sunday 8 March, when 02:00-03:00 does not exist.
    const candidates = search({ appointmentType: night60 });

    // Act
    const sunday = take(candidates, 20).filter((c) => c.start.startsWith('2026-03-08'));

    // Assess: 00:30 EST … 01:45 EST, then 03:00 EDT (= 07:00Z); every slot lasts exactly 60 minutes.
    expect(sunday.map((c) => c.start.slice(11, 16))).toEqual(['05:30', '05:45', '06:00', '06:15', '06:30', '06:45', '07:00']);
    expect(sunday.every((c) => Date.parse(c.end) - Date.parse(c.start) === 3_600_000)).toBe(true);
  });

  it('counts real elapsed time on the night the clocks fall back', () => {
    // Prepare: Sunday 1 November 2026, 01:00-02:00 happens twice; open 00:30 EDT to 04:00 EST.
    const now = new Date('2026-10-30T12:00:00Z');

    // Act
    const sunday = take(search({ appointmentType: night60, now }), 40).filter((c) => c.start.startsWith('2026-11-01'));

    // Assess: 04:30Z (00:30 EDT) to 08:00Z (03:00 EST, the last start that ends by 04:00 EST): 15 starts.
    expect(sunday[0]?.start).toBe('2026-11-01T04:30:00.000Z');
    expect(sunday.at(-1)?.start).toBe('2026-11-01T08:00:00.000Z');
    expect(sunday).toHaveLength(15);
  });

  it('books a multi-resource appointment only when every required resource is free', () => {
    // Prepare: the technologist works 08:00-10:00; the scanner is busy 08:00-08:50.
    const busy = BusyCalendar.fromIntervals({
      scanner: [{ start: new Date('2026-03-02T13:00:00Z'), end: new Date('2026-03-02T13:50:00Z') }],
    });
    const now = new Date('2026-03-02T10:00:00Z');

    // Act
    const [first, second] = take(search({ appointmentType: mri60, busy, now }), 2);

    // Assess: 09:00-10:00 Monday (the last start the technologist can do), then Tuesday 08:00.
    expect(first).toEqual({ start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T15:00:00.000Z', resources: ['tech', 'scanner'] });
    expect(second?.start).toBe('2026-03-03T13:00:00.000Z');
  });

  it('offers each free provider at the same start before moving to the next start', () => {
    // Prepare: a second Boston provider with the same hours
    const twoProviders: ClinicCatalog = {
      ...catalog,
      resources: [
        ...catalog.resources,
        resource({ resourceId: 'gp-b', kind: 'provider', name: 'Dr B', weeklyHours: weekdays([{ start: '09:00', end: '10:00' }]) }),
      ],
    };

    // Act
    const first3 = take(search({ catalog: twoProviders, preferences: { locationId: 'bos' } }), 3);

    // Assess
    expect(first3.map((c) => [c.start.slice(11, 16), c.resources[0]])).toEqual([
      ['14:00', 'gp-a'],
      ['14:00', 'gp-b'],
      ['14:15', 'gp-a'],
    ]);
  });

  it('skips candidates whose granules are marked busy while it iterates', () => {
    // Prepare
    const busy = new BusyCalendar();
    const candidates = search({ busy });
    const first = candidates.next().value as SlotCandidate;

    // Act: as the booking loop does when it loses a race for the first candidate
    busy.markBusy('gp-a', first);
    const next = candidates.next().value as SlotCandidate;

    // Assess: the next candidate starts when the taken one ends.
    expect(next.start.toISOString()).toBe(first.end.toISOString());
  });

  it('yields nothing when the only provider has no weekly hours', () => {
    // Prepare
    const onLeave: ClinicCatalog = {
      ...catalog,
      resources: catalog.resources.map((r) => (r.resourceId === 'night-doc' ? { ...r, weeklyHours: {} } : r)),
    };

    // Act
    const candidates = [
      ...findSlots({ catalog: onLeave, appointmentType: night60, preferences: {}, busy: new BusyCalendar(), now: MONDAY_7AM_BOSTON }),
    ];

    // Assess
    expect(candidates).toEqual([]);
  });

  it('stops at the horizon', () => {
    // Prepare: the Denver provider works Tuesdays only; from Wednesday, six days do not reach the next Tuesday.
    const wednesday = new Date('2026-03-04T12:00:00Z');

    // Act
    const within6 = [...search({ preferences: { locationId: 'den' }, now: wednesday, horizonDays: 6 })];
    const within7 = [...search({ preferences: { locationId: 'den' }, now: wednesday, horizonDays: 7 })];

    // Assess
    expect(within6).toEqual([]);
    // Tuesday 10 March 09:00 MDT (UTC-6)
    expect(within7[0]?.start.toISOString()).toBe('2026-03-10T15:00:00.000Z');
  });

  it('yields nothing when busy time fills the whole horizon', () => {
    // Prepare
    const busy = BusyCalendar.fromIntervals({ 'gp-den': [{ start: MONDAY_7AM_BOSTON, end: new Date('2026-05-01T00:00:00Z') }] });

    // Act
    const candidates = [...search({ preferences: { locationId: 'den' }, busy })];

    // Assess
    expect(candidates).toEqual([]);
  });
});

describe('Function: searchWindow', () => {
  it('anchors the horizon on the earliest date when it is later than the lead time', () => {
    // Act
    const window = searchWindow(catalog, gp30, { earliestDate: '2026-06-01', locationId: 'bos' }, MONDAY_7AM_BOSTON, 28);

    // Assess: local midnight in Boston (EDT) for 28 days
    expect(window.start.toISOString()).toBe('2026-06-01T04:00:00.000Z');
    expect(window.end.toISOString()).toBe('2026-06-29T04:00:00.000Z');
  });
});

describe('Function: findSlots agrees with the search before issue 7', () => {
  /** Zones with a DST change at 02:00 (New York, London), at midnight (Havana, Santiago), of 30 minutes (Lord Howe), none (Kolkata). */
  const ZONES = [
    'America/New_York',
    'America/Denver',
    'Europe/London',
    'America/Havana',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Pacific/Chatham',
  ];
  /** Near each zone's changes in 2026 (spring and autumn, both hemispheres). */
  const NOWS = ['2026-03-05T15:00:00Z', '2026-03-26T03:00:00Z', '2026-04-01T20:00:00Z', '2026-09-03T11:00:00Z', '2026-10-22T09:00:00Z'];
  const RANGES = [
    [
      { start: '08:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ],
    [{ start: '00:00', end: '03:30' }],
    [
      { start: '00:30', end: '04:00' },
      { start: '22:00', end: '24:00' },
    ],
    [{ start: '01:15', end: '02:45' }],
    [{ start: '07:00', end: '19:00' }],
    [{ start: '11:00', end: '13:30' }],
  ];
  const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
  }

  function scenario(seed: number): FindSlotsInput {
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const zones = [pick(ZONES), pick(ZONES)];
    const hours = (): Resource['weeklyHours'] =>
      Object.fromEntries(DAYS.filter(() => next() < 0.7).map((day) => [day, pick(RANGES)] as const));
    const resources: Resource[] = Array.from({ length: 2 + Math.floor(next() * 4) }, (_, i) =>
      resource({
        resourceId: `r-${i}`,
        kind: i === 0 || next() < 0.6 ? 'provider' : 'device',
        name: `R${i}`,
        locationId: pick(['a', 'b']),
        weeklyHours: hours(),
      }),
    );
    const type: AppointmentType = {
      ...gp30,
      durationMinutes: pick([15, 30, 45, 60, 90]),
      requires: next() < 0.7 ? ['provider'] : ['provider', 'device'],
    };
    const now = new Date(Date.parse(pick(NOWS)) + Math.floor(next() * 96) * 900_000);
    const busy = new BusyCalendar();
    for (const r of resources) {
      for (let n = 0; n < 20; n += 1) {
        const start = now.getTime() + Math.floor(next() * 14 * 288) * 300_000;
        busy.markBusy(r.resourceId, { start: new Date(start), end: new Date(start + (1 + Math.floor(next() * 24)) * 300_000) });
      }
    }
    const preferences: SlotPreferences = {
      ...(next() < 0.3 ? { daysOfWeek: DAYS.filter(() => next() < 0.5) } : {}),
      ...(next() < 0.4 ? { timeOfDay: pick(['MORNING', 'AFTERNOON'] as const) } : {}),
      ...(next() < 0.2 ? { earliestDate: new Date(now.getTime() + 3 * 86_400_000).toISOString().slice(0, 10) } : {}),
      ...(next() < 0.2 ? { locationId: pick(['a', 'b']) } : {}),
    };
    const within =
      next() < 0.3 ? { start: new Date(now.getTime() + 86_400_000), end: new Date(now.getTime() + 8 * 86_400_000) } : undefined;
    return {
      catalog: {
        ...catalog,
        locations: [
          { locationId: 'a', name: 'A', address: '1 A St', timeZone: zones[0] as string },
          { locationId: 'b', name: 'B', address: '2 B St', timeZone: zones[1] as string },
        ],
        resources,
      },
      appointmentType: type,
      preferences,
      busy,
      now,
      horizonDays: 7 + Math.floor(next() * 8),
      ...(within ? { within } : {}),
    };
  }

  const view = (c: SlotCandidate) =>
    `${c.start.toISOString()}–${c.end.toISOString()} ${c.location.locationId} ${c.resources.map((r) => r.resourceId)}`;

  it.each(Array.from({ length: 64 }, (_, i) => i + 1))('yields the same candidates in the same order (scenario %i)', (seed) => {
    // Prepare
    const input = scenario(seed);

    // Act
    const now = [...findSlots(input)].map(view);
    const before = [...findSlotsBefore(input)].map(view);

    // Assess
    expect(now).toEqual(before);
  });
});
