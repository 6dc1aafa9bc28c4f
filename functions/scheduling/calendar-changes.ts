import { DateTime } from 'luxon';
import { heldInterval } from '#model/appointment-lifecycle.ts';
import type { ClinicCatalog, Closure, Resource, Unavailability } from '#model/clinic-catalog.ts';
import { idDigest } from '#model/id-digest.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { dayOfInstant, localDays, openingWindows, type Window } from './local-days.ts';

/**
 * What an admin's change to the clinic's calendar does to the time it works: which booked visits it leaves outside
 * (collisions, each a task to reschedule) and which time it opens (offered to the waitlist). Pure: no AWS.
 */

/** How far ahead a change of weekly hours looks for visits it collides with, and a time off may last at most. */
export const CALENDAR_CHANGE_HORIZON_DAYS = 366;
/** How far ahead time a change opens is offered to the waitlist: the journey's own search horizon is 28 days. */
export const OPENED_TIME_OFFER_DAYS = 28;

/** A closure is one location's day: its ID says which (one closure per location and day). */
export const closureIdOf = (closure: Pick<Closure, 'locationId' | 'date'>) => `${closure.locationId}-${closure.date}`;

/** A time off or block is named by what it is (resource, kind, instants): adding the same one twice adds it once. */
export function unavailabilityIdOf(entry: Pick<Unavailability, 'resourceId' | 'kind' | 'start' | 'end'>): string {
  return `un-${idDigest(20, entry.resourceId, entry.kind, Date.parse(entry.start), Date.parse(entry.end))}`;
}

/** Half-open [start, end) instants, in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Whether a booked visit is left outside the time the clinic works after a change:
 * - `away`: the resource is away during the span (time off, a block): the visit's held time (buffers included, as the
 *   slot search holds them) overlaps it;
 * - `hours`: the resource's new weekly hours: the visit itself is not within one opening of its local day (opening
 *   hours cover the visit, buffers may fall outside, as in the search);
 * - `closed`: the location is closed on the visit's local date.
 */
export type CalendarConstraint =
  | { kind: 'away'; resourceId: string; span: Span }
  | { kind: 'hours'; resource: Resource; timeZone: string }
  | { kind: 'closed'; locationId: string; date: string };

export function collides(appointment: AppointmentRecord, constraint: CalendarConstraint): boolean {
  if (appointment.status !== 'BOOKED') return false;
  if (constraint.kind === 'closed') {
    return appointment.location.id === constraint.locationId && appointment.start.slice(0, 10) === constraint.date;
  }
  if (constraint.kind === 'away') {
    if (!appointment.resourceIds.includes(constraint.resourceId)) return false;
    const held = heldInterval(appointment);
    return held.start.getTime() < constraint.span.end && constraint.span.start < held.end.getTime();
  }
  if (!appointment.resourceIds.includes(constraint.resource.resourceId)) return false;
  const start = Date.parse(appointment.start);
  const end = Date.parse(appointment.end);
  const windows = openingWindows(constraint.resource, dayOfInstant(DateTime.fromMillis(start, { zone: constraint.timeZone })));
  return !windows.some(([opens, closes]) => opens <= start && end <= closes);
}

/** The time a resource's new weekly hours open that its old ones did not, day by day over [from, until), in order. */
export function openedByHours(
  resource: Resource,
  oldHours: Resource['weeklyHours'],
  timeZone: string,
  from: number,
  until: number,
): Span[] {
  const opened: Span[] = [];
  for (const day of localDays(timeZone, from, until)) {
    const before = openingWindows({ ...resource, weeklyHours: oldHours }, day);
    for (const [opens, closes] of openingWindows(resource, day)) {
      for (const span of subtract({ start: Math.max(opens, from), end: Math.min(closes, until) }, before)) opened.push(span);
    }
  }
  return opened;
}

/** The parts of `span` outside every window. */
function subtract(span: Span, windows: readonly Window[]): Span[] {
  let parts: Span[] = span.start < span.end ? [span] : [];
  for (const [opens, closes] of windows) {
    parts = parts.flatMap((part) => {
      if (closes <= part.start || part.end <= opens) return [part];
      return [
        ...(part.start < opens ? [{ start: part.start, end: opens }] : []),
        ...(closes < part.end ? [{ start: closes, end: part.end }] : []),
      ];
    });
  }
  return parts;
}

