import { isDeepStrictEqual } from 'node:util';
import type {
  AddClosureBody,
  AddUnavailabilityBody,
  CalendarBody,
  CalendarChangedBody,
  Collision,
  WeeklyHoursBody,
} from '#contract/api/calendar-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { BusyCalendar } from '#model/busy-time.ts';
import type { ClinicCatalog, Closure, Resource, Unavailability } from '#model/clinic-catalog.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import {
  CALENDAR_CHANGE_HORIZON_DAYS,
  type CalendarConstraint,
  clip,
  closureIdOf,
  collides,
  localDateSpan,
  localDatesOf,
  OPENED_TIME_OFFER_DAYS,
  openedByHours,
  outsideHours,
  type Span,
  unavailabilityIdOf,
} from './calendar-changes.ts';
import type { CalendarOpening, CalendarState, CalendarStore } from './calendar-store.ts';
import { requireCatalog } from './open-slots.ts';
import { openRescheduleTask } from './reschedule-task.ts';

export interface MaintainCalendarDeps extends Pick<SharedStores, 'appointments' | 'catalog' | 'tasks' | 'audit'> {
  calendar: CalendarStore;
  escalations: EscalationSchedulePort;
  now: () => Date;
}

const DAY_MS = 86_400_000;
/** Time off and blocks that ended this long ago are dropped from the calendar item when it is next written. */
const KEEP_PAST_UNAVAILABILITY_DAYS = 30;
/** Concurrent admins: a write that loses its revision reads again, this many times, then answers 409. */
const WRITE_ATTEMPTS = 3;

