import type { ClosedTime } from '#contract/appointment-events.ts';
import { BusyCalendar } from '#model/busy-time.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import type { AppointmentRecord, AppointmentStore } from '#shared/appointment-store.ts';
import {
  CALENDAR_CHANGE_HORIZON_DAYS,
  type CalendarConstraint,
  clip,
  collides,
  localDatesOf,
  outsideHours,
  type Span,
} from './calendar-changes.ts';

const DAY_MS = 86_400_000;

export interface CollisionDeps {
  appointments: AppointmentStore;
  now: () => Date;
}

/** Time taken away, as the catalog now says it (new hours are the resource's current ones); undefined: nothing known. */
export function constraintOf(catalog: ClinicCatalog, closed: ClosedTime): CalendarConstraint | undefined {
  if (closed.kind === 'closed') return closed;
  if (closed.kind === 'away') {
    return { kind: 'away', resourceId: closed.resourceId, span: { start: Date.parse(closed.start), end: Date.parse(closed.end) } };
  }
  const resource = catalog.resources.find((r) => r.resourceId === closed.resourceId);
  const timeZone = catalog.locations.find((l) => l.locationId === resource?.locationId)?.timeZone;
  return resource && timeZone ? { kind: 'hours', resource, timeZone } : undefined;
}

/**
 * The booked visits not yet over that time taken away leaves outside the clinic's time. A closure reads its one day of
 * the day index; a resource's change reads its department's busy days over the span (one Query: the span of a time
 * off, a year ahead for new hours), then the day index only for the local days the resource holds busy time in the
 * closed time.
 */
export async function findCollisions(
  deps: CollisionDeps,
  catalog: ClinicCatalog,
  clinicId: string,
  closed: ClosedTime,
): Promise<AppointmentRecord[]> {
  const constraint = constraintOf(catalog, closed);
  if (!constraint) return [];
  const now = deps.now().getTime();
  const dates = constraint.kind === 'closed' ? [constraint.date] : await bookedDates(deps, catalog, clinicId, constraint);
  const colliding: AppointmentRecord[] = [];
  for (const date of dates) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await deps.appointments.listDay(clinicId, date, { limit: 100, ...(cursor ? { cursor } : {}) });
      colliding.push(...page.appointments.filter((a) => Date.parse(a.end) > now && collides(a, constraint)));
      cursor = page.cursor;
    } while (cursor);
  }
  return colliding;
}

/** The local dates within the constraint's span (from now) on which its resource holds busy time in the closed time. */
async function bookedDates(
  deps: CollisionDeps,
  catalog: ClinicCatalog,
  clinicId: string,
  constraint: Exclude<CalendarConstraint, { kind: 'closed' }>,
): Promise<string[]> {
  const now = deps.now().getTime();
  const resourceId = constraint.kind === 'away' ? constraint.resourceId : constraint.resource.resourceId;
  const resource = catalog.resources.find((r) => r.resourceId === resourceId);
  const span: Span = constraint.kind === 'away' ? constraint.span : { start: now, end: now + CALENDAR_CHANGE_HORIZON_DAYS * DAY_MS };
  const within = clip(span, now, Number.POSITIVE_INFINITY);
  if (!resource || !within) return [];
  const busy = new BusyCalendar();
  await deps.appointments.loadBusy(
    clinicId,
    resource.departmentId,
    [resourceId],
    { start: new Date(within.start), end: new Date(within.end) },
    busy,
  );
  const timeZone = catalog.locations.find((l) => l.locationId === resource.locationId)?.timeZone ?? 'UTC';
  const inSpan = busy.busyStarts(resourceId).filter((at) => at >= within.start - DAY_MS && at < within.end + DAY_MS);
  return localDatesOf(constraint.kind === 'hours' ? outsideHours(constraint.resource, timeZone, inSpan) : inSpan, timeZone);
}
