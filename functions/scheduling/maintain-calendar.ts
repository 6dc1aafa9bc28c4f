import { isDeepStrictEqual } from 'node:util';
import type {
  AddClosureBody,
  AddUnavailabilityBody,
  CalendarBody,
  CalendarChangedBody,
  Collision,
  WeeklyHoursBody,
} from '#contract/api/calendar-schema.ts';
import type { ClosedTime } from '#contract/appointment-events.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import type { ClinicCatalog, Closure, Resource, Unavailability } from '#model/clinic-catalog.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import {
  clip,
  closureIdOf,
  hoursTakeTime,
  localDateSpan,
  OPENED_TIME_OFFER_DAYS,
  openedByHours,
  type Span,
  unavailabilityIdOf,
} from './calendar-changes.ts';
import { findCollisions } from './calendar-collisions.ts';
import type { CalendarOutboxItem, CalendarState, CalendarStore } from './calendar-store.ts';
import { requireCatalog } from './open-slots.ts';
import { rescheduleTaskIdOf } from './reschedule-task.ts';

export interface MaintainCalendarDeps extends Pick<SharedStores, 'appointments' | 'catalog' | 'audit'> {
  calendar: CalendarStore;
  now: () => Date;
}

const DAY_MS = 86_400_000;
/** Time off and blocks that ended this long ago are dropped from the calendar item when it is next written. */
const KEEP_PAST_UNAVAILABILITY_DAYS = 30;
/** Concurrent admins: a write that loses its revision reads again, this many times, then answers 409. */
const WRITE_ATTEMPTS = 3;

/**
 * An admin maintains when the clinic works. Each change is one conditional write (the calendar item, or the resource's
 * hours, at the revision read) with, in the same transaction, what it closed and what it opened (keys.calendarOutbox):
 * the table's stream carries the closing to `rescheduleCollisions`, which opens a RESCHEDULE task for every booked
 * visit now outside the clinic's time, and the opening to the waitlist. The answer lists those visits with the IDs
 * their tasks have (each patient shown is recorded as read by the admin); the visits stay booked until someone moves
 * them with the patient. Adding what is there already, or setting the same hours, writes nothing and answers the same;
 * removing what is not there is 404.
 *
 * Slot searches read the catalog through a cache of CATALOG_CACHE_MS: a booking in the minute after a change may still
 * see the old calendar, and `checkBookedTime` gives such a visit its task.
 */
export async function calendarOf(
  deps: Pick<MaintainCalendarDeps, 'catalog' | 'calendar' | 'now'>,
  person: StaffPrincipal,
): Promise<CalendarBody> {
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  const calendar = await deps.calendar.read(person.clinicId);
  const now = deps.now().getTime();
  return {
    resources: catalog.resources.map((r) => ({
      resourceId: r.resourceId,
      kind: r.kind,
      name: r.name,
      departmentId: r.departmentId,
      locationId: r.locationId,
      timeZone: zoneOf(catalog, r.locationId),
      weeklyHours: r.weeklyHours,
    })),
    closures: calendar.closures.map(closureView),
    unavailability: calendar.unavailability.filter((u) => Date.parse(u.end) > now).map(unavailabilityView),
  };
}

export async function setHours(
  deps: MaintainCalendarDeps,
  person: StaffPrincipal,
  resourceId: string,
  body: WeeklyHoursBody,
  via: string,
): Promise<CalendarChangedBody> {
  const now = deps.now();
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const hours = await deps.calendar.readHours(person.clinicId, resourceId);
    if (!hours) throw HttpError.withMessage(404, 'No such resource in this clinic');
    const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
    const timeZone = zoneOf(catalog, hours.resource.locationId);
    const resource: Resource = { ...hours.resource, weeklyHours: body.weeklyHours };
    const changed = !isDeepStrictEqual(hours.resource.weeklyHours, body.weeklyHours);
    const opened = changed ? openedByHours(resource, hours.resource.weeklyHours, timeZone, now.getTime(), offerUntil(now)) : [];
    const changeId = `hours-${resourceId}-${changeSuffix(hours.revision, now)}`;
    const closed: ClosedTime = { kind: 'hours', resourceId };
    const takes = changed && hoursTakeTime(hours.resource.weeklyHours, body.weeklyHours);
    const outbox = [...(takes ? [closing(person, changeId, closed)] : []), ...opening(person, changeId, [resourceId], opened)];
    if (changed && !(await deps.calendar.saveHours(person.clinicId, hours, body.weeklyHours, byOf(person, now), outbox))) continue;
    log.info('Weekly hours set', { clinicId: person.clinicId, outcome: changed ? 'CHANGED' : 'UNCHANGED' });
    const withNewHours = { ...catalog, resources: catalog.resources.map((r) => (r.resourceId === resourceId ? resource : r)) };
    const collisions = await collisionsOf(deps, withNewHours, person, closed, via);
    return { change: 'hours-set', resourceId, collisions, openedTime: opened.length > 0 };
  }
  throw HttpError.withMessage(409, 'The hours keep changing: read them again');
}