/**
 * An admin maintains when the clinic works. Each change is one conditional write (the calendar item, or the resource's
 * hours, at the revision read) with the time it opens in the same transaction (the waitlist is offered it through the
 * table's stream), and answers the booked visits it now leaves outside the time the clinic works: each gets a
 * RESCHEDULE task in its department's scheduling queue (one per visit and revision, so a repeat opens none), and the
 * visit stays booked until someone moves it with the patient. A repeat of a change answers as the first did.
 *
 * Slot searches read the catalog through a cache of CATALOG_CACHE_MS: a booking in the minute after a change may still
 * see the old calendar. The collisions listed are those committed when the change was made.
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
): Promise<CalendarChangedBody> {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const hours = await deps.calendar.readHours(person.clinicId, resourceId);
    if (!hours) throw HttpError.withMessage(404, 'No such resource in this clinic');
    const timeZone = zoneOf(catalog, hours.resource.locationId);
    const resource: Resource = { ...hours.resource, weeklyHours: body.weeklyHours };
    const changed = !isDeepStrictEqual(hours.resource.weeklyHours, body.weeklyHours);
    const opened = changed ? openedByHours(resource, hours.resource.weeklyHours, timeZone, now.getTime(), offerUntil(now)) : [];
    const opening = openingOf(person.clinicId, `hours-${resourceId}-${hours.revision + 1}`, [resourceId], opened);
    if (changed && !(await deps.calendar.saveHours(person.clinicId, hours, body.weeklyHours, byOf(person, now), opening))) continue;
    const collisions = await collisionsOf(deps, catalog, person, { kind: 'hours', resource, timeZone }, horizonFrom(now));
    log.info('Weekly hours set', { clinicId: person.clinicId, outcome: changed ? 'CHANGED' : 'UNCHANGED', count: collisions.length });
    return { change: 'hours-set', resourceId, collisions, openedTime: opening !== undefined };
  }
  throw HttpError.withMessage(409, 'The hours keep changing: read them again');
}

export async function addClosure(deps: MaintainCalendarDeps, person: StaffPrincipal, body: AddClosureBody) {
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  if (!catalog.locations.some((l) => l.locationId === body.locationId))
    throw HttpError.badRequest([{ path: 'locationId', message: 'is not a location of this clinic' }]);
  const closure: Closure = { locationId: body.locationId, date: body.date, name: body.name };
  const { added } = await changeCalendar(deps, person, (calendar) =>
    calendar.closures.some((c) => closureIdOf(c) === closureIdOf(closure))
      ? undefined
      : { next: { ...calendar, closures: [...calendar.closures, closure] } },
  );
  const collisions = await collisionsOf(deps, catalog, person, { kind: 'closed', locationId: closure.locationId, date: closure.date });
  const answer: CalendarChangedBody = { change: 'closure-added', closure: closureView(closure), collisions, openedTime: false };
  return { added, answer };
}

export async function removeClosure(deps: MaintainCalendarDeps, person: StaffPrincipal, closureId: string): Promise<CalendarChangedBody> {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  let removed: Closure | undefined;
  const { opening } = await changeCalendar(deps, person, (calendar, revision) => {
    removed = calendar.closures.find((c) => closureIdOf(c) === closureId);
    if (!removed) throw HttpError.withMessage(404, 'No such closure');
    const { locationId, date } = removed;
    const day = localDateSpan(date, zoneOf(catalog, locationId));
    const span = clip(day, now.getTime(), offerUntil(now));
    const resourceIds = catalog.resources.filter((r) => r.locationId === locationId).map((r) => r.resourceId);
    return {
      next: { ...calendar, closures: calendar.closures.filter((c) => c !== removed) },
      opening: openingOf(person.clinicId, `calendar-${revision + 1}`, resourceIds, span ? [span] : []),
    };
  });
  return { change: 'closure-removed', ...(removed ? { closure: closureView(removed) } : {}), collisions: [], openedTime: opening };
}

export async function addUnavailability(deps: MaintainCalendarDeps, person: StaffPrincipal, body: AddUnavailabilityBody) {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  if (!catalog.resources.some((r) => r.resourceId === body.resourceId))
    throw HttpError.badRequest([{ path: 'resourceId', message: 'is not a resource of this clinic' }]);
  const entry: Unavailability = { resourceId: body.resourceId, kind: body.kind, start: body.start, end: body.end };
  const entryId = unavailabilityIdOf(entry);
  const { added } = await changeCalendar(deps, person, (calendar) =>
    calendar.unavailability.some((u) => unavailabilityIdOf(u) === entryId)
      ? undefined
      : { next: { ...calendar, unavailability: [...recentOnly(calendar.unavailability, now), entry] } },
  );
  const span = { start: Date.parse(entry.start), end: Date.parse(entry.end) };
  const collisions = await collisionsOf(deps, catalog, person, { kind: 'away', resourceId: entry.resourceId, span }, span);
  const answer: CalendarChangedBody = {
    change: 'unavailability-added',
    unavailability: unavailabilityView(entry),
    collisions,
    openedTime: false,
  };
  return { added, answer };
}

export async function removeUnavailability(
  deps: MaintainCalendarDeps,
  person: StaffPrincipal,
  entryId: string,
): Promise<CalendarChangedBody> {
  const now = deps.now();
  let removed: Unavailability | undefined;
  const { opening } = await changeCalendar(deps, person, (calendar, revision) => {
    removed = calendar.unavailability.find((u) => unavailabilityIdOf(u) === entryId);
    if (!removed) throw HttpError.withMessage(404, 'No such time off or block');
    const span = clip({ start: Date.parse(removed.start), end: Date.parse(removed.end) }, now.getTime(), offerUntil(now));
    return {
      next: { ...calendar, unavailability: recentOnly(calendar.unavailability, now).filter((u) => u !== removed) },
      opening: openingOf(person.clinicId, `calendar-${revision + 1}`, [removed.resourceId], span ? [span] : []),
    };
  });
  return {
    change: 'unavailability-removed',
    ...(removed ? { unavailability: unavailabilityView(removed) } : {}),
    collisions: [],
    openedTime: opening,
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
  ) => { next: Omit<CalendarState, 'revision'>; opening?: CalendarOpening | undefined } | undefined,
): Promise<{ added: boolean; opening: boolean }> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const { revision, ...calendar } = await deps.calendar.read(person.clinicId);
    const change = edit(calendar, revision);
    if (!change) return { added: false, opening: false };
    if (await deps.calendar.save(person.clinicId, change.next, revision, byOf(person, deps.now()), change.opening)) {
      log.info('Calendar changed', { clinicId: person.clinicId, outcome: 'CHANGED' });
      return { added: true, opening: change.opening !== undefined };
    }
  }
  throw HttpError.withMessage(409, 'The calendar keeps changing: read it again');
}

/**
 * The booked visits a constraint leaves outside the clinic's time, each with its RESCHEDULE task (opened once per visit
 * and revision). The days to read come from the resource's busy time (one Query of its department's busy days over the
 * span), so only days it is booked are read from the day index; a closure reads its one day.
 */
