import type { Slot } from '#contract/api/appointment-schema.ts';
import { heldInterval } from '#model/appointment-lifecycle.ts';
import { BusyCalendar, type Interval } from '#model/busy-time.ts';
import type { AppointmentType, ClinicCatalog } from '#model/clinic-catalog.ts';
import type { AppointmentRecord, AppointmentStore } from '#shared/appointment-store.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { holdMinutes } from './book-earliest.ts';
import { eligibleResources, findSlots, type SlotCandidate, type SlotPreferences, summarizeSlot } from './find-slots.ts';

/** The longest window staff may list at once: a month of one type's slots is what a scheduler looks across. */
export const MAX_WINDOW_DAYS = 31;
const DAY_MS = 86_400_000;

export interface OpenSlotSearch {
  clinicId: string;
  catalog: ClinicCatalog;
  type: AppointmentType;
  preferences: SlotPreferences;
  /** Starts within this interval (and never before now). */
  within: Interval;
  now: Date;
  /** Stop after this many candidates (all the combinations at the last start included). */
  limit: number;
  /** An appointment being moved: its own time counts as free, as it is given back in the same write. */
  moving?: AppointmentRecord;
}

/** Open slots, and the start of the first one left out when the search stopped at its limit. */
export interface OpenSlots {
  candidates: SlotCandidate[];
  nextStart?: Date;
}

/**
 * Open slots for staff, earliest first: the slot search (findSlots) over busy time read once for the window, with no
 * lead time (a walk-in can be booked for now), closures, time off and buffers honoured. Stops at `limit`, but never
 * between two candidates of one start, so a page ends where the next page (from `nextStart`) begins.
 */
export async function searchOpenSlots(appointments: AppointmentStore, search: OpenSlotSearch): Promise<OpenSlots> {
  const { catalog, type, preferences, now } = search;
  const start = Math.max(search.within.start.getTime(), now.getTime());
  const end = search.within.end.getTime();
  if (start >= end) return { candidates: [] };
  const resourceIds = eligibleResources(catalog, type, preferences).map((r) => r.resourceId);
  const busy = new BusyCalendar();
  const readFrom = new Date(start - (type.bufferBeforeMinutes ?? 0) * 60_000);
  const readUntil = new Date(end + holdMinutes(type) * 60_000);
  await appointments.loadBusy(search.clinicId, type.departmentId, resourceIds, { start: readFrom, end: readUntil }, busy);
  if (search.moving) {
    const held = heldInterval(search.moving);
    for (const resourceId of search.moving.resourceIds) busy.markFreeBetween(resourceId, held.start.getTime(), held.end.getTime());
  }
  const horizonDays = Math.ceil((end - now.getTime()) / DAY_MS) + 1;
  const found: SlotCandidate[] = [];
  for (const candidate of findSlots({
    catalog,
    appointmentType: type,
    preferences,
    busy,
    now,
    horizonDays,
    leadMinutes: 0,
    within: { start: new Date(start), end: new Date(end) },
  })) {
    const last = found.at(-1);
    if (found.length >= search.limit && last && last.start.getTime() !== candidate.start.getTime()) {
      return { candidates: found, nextStart: candidate.start };
    }
    found.push(candidate);
  }
  return { candidates: found };
}

/** A candidate as the API lists it. */
export function slotOf(catalog: ClinicCatalog, type: AppointmentType, candidate: SlotCandidate): Slot {
  const { start, end, timeZone, location, department, provider, resource } = summarizeSlot(catalog, type, candidate, '');
  return {
    start,
    end,
    timeZone,
    location: { id: location.id, name: location.name },
    department,
    provider,
    ...(resource ? { resource } : {}),
  };
}

/**
 * The appointment type and the preferences a staff request names, checked against the catalog: an unknown type,
 * location or provider is the caller's mistake (400, each named), not an empty answer.
 */
export function staffSearchOf(
  catalog: ClinicCatalog,
  request: { appointmentType: string; locationId?: string; providerId?: string },
): { type: AppointmentType; preferences: SlotPreferences } {
  const type = catalog.appointmentTypes.find((t) => t.code === request.appointmentType);
  const problems: Array<{ path: string; message: string }> = [];
  if (!type) problems.push({ path: 'appointmentType', message: "is not one of the clinic's appointment types" });
  if (request.locationId && !catalog.locations.some((l) => l.locationId === request.locationId)) {
    problems.push({ path: 'locationId', message: "is not one of the clinic's locations" });
  }
  if (
    request.providerId &&
    !catalog.resources.some(
      (r) => r.resourceId === request.providerId && r.kind === 'provider' && (!type || r.departmentId === type.departmentId),
    )
  ) {
    problems.push({ path: 'providerId', message: 'is not a provider of the appointment type’s department' });
  }
  if (!type || problems.length > 0) throw HttpError.badRequest(problems);
  return {
    type,
    preferences: {
      ...(request.locationId ? { locationId: request.locationId } : {}),
      ...(request.providerId ? { providerId: request.providerId } : {}),
    },
  };
}

/** The catalog of the person's clinic: a clinic without one has nothing to book (404). */
export function requireCatalog(catalog: ClinicCatalog | undefined): ClinicCatalog {
  if (!catalog) throw HttpError.withMessage(404, 'This clinic has no catalog');
  return catalog;
}

export const windowDays = (interval: Interval) => (interval.end.getTime() - interval.start.getTime()) / DAY_MS;
