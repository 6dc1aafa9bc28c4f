import { DateTime } from 'luxon';
import {
  eligibleResources,
  type FindSlotsInput,
  SLOT_STEP_MINUTES,
  type SlotCandidate,
  type SlotPreferences,
  searchWindow,
} from '#functions/scheduling/find-slots.ts';
import type { Interval } from '#model/busy-time.ts';
import type { ClinicCatalog, Location, Resource } from '#model/clinic-catalog.ts';
import type { DayOfWeek } from '#model/patient-records.ts';

/**
 * `findSlots` as it was before issue 7 (luxon per candidate start × resource), kept verbatim as the oracle the
 * optimised search must agree with (test/unit/scheduling/find-slots.test.ts) and as the "before" of
 * `npm run bench:scheduling`. Not used by deployed code.
 */

const MINUTE_MS = 60_000;
const STEP_MS = SLOT_STEP_MINUTES * MINUTE_MS;
const WEEKDAYS: readonly DayOfWeek[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

export function* findSlotsBefore(input: FindSlotsInput): Generator<SlotCandidate> {
  const { catalog, appointmentType: type, preferences, busy } = input;
  const durationMs = type.durationMinutes * MINUTE_MS;
  const window = searchWindow(catalog, type, preferences, input.now, input.horizonDays);
  const from = Math.max(window.start.getTime(), input.within?.start.getTime() ?? Number.NEGATIVE_INFINITY);
  const until = Math.min(window.end.getTime(), input.within?.end.getTime() ?? Number.POSITIVE_INFINITY);
  if (from >= until || type.requires.length === 0) return;

  const resources = eligibleResources(catalog, type, preferences);
  const sites = [...new Set(resources.map((r) => r.locationId))]
    .sort()
    .map((locationId) => ({ location: locationOf(catalog, locationId), resources: resources.filter((r) => r.locationId === locationId) }))
    .filter((site) => type.requires.every((kind) => site.resources.some((r) => r.kind === kind)));

  const starts: Array<{ at: number; site: (typeof sites)[number] }> = [];
  for (const site of sites) {
    const zone = site.location.timeZone;
    for (let day = DateTime.fromMillis(from, { zone }).startOf('day'); day.toMillis() < until; day = day.plus({ days: 1 })) {
      const dayEnd = day.plus({ days: 1 }).toMillis();
      for (let at = day.toMillis(); at < dayEnd; at += STEP_MS) {
        if (at >= from && at < until && matchesPreferences(DateTime.fromMillis(at, { zone }), preferences)) starts.push({ at, site });
      }
    }
  }
  starts.sort((a, b) => a.at - b.at || a.site.location.locationId.localeCompare(b.site.location.locationId));

  for (const { at, site } of starts) {
    const slot = { start: new Date(at), end: new Date(at + durationMs) };
    const fits = (r: Resource) => withinWeeklyHours(r, site.location.timeZone, slot) && busy.isFree(r.resourceId, slot);
    const options = type.requires.map((kind) => site.resources.filter((r) => r.kind === kind && fits(r)));
    for (const combination of combinations(options)) {
      // Re-checked per combination: the caller may have learned of a taken granule since the previous yield.
      if (!combination.every((r) => busy.isFree(r.resourceId, slot))) continue;
      yield { ...slot, location: site.location, departmentId: type.departmentId, resources: combination };
    }
  }
}

function locationOf(catalog: ClinicCatalog, locationId: string): Location {
  const location = catalog.locations.find((l) => l.locationId === locationId);
  if (!location) throw new Error(`Location ${locationId} is not in the catalog`);
  return location;
}

function matchesPreferences(local: DateTime, preferences: SlotPreferences): boolean {
  const day = WEEKDAYS[local.weekday - 1];
  if (preferences.daysOfWeek?.length && (!day || !preferences.daysOfWeek.includes(day))) return false;
  if (preferences.timeOfDay === 'MORNING' && local.hour >= 12) return false;
  if (preferences.timeOfDay === 'AFTERNOON' && local.hour < 12) return false;
  const date = local.toISODate();
  return !preferences.earliestDate || (date !== null && date >= preferences.earliestDate);
}

/** True when the slot lies inside one of the resource's opening ranges on the slot's local date. */
function withinWeeklyHours(resource: Resource, zone: string, slot: Interval): boolean {
  const local = DateTime.fromJSDate(slot.start, { zone });
  const day = WEEKDAYS[local.weekday - 1];
  const ranges = day ? (resource.weeklyHours[day] ?? []) : [];
  return ranges.some((range) => {
    const opens = atLocalTime(local, range.start);
    const closes = atLocalTime(local, range.end);
    return opens <= slot.start.getTime() && slot.end.getTime() <= closes;
  });
}

/** The instant of "HH:MM" on the given local date; "24:00" is the next midnight. */
function atLocalTime(date: DateTime, hhmm: string): number {
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  const midnight = date.startOf('day');
  // Wall-clock set, not an offset from midnight: 09:00 is 09:00 on a day with 23 or 25 hours.
  return hour === 24 ? midnight.plus({ days: 1 }).toMillis() : midnight.set({ hour, minute }).toMillis();
}

/** Cartesian product, skipping combinations that would use one resource twice. */
function* combinations(options: Resource[][], chosen: Resource[] = []): Generator<Resource[]> {
  const [first, ...rest] = options;
  if (!first) {
    yield chosen;
    return;
  }
  for (const resource of first) {
    if (!chosen.includes(resource)) yield* combinations(rest, [...chosen, resource]);
  }
}