async function collisionsOf(
  deps: MaintainCalendarDeps,
  catalog: ClinicCatalog,
  person: StaffPrincipal,
  constraint: CalendarConstraint,
  span?: Span,
): Promise<Collision[]> {
  const now = deps.now();
  const dates = constraint.kind === 'closed' ? [constraint.date] : await bookedDates(deps, catalog, person.clinicId, constraint, span);
  const colliding: AppointmentRecord[] = [];
  for (const date of dates) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await deps.appointments.listDay(person.clinicId, date, { limit: 100, ...(cursor ? { cursor } : {}) });
      colliding.push(...page.appointments.filter((a) => Date.parse(a.end) > now.getTime() && collides(a, constraint)));
      cursor = page.cursor;
    } while (cursor);
  }
  const collisions: Collision[] = [];
  for (const appointment of colliding) {
    const taskId = await openRescheduleTask(deps, catalog, appointment, constraint.kind, staffActor(person), now);
    collisions.push({
      appointmentId: appointment.appointmentId,
      appointmentType: appointment.appointmentType,
      start: appointment.start,
      end: appointment.end,
      locationId: appointment.location.id,
      resourceIds: appointment.resourceIds,
      taskId,
    });
  }
  return collisions;
}

/** The local dates within the span (from now) on which the constraint's resource has busy time. */
async function bookedDates(
  deps: MaintainCalendarDeps,
  catalog: ClinicCatalog,
  clinicId: string,
  constraint: Exclude<CalendarConstraint, { kind: 'closed' }>,
  span: Span | undefined,
): Promise<string[]> {
  const resourceId = constraint.kind === 'away' ? constraint.resourceId : constraint.resource.resourceId;
  const resource = catalog.resources.find((r) => r.resourceId === resourceId);
  const within = span && clip(span, deps.now().getTime(), Number.POSITIVE_INFINITY);
  if (!resource || !within) return [];
  const busy = new BusyCalendar();
  await deps.appointments.loadBusy(
    clinicId,
    resource.departmentId,
    [resourceId],
    { start: new Date(within.start), end: new Date(within.end) },
    busy,
  );
  const timeZone = zoneOf(catalog, resource.locationId);
  const inSpan = busy.busyStarts(resourceId).filter((at) => at >= within.start - DAY_MS && at < within.end + DAY_MS);
  return localDatesOf(constraint.kind === 'hours' ? outsideHours(constraint.resource, timeZone, inSpan) : inSpan, timeZone);
}

function openingOf(clinicId: string, openingId: string, resourceIds: string[], spans: Span[]): CalendarOpening | undefined {
  if (spans.length === 0 || resourceIds.length === 0) return undefined;
  const windows = spans.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() }));
  return { openingId, clinicId, resourceIds, windows };
}

function zoneOf(catalog: ClinicCatalog, locationId: string): string {
  return catalog.locations.find((l) => l.locationId === locationId)?.timeZone ?? 'UTC';
}

const byOf = (person: StaffPrincipal, at: Date) => ({ actor: staffActor(person), at });
const offerUntil = (now: Date) => now.getTime() + OPENED_TIME_OFFER_DAYS * DAY_MS;
const horizonFrom = (now: Date): Span => ({ start: now.getTime(), end: now.getTime() + CALENDAR_CHANGE_HORIZON_DAYS * DAY_MS });
const recentOnly = (entries: Unavailability[], now: Date) =>
  entries.filter((u) => Date.parse(u.end) > now.getTime() - KEEP_PAST_UNAVAILABILITY_DAYS * DAY_MS);

const closureView = (c: Closure) => ({ closureId: closureIdOf(c), locationId: c.locationId, date: c.date, name: c.name });
const unavailabilityView = (u: Unavailability) => ({ entryId: unavailabilityIdOf(u), ...u });