export async function addClosure(deps: MaintainCalendarDeps, person: StaffPrincipal, body: AddClosureBody, via: string) {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  if (!catalog.locations.some((l) => l.locationId === body.locationId))
    throw HttpError.badRequest([{ path: 'locationId', message: 'is not a location of this clinic' }]);
  const closure: Closure = { locationId: body.locationId, date: body.date, name: body.name };
  const closed: ClosedTime = { kind: 'closed', locationId: closure.locationId, date: closure.date };
  const { changed } = await changeCalendar(deps, person, (calendar, revision) =>
    calendar.closures.some((c) => closureIdOf(c) === closureIdOf(closure))
      ? undefined
      : {
          next: { ...calendar, closures: [...calendar.closures, closure] },
          outbox: [closing(person, `calendar-${changeSuffix(revision, now)}`, closed)],
        },
  );
  const collisions = await collisionsOf(deps, catalog, person, closed, via);
  const answer: CalendarChangedBody = { change: 'closure-added', closure: closureView(closure), collisions, openedTime: false };
  return { added: changed, answer };
}

export async function removeClosure(deps: MaintainCalendarDeps, person: StaffPrincipal, closureId: string): Promise<CalendarChangedBody> {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  let removed: Closure | undefined;
  const { opened } = await changeCalendar(deps, person, (calendar, revision) => {
    removed = calendar.closures.find((c) => closureIdOf(c) === closureId);
    if (!removed) throw HttpError.withMessage(404, 'No such closure');
    const { locationId, date } = removed;
    const span = clip(localDateSpan(date, zoneOf(catalog, locationId)), now.getTime(), offerUntil(now));
    const resourceIds = catalog.resources.filter((r) => r.locationId === locationId).map((r) => r.resourceId);
    return {
      next: { ...calendar, closures: calendar.closures.filter((c) => c !== removed) },
      outbox: opening(person, `calendar-${changeSuffix(revision, now)}`, resourceIds, span ? [span] : [], { removal: true }),
    };
  });
  return { change: 'closure-removed', ...(removed ? { closure: closureView(removed) } : {}), collisions: [], openedTime: opened };
}

export async function addUnavailability(deps: MaintainCalendarDeps, person: StaffPrincipal, body: AddUnavailabilityBody, via: string) {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  if (!catalog.resources.some((r) => r.resourceId === body.resourceId))
    throw HttpError.badRequest([{ path: 'resourceId', message: 'is not a resource of this clinic' }]);
  const entry: Unavailability = { resourceId: body.resourceId, kind: body.kind, start: body.start, end: body.end };
  const entryId = unavailabilityIdOf(entry);
  const closed: ClosedTime = { kind: 'away', resourceId: entry.resourceId, start: entry.start, end: entry.end };
  const { changed } = await changeCalendar(deps, person, (calendar, revision) =>
    calendar.unavailability.some((u) => unavailabilityIdOf(u) === entryId)
      ? undefined
      : {
          next: { ...calendar, unavailability: [...recentOnly(calendar.unavailability, now), entry] },
          outbox: [closing(person, `calendar-${changeSuffix(revision, now)}`, closed)],
        },
  );
  const collisions = await collisionsOf(deps, catalog, person, closed, via);
  const answer: CalendarChangedBody = {
    change: 'unavailability-added',
    unavailability: unavailabilityView(entry),
    collisions,
    openedTime: false,
  };
  return { added: changed, answer };
}

export async function removeUnavailability(
  deps: MaintainCalendarDeps,
  person: StaffPrincipal,
  entryId: string,
): Promise<CalendarChangedBody> {
  const now = deps.now();
  let removed: Unavailability | undefined;
  const { opened } = await changeCalendar(deps, person, (calendar, revision) => {
    removed = calendar.unavailability.find((u) => unavailabilityIdOf(u) === entryId);
    if (!removed) throw HttpError.withMessage(404, 'No such time off or block');
    const span = clip({ start: Date.parse(removed.start), end: Date.parse(removed.end) }, now.getTime(), offerUntil(now));
    return {
      next: { ...calendar, unavailability: recentOnly(calendar.unavailability, now).filter((u) => u !== removed) },
      outbox: opening(person, `calendar-${changeSuffix(revision, now)}`, [removed.resourceId], span ? [span] : [], { removal: true }),
    };
  });
  return {
    change: 'unavailability-removed',
    ...(removed ? { unavailability: unavailabilityView(removed) } : {}),
    collisions: [],
    openedTime: opened,
  };
}