/** A span clipped to [from, until); undefined when nothing of it is left. */
export function clip(span: Span, from: number, until: number): Span | undefined {
  const clipped = { start: Math.max(span.start, from), end: Math.min(span.end, until) };
  return clipped.start < clipped.end ? clipped : undefined;
}

/** The local dates of `timeZone` on which the given instants fall, each once, in order. */
export function localDatesOf(instants: Iterable<number>, timeZone: string): string[] {
  const dates = new Set<string>();
  for (const at of instants) dates.add(DateTime.fromMillis(at, { zone: timeZone }).toISODate() ?? '');
  return [...dates].sort();
}

/** A local date of `timeZone` as the instants it spans: from its midnight to the next (23 or 25 hours on a change). */
export function localDateSpan(date: string, timeZone: string): Span {
  const midnight = DateTime.fromISO(date, { zone: timeZone }).startOf('day');
  return { start: midnight.toMillis(), end: midnight.plus({ days: 1 }).toMillis() };
}

/**
 * Of busy granule starts, those outside the resource's weekly hours (the days worth reading for collisions with new
 * hours; a buffer may lie outside hours without a collision, which the day's read then finds). One luxon day per date.
 */
export function outsideHours(resource: Resource, timeZone: string, granuleStarts: readonly number[]): number[] {
  const windowsByDate = new Map<string, Window[]>();
  return granuleStarts.filter((at) => {
    const local = DateTime.fromMillis(at, { zone: timeZone });
    const date = local.toISODate() ?? '';
    let windows = windowsByDate.get(date);
    if (!windows) {
      windows = openingWindows(resource, dayOfInstant(local));
      windowsByDate.set(date, windows);
    }
    return !windows.some(([opens, closes]) => opens <= at && at < closes);
  });
}

/**
 * Whether a booked visit lies outside the catalog's calendar as it is now, and why: its location closed that day, one
 * of its resources away, or one of them not working then (every resource must be, as in the slot search).
 */
export function outsideCalendar(catalog: ClinicCatalog, appointment: AppointmentRecord): CalendarConstraint['kind'] | undefined {
  if (appointment.status !== 'BOOKED') return undefined;
  const date = appointment.start.slice(0, 10);
  if ((catalog.closures ?? []).some((c) => c.locationId === appointment.location.id && c.date === date)) return 'closed';
  const away = (catalog.unavailability ?? []).some((u) =>
    collides(appointment, { kind: 'away', resourceId: u.resourceId, span: { start: Date.parse(u.start), end: Date.parse(u.end) } }),
  );
  if (away) return 'away';
  const timeZone = catalog.locations.find((l) => l.locationId === appointment.location.id)?.timeZone ?? 'UTC';
  const resources = catalog.resources.filter((r) => appointment.resourceIds.includes(r.resourceId));
  return resources.some((resource) => collides(appointment, { kind: 'hours', resource, timeZone })) ? 'hours' : undefined;
}

/** Minutes since midnight of "HH:MM". */
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether new weekly hours take away time the old ones had: some weekday's old opening not wholly inside the new
 * openings of that day (wall-clock, so the same every week whatever the offset).
 */
export function hoursTakeTime(oldHours: Resource['weeklyHours'], newHours: Resource['weeklyHours']): boolean {
  return Object.entries(oldHours).some(([day, ranges]) =>
    (ranges ?? []).some((range) => {
      const [from, until] = [minutesOf(range.start), minutesOf(range.end)];
      const kept = (newHours[day as keyof typeof newHours] ?? [])
        .map((r) => [minutesOf(r.start), minutesOf(r.end)] as const)
        .filter(([start, end]) => start < until && from < end)
        .sort((a, b) => a[0] - b[0]);
      let covered = from;
      for (const [start, end] of kept) {
        if (start > covered) return true;
        covered = Math.max(covered, end);
      }
      return covered < until;
    }),
  );
}
