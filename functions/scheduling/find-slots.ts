import { DateTime } from 'luxon';
import type { BusyCalendar, Interval } from '#model/busy-time.ts';
import type { AppointmentType, ClinicCatalog, Location, Resource } from '#model/clinic-catalog.ts';
import type { AppointmentSummary } from '#model/journey.ts';
import type { VisitRequest } from '#model/patient-records.ts';
import { dayOfInstant, hourOf, type LocalDay, localDays, openingWindows, type WallClock, type Window, wallClock } from './local-days.ts';

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

/** The patient's preferences, and for staff searching on someone's behalf, one provider. */
export type SlotPreferences = VisitRequest['preferences'] & { providerId?: string };

export interface SlotCandidate extends Interval {
  location: Location;
  departmentId: string;
  /** One resource per entry of the appointment type's `requires`, in that order. */
  resources: Resource[];
}

/** The time zones of the locations that could serve the type. */
export function zonesOf(catalog: ClinicCatalog, type: AppointmentType, preferences: SlotPreferences): string[] {
  const locations = new Set(eligibleResources(catalog, type, preferences).map((r) => r.locationId));
  return catalog.locations.filter((l) => locations.has(l.locationId)).map((l) => l.timeZone);
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
        (!preferences.providerId || r.kind !== 'provider' || r.resourceId === preferences.providerId) &&
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
  leadMinutes = LEAD_TIME_MINUTES,
): Interval {
  let start = now.getTime() + leadMinutes * MINUTE_MS;
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
  /** Minutes from now before the first start (LEAD_TIME_MINUTES): staff booking a walk-in at the desk use 0. */
  leadMinutes?: number;
}

/**
 * Yields bookable candidates, earliest start first; at the same start, each free combination of resources (sorted by
 * resource ID), then the next location. A candidate starts on the location's quarter hours, matches the preferences
 * (days, morning = before 12:00 local, afternoon = from 12:00, earliest date), lies within every resource's weekly
 * hours and overlaps nothing busy. Times are stepped in real elapsed time from each local midnight, so DST days have
 * 23 or 25 hours of starts and a slot across a change lasts exactly its duration.
 *
 * Lazy: busy time is checked when a candidate is reached, so granules marked busy while iterating are honoured; days
 * are worked out only as the search reaches them. Time-zone arithmetic happens once per local day and location
 * (`localDays`, `openingWindows`); candidates are stepped and checked in epoch milliseconds, except on a day whose
 * offset changes, where each start's wall clock costs one offset lookup (`wallClock`). The results are those of the
 * search before issue 7, candidate for candidate (test/unit/scheduling/find-slots.test.ts holds it to that).
 */
export function* findSlots(input: FindSlotsInput): Generator<SlotCandidate> {
  const { catalog, appointmentType: type, preferences, busy } = input;
  const durationMs = type.durationMinutes * MINUTE_MS;
  // The resources are held for the buffers too: the busy check covers them (opening hours cover the visit itself).
  const beforeMs = (type.bufferBeforeMinutes ?? 0) * MINUTE_MS;
  const afterMs = (type.bufferAfterMinutes ?? 0) * MINUTE_MS;
  const window = searchWindow(catalog, type, preferences, input.now, input.horizonDays, input.leadMinutes);
  const from = Math.max(window.start.getTime(), input.within?.start.getTime() ?? Number.NEGATIVE_INFINITY);
  const until = Math.min(window.end.getTime(), input.within?.end.getTime() ?? Number.POSITIVE_INFINITY);
  if (from >= until || type.requires.length === 0) return;

  const resources = eligibleResources(catalog, type, preferences);
  const away = unavailabilityOf(catalog);
  const free = (resourceId: string, start: number, end: number) =>
    busy.isFreeBetween(resourceId, start - beforeMs, end + afterMs) &&
    !(away.get(resourceId) ?? []).some(([from, until]) => from < end + afterMs && start - beforeMs < until);
  const closed = new Set((catalog.closures ?? []).map((c) => `${c.locationId}/${c.date}`));
  const sites: Site[] = [...new Set(resources.map((r) => r.locationId))]
    .sort()
    .map((locationId) => {
      const siteResources = resources.filter((r) => r.locationId === locationId);
      return {
        location: locationOf(catalog, locationId),
        resources: siteResources,
        byKind: type.requires.map((kind) => siteResources.flatMap((resource, index) => (resource.kind === kind ? [index] : []))),
      };
    })
    .filter((site) => site.byKind.every((indexes) => indexes.length > 0));

  // Each location's starts come in order; merged by start, then location ID, as one sorted list would be.
  const streams = sites.map((site) => siteStarts(site, from, until, durationMs, preferences, closed));
  const heads = streams.map((stream) => stream.next());
  for (;;) {
    let pick = -1;
    for (const [i, head] of heads.entries()) {
      if (head.done) continue;
      const best = heads[pick];
      if (!best || best.done || head.value.at < best.value.at) pick = i;
      else if (
        head.value.at === best.value.at &&
        head.value.site.location.locationId.localeCompare(best.value.site.location.locationId) < 0
      ) {
        pick = i;
      }
    }
    const head = heads[pick];
    if (!head || head.done) return;
    heads[pick] = (streams[pick] as Generator<SiteStart>).next();

    const { at, site, windows } = head.value;
    const end = at + durationMs;
    const fits = (index: number) =>
      (windows[index] ?? []).some(([opens, closes]) => opens <= at && end <= closes) &&
      free((site.resources[index] as Resource).resourceId, at, end);
    const options = site.byKind.map((indexes) => indexes.filter(fits).map((index) => site.resources[index] as Resource));
    if (options.some((option) => option.length === 0)) continue;
    const slot = { start: new Date(at), end: new Date(end) };
    for (const combination of combinations(options)) {
      // Re-checked per combination: the caller may have learned of a taken granule since the previous yield.
      if (!combination.every((r) => free(r.resourceId, at, end))) continue;
      yield { ...slot, location: site.location, departmentId: type.departmentId, resources: combination };
    }
  }
}