/**
 * Reads the calendar, applies `edit` and writes it at the revision read, again from the read when another admin's
 * write came first. `edit` answers undefined when there is nothing to change (a repeat).
 */
async function changeCalendar(
  deps: MaintainCalendarDeps,
  person: StaffPrincipal,
  edit: (
    calendar: Omit<CalendarState, 'revision'>,
    revision: number,
  ) => { next: Omit<CalendarState, 'revision'>; outbox: CalendarOutboxItem[] } | undefined,
): Promise<{ changed: boolean; opened: boolean }> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const { revision, ...calendar } = await deps.calendar.read(person.clinicId);
    const change = edit(calendar, revision);
    if (!change) return { changed: false, opened: false };
    if (await deps.calendar.save(person.clinicId, change.next, revision, byOf(person, deps.now()), change.outbox)) {
      log.info('Calendar changed', { clinicId: person.clinicId, outcome: 'CHANGED' });
      return { changed: true, opened: change.outbox.some((item) => item.type === 'CalendarOpening' && item.windows.length > 0) };
    }
  }
  throw HttpError.withMessage(409, 'The calendar keeps changing: read it again');
}

/**
 * The booked visits the closed time leaves outside the clinic's time (the catalog as the change leaves it), with the
 * IDs of the tasks `rescheduleCollisions` opens for them. Each patient listed is recorded as read by the admin.
 */
async function collisionsOf(
  deps: MaintainCalendarDeps,
  catalog: ClinicCatalog,
  person: StaffPrincipal,
  closed: ClosedTime,
  via: string,
): Promise<Collision[]> {
  const now = deps.now();
  const visits = await findCollisions(deps, catalog, person.clinicId, closed);
  await Promise.all(
    [...new Set(visits.map((v) => v.patientId))].map((patientId) =>
      deps.audit.append({ clinicId: person.clinicId, actor: staffActor(person), patientId, via, actions: ['appointment.read'] }, now),
    ),
  );
  return visits.map((visit) => ({
    appointmentId: visit.appointmentId,
    appointmentType: visit.appointmentType,
    start: visit.start,
    end: visit.end,
    locationId: visit.location.id,
    resourceIds: visit.resourceIds,
    taskId: rescheduleTaskIdOf(visit),
  }));
}

function closing(person: StaffPrincipal, changeId: string, closed: ClosedTime): CalendarOutboxItem {
  return { type: 'CalendarClosing', clinicId: person.clinicId, closingId: `closing-${changeId}`, closed, by: staffActor(person) };
}

/**
 * The opening a change writes: the waitlist hears of its windows (OPENED_TIME_OFFER_DAYS ahead). A removal writes one even with
 * no window that near: the RESCHEDULE tasks of the visits it gives room to again may lie months ahead.
 */
function opening(
  person: StaffPrincipal,
  changeId: string,
  resourceIds: string[],
  spans: Span[],
  options: { removal?: boolean } = {},
): CalendarOutboxItem[] {
  if (resourceIds.length === 0 || (spans.length === 0 && !options.removal)) return [];
  const windows = spans.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() }));
  return [{ type: 'CalendarOpening', clinicId: person.clinicId, openingId: `opening-${changeId}`, resourceIds, windows }];
}

function zoneOf(catalog: ClinicCatalog, locationId: string): string {
  return catalog.locations.find((l) => l.locationId === locationId)?.timeZone ?? 'UTC';
}

const byOf = (person: StaffPrincipal, at: Date) => ({ actor: staffActor(person), at });
/**
 * An outbox ID's tail: the revision written and the time, as a catalog load resets revisions (claims of an earlier
 * opening with the same revision must not stand in for a new one).
 */
const changeSuffix = (revision: number, now: Date) => `${revision + 1}-${now.getTime().toString(36)}`;
const offerUntil = (now: Date) => now.getTime() + OPENED_TIME_OFFER_DAYS * DAY_MS;
const recentOnly = (entries: Unavailability[], now: Date) =>
  entries.filter((u) => Date.parse(u.end) > now.getTime() - KEEP_PAST_UNAVAILABILITY_DAYS * DAY_MS);

const closureView = (c: Closure) => ({ closureId: closureIdOf(c), locationId: c.locationId, date: c.date, name: c.name });
const unavailabilityView = (u: Unavailability) => ({ entryId: unavailabilityIdOf(u), ...u });
