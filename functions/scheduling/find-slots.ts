import { DateTime } from 'luxon';
import type { BusyCalendar, Interval } from '#model/busy-time.ts';
import type { AppointmentType, ClinicCatalog, Location, Resource } from '#model/clinic-catalog.ts';
import type { AppointmentSummary } from '#model/journey.ts';
import type { DayOfWeek, VisitRequest } from '#model/patient-records.ts';

/**
 * Slot finding: pure domain, no AWS. Given the catalog, an appointment type, the patient's preferences and what is
 * already busy, yields bookable candidates earliest first. Booking one is the appointment store's job
 * (AppointmentStore.book): the conditional write decides, this only proposes.
 */

/** Candidate starts fall on the quarter hours of the location's wall clock: what patients and schedulers expect. */
export const SLOT_STEP_MINUTES = 15;
/** Nothing is offered sooner than this: the clinic needs time to prepare, the patient time to get there. */
export const LEAD_TIME_MINUTES = 120;
/** How far ahead the search looks before giving up and asking staff. */
export const HORIZON_DAYS = 28;

const MINUTE_MS = 60_000;
const STEP_MS = SLOT_STEP_MINUTES * MINUTE_MS;
/** Luxon's weekday is 1 (Monday) … 7 (Sunday). */
const WEEKDAYS: readonly DayOfWeek[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

export type SlotPreferences = VisitRequest['preferences'];

export interface SlotCandidate extends Interval {
  location: Location;
  departmentId: string;
  /** One resource per entry of the appointment type's `requires`, in that order. */
  resources: Resource[];
}

/**
 * Resources that could serve the appointment type: its department, a kind it requires, and the patient's preferred
 * location if any. A resource carries its own location, so one department (e.g. primary care) can practise at several.
 */
export function eligibleResources(catalog: ClinicCatalog, type: AppointmentType, preferences: SlotPreferences): Resource[] {
  return catalog.resources
    .filter(
      (r) =>
        r.departmentId === type.departmentId &&
        type.requires.includes(r.kind) &&
        (!preferences.locationId || r.locationId === preferences.locationId) &&
        catalog.locations.some((l) => l.locationId === r.locationId),
    )
    .sort((a, b) => a.resourceId.localeCompare(b.resourceId));
}

/**
 * The instants the search covers: from now + lead time, or the start of the patient's earliest date if later (in the
 * earliest zone among the candidate locations), for HORIZON_DAYS. Anchoring on the earliest date keeps a patient who
 * can only come in two months from being parked for staff merely because the horizon ran out before their date.
 */
export function searchWindow(
  catalog: ClinicCatalog,
  type: AppointmentType,
  preferences: SlotPreferences,
  now: Date,
  horizonDays = HORIZON_DAYS,
): Interval {
  let start = now.getTime() + LEAD_TIME_MINUTES * MINUTE_MS;
  if (preferences.earliestDate) {
    const zones = new Set(eligibleResources(catalog, type, preferences).map((r) => locationOf(catalog, r.locationId).timeZone));
    for (const zone of zones) {
      start = Math.max(start, DateTime.fromISO(preferences.earliestDate, { zone }).startOf('day').toMillis());
    }
  }
  return { start: new Date(start), end: new Date(start + horizonDays * 24 * 60 * MINUTE_MS) };
}

export interface FindSlotsInput {
  catalog: ClinicCatalog;
  appointmentType: AppointmentType;
  preferences: SlotPreferences;
  busy: BusyCalendar;
  now: Date;
  horizonDays?: number;
  /** Narrows the search to starts within this interval (the caller loads busy time a week at a time). */
  within?: Interval;
}

/**
 * Yields bookable candidates, earliest start first; at the same start, each free combination of resources (sorted by
 * resource ID), then the next location. A candidate starts on the location's quarter hours, matches the preferences
 * (days, morning = before 12:00 local, afternoon = from 12:00, earliest date), lies within every resource's weekly
 * hours and overlaps nothing busy. Times are stepped in real elapsed time from each local midnight, so DST days have
 * 23 or 25 hours of starts and a slot across a change lasts exactly its duration.
 *
 * Lazy: busy time is checked when a candidate is reached, so granules marked busy while iterating are honoured.
 */
export function* findSlots(input: FindSlotsInput): Generator<SlotCandidate> {
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

/** The front desk's view of a candidate once booked: local start/end with offset, names, no clinical details. */
export function summarizeSlot(
  catalog: ClinicCatalog,
  type: AppointmentType,
  slot: SlotCandidate,
  appointmentId: string,
): AppointmentSummary {
  const zone = slot.location.timeZone;
  const department = catalog.departments.find((d) => d.departmentId === slot.departmentId);
  const provider = slot.resources.find((r) => r.kind === 'provider') ?? slot.resources[0];
  const other = slot.resources.find((r) => r !== provider);
  if (!provider) throw new Error(`Slot for ${type.code} holds no resource`);
  return {
    appointmentId,
    appointmentType: type.code,
    start: localIso(slot.start, zone),
    end: localIso(slot.end, zone),
    timeZone: zone,
    location: { id: slot.location.locationId, name: slot.location.name, address: slot.location.address },
    department: { id: slot.departmentId, name: department?.name ?? slot.departmentId },
    provider: { id: provider.resourceId, name: provider.name },
    ...(other ? { resource: { id: other.resourceId, name: other.name } } : {}),
  };
}

function localIso(at: Date, zone: string): string {
  const iso = DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true });
  if (!iso) throw new Error(`Invalid time zone ${zone}`);
  return iso;
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