interface Site {
  location: Location;
  /** The eligible resources at the location, sorted by ID. */
  resources: Resource[];
  /** Per entry of the type's `requires`, the indexes in `resources` of that kind. */
  byKind: number[][];
}

interface SiteStart {
  at: number;
  site: Site;
  /** Opening windows on the start's local day, per index in `site.resources`. */
  windows: Window[][];
}

/**
 * A location's candidate starts in [from, until), in order, that match the preferences and that some resource of
 * every required kind is open for (busy time is the caller's check, made when the start is reached).
 */
function* siteStarts(
  site: Site,
  from: number,
  until: number,
  durationMs: number,
  preferences: SlotPreferences,
  /** `<locationId>/<local date>` of the clinic's closures. */
  closed: ReadonlySet<string>,
): Generator<SiteStart> {
  const zone = site.location.timeZone;
  const isClosed = (date: string) => closed.has(`${site.location.locationId}/${date}`);
  const open = (windows: Window[][], at: number) =>
    site.byKind.every((indexes) => indexes.some((i) => (windows[i] ?? []).some(([o, c]) => o <= at && at + durationMs <= c)));
  for (const day of localDays(zone, from, until)) {
    const first = Math.max(day.start, day.start + Math.ceil((from - day.start) / STEP_MS) * STEP_MS);
    const last = Math.min(day.end, until);
    if (day.uniform) {
      // The whole day is on one date, one weekday and one offset: preferences and opening hours are arithmetic.
      if (!matchesDay(day, preferences) || isClosed(day.date)) continue;
      const windows = site.resources.map((r) => openingWindows(r, day));
      for (let at = first; at < last; at += STEP_MS) {
        const hour = hourOf(day, at);
        if (preferences.timeOfDay === 'MORNING' && hour >= 12) break;
        if (preferences.timeOfDay === 'AFTERNOON' && hour < 12) continue;
        if (open(windows, at)) yield { at, site, windows };
      }
    } else {
      // A change of offset: each start on its own wall clock (one offset lookup each); windows per local midnight,
      // which luxon works out from the start's date and offset, so those two make the key.
      const windowsByMidnight = new Map<string, Window[][]>();
      for (let at = first; at < last; at += STEP_MS) {
        const wall = wallClock(day.local.zone, at);
        if (!matchesWallClock(wall, preferences) || isClosed(wall.date)) continue;
        const key = `${wall.date}/${wall.offset}`;
        let windows = windowsByMidnight.get(key);
        if (!windows) {
          const startOfDay = dayOfInstant(DateTime.fromMillis(at, { zone }));
          windows = site.resources.map((r) => openingWindows(r, startOfDay));
          windowsByMidnight.set(key, windows);
        }
        if (open(windows, at)) yield { at, site, windows };
      }
    }
  }
}

/** Each resource's time off and blocks, as [start, end) in epoch milliseconds. */
function unavailabilityOf(catalog: ClinicCatalog): Map<string, Array<[number, number]>> {
  const away = new Map<string, Array<[number, number]>>();
  for (const entry of catalog.unavailability ?? []) {
    const list = away.get(entry.resourceId) ?? [];
    list.push([Date.parse(entry.start), Date.parse(entry.end)]);
    away.set(entry.resourceId, list);
  }
  return away;
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

/** The preferences that hold for a whole uniform day: its weekday and its date. */
function matchesDay(day: LocalDay, preferences: SlotPreferences): boolean {
  if (preferences.daysOfWeek?.length && !preferences.daysOfWeek.includes(day.weekday)) return false;
  return !preferences.earliestDate || day.date >= preferences.earliestDate;
}

function matchesWallClock(wall: WallClock, preferences: SlotPreferences): boolean {
  if (preferences.daysOfWeek?.length && !preferences.daysOfWeek.includes(wall.weekday)) return false;
  if (preferences.timeOfDay === 'MORNING' && wall.hour >= 12) return false;
  if (preferences.timeOfDay === 'AFTERNOON' && wall.hour < 12) return false;
  return !preferences.earliestDate || wall.date >= preferences.earliestDate;
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
