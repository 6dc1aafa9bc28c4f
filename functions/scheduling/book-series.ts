import { DateTime } from 'luxon';
import type { Slot } from '#contract/api/appointment-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import type { ClinicCatalog, Location } from '#model/clinic-catalog.ts';
import { idDigest } from '#model/id-digest.ts';
import type { VisitRequest } from '#model/patient-records.ts';
import { decideOrderedType, orderOfRequest } from '#model/physician-order.ts';
import { type Recurrence, recurrenceDates } from '#model/recurrence.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { bookContended } from './book-chosen-slot.ts';
import { appointmentOf } from './book-earliest.ts';
import { eligibleResources, type SlotCandidate } from './find-slots.ts';
import { localToday } from './local-days.ts';
import { requireCatalog, searchOpenSlots, slotOf, staffSearchOf } from './open-slots.ts';
import type { SeriesRecord, SeriesStore } from './series-store.ts';

export interface BookSeriesDeps extends Pick<SharedStores, 'catalog' | 'appointments' | 'patients' | 'audit'> {
  series: SeriesStore;
  now: () => Date;
}

export interface BookSeriesRequest {
  patientId: string;
  appointmentType: string;
  locationId?: string;
  /** The therapist asked for; otherwise the one the first visit gets, kept for the others where free. */
  providerId?: string;
  recurrence: Recurrence;
  /** The first local date a visit may fall on. */
  startDate: string;
  timeOfDay?: 'MORNING' | 'AFTERNOON' | 'ANY';
  order?: VisitRequest['physicianOrder'];
  idempotencyKey: string;
  via: string;
}

export interface SeriesVisit {
  date: string;
  appointmentId: string;
  start: string;
  end: string;
  provider: { id: string; name: string };
}

export interface UnplacedVisit {
  date: string;
  reason: string;
  /** Open slots near the date (any provider) a scheduler can offer instead. */
  alternatives: Slot[];
}

export interface BookSeriesResult {
  outcome: 'BOOKED' | 'ALREADY_BOOKED';
  seriesId: string;
  visits: SeriesVisit[];
  unplaced: UnplacedVisit[];
}

/** Alternatives offered for a date that could not be placed: this many, within the days after it. */
const ALTERNATIVES = 3;
const ALTERNATIVE_DAYS = 7;

const hashOf = (...parts: string[]) => idDigest(32, ...parts);
/** A series and its visits are named by the clinic and the request's Idempotency-Key: a retry finds what it booked. */
export const seriesIdOf = (clinicId: string, key: string) => `series-${hashOf(clinicId, key)}`;
const visitIdOf = (seriesId: string, date: string) => `appt-${hashOf(seriesId, date)}`;

/**
 * Books a series of visits (a plan of care, e.g. physical therapy twice a week for six weeks) from a recurrence rule:
 * each date gets the earliest slot that fits the time of day, with the same therapist where free (the one asked for,
 * or the one the first visit got), each visit booked on its own with the same conflict-safe write as any booking, so
 * no visit can overlap another booking. Dates that cannot be placed (nothing free, or after the order expires) are
 * reported with open slots near them. A type that needs a physician's order is booked only under a valid one, kept
 * with every visit. Safe to retry with the same Idempotency-Key: placed visits are found, not booked again.
 */
export async function bookSeries(deps: BookSeriesDeps, person: StaffPrincipal, request: BookSeriesRequest): Promise<BookSeriesResult> {
  const now = deps.now();
  const clinicId = person.clinicId;
  const seriesId = seriesIdOf(clinicId, request.idempotencyKey);
  const existing = await deps.series.get(clinicId, seriesId);
  if (existing) return repeated(deps, existing, request);

  const catalog = requireCatalog(await deps.catalog.load(clinicId));
  const { type: requested, preferences } = staffSearchOf(catalog, request);
  if (!(await deps.patients.exists(clinicId, request.patientId))) {
    throw HttpError.badRequest([{ path: 'patientId', message: 'is not a patient of this clinic' }]);
  }
  const location = locationOf(catalog, requested, request);
  const today = localToday(now, [location.timeZone]);
  if (request.startDate < today) throw HttpError.badRequest([{ path: 'startDate', message: `must not be before today (${today})` }]);
  const decision = decideOrderedType(catalog, requested, orderOfRequest(request.order), { receivedOn: today, today });
  if (decision.kind === 'NEEDS_ORDER') throw HttpError.withMessage(409, decision.reason);
  const type = decision.type;
  const dates = recurrenceDates(request.recurrence, request.startDate);
  if (dates.length === 0) throw HttpError.badRequest([{ path: 'recurrence', message: 'gives no date from `startDate` (and today) on' }]);

  const audit = auditSession(deps.audit, { clinicId, actor: staffActor(person), patientId: request.patientId, via: request.via }, now);
  await audit.before('appointment.create');
  let therapist = request.providerId;
  const visits: SeriesVisit[] = [];
  const unplaced: UnplacedVisit[] = [];
  for (const date of dates) {
    if (decision.kind === 'ORDERED' && date > decision.validUntil) {
      unplaced.push({ date, reason: `After the physician's order expires (${decision.validUntil})`, alternatives: [] });
      continue;
    }
    const day = dayOf(date, location);
    const { candidates } = await searchOpenSlots(deps.appointments, {
      clinicId,
      catalog,
      type,
      preferences: { ...preferences, locationId: location.locationId, providerId: undefined },
      within: day,
      now,
      limit: 500,
    });
    const fitting = candidates
      .filter((c) => fitsTimeOfDay(c, location, request.timeOfDay))
      .sort((a, b) => preferFirst(a, therapist) - preferFirst(b, therapist) || a.start.getTime() - b.start.getTime());
    const placed = await placeVisit(deps, fitting, (candidate) => ({
      ...appointmentOf(catalog, type, candidate, {
        appointmentId: visitIdOf(seriesId, date),
        clinicId,
        patientId: request.patientId,
        bookedBy: staffActor(person),
        now,
        ...(decision.order ? { order: decision.order } : {}),
      }),
      seriesId,
    }));
    if (placed) {
      therapist ??= placed.provider.id;
      visits.push({ date, appointmentId: placed.appointmentId, start: placed.start, end: placed.end, provider: placed.provider });
      continue;
    }
    const { candidates: near } = await searchOpenSlots(deps.appointments, {
      clinicId,
      catalog,
      type,
      preferences: { locationId: location.locationId },
      within: { start: day.start, end: new Date(day.start.getTime() + ALTERNATIVE_DAYS * 86_400_000) },
      now,
      limit: ALTERNATIVES,
    });
    unplaced.push({
      date,
      reason: `No ${type.name} slot free on ${date}${request.timeOfDay && request.timeOfDay !== 'ANY' ? ` in the ${request.timeOfDay.toLowerCase()}` : ''}`,
      alternatives: near.slice(0, ALTERNATIVES).map((c) => slotOf(catalog, type, c)),
    });
  }
  if (visits.length === 0) await audit.failed('appointment.create');
  await deps.series.put({
    type: 'AppointmentSeries',
    clinicId,
    seriesId,
    patientId: request.patientId,
    appointmentType: type.code,
    recurrence: request.recurrence,
    startDate: request.startDate,
    appointmentIds: visits.map((v) => v.appointmentId),
    unplacedDates: unplaced.map((u) => u.date),
    createdAt: now.toISOString(),
    createdBy: staffActor(person),
  });
  log.info('Series booked', { clinicId, outcome: 'BOOKED', count: visits.length });
  return { outcome: 'BOOKED', seriesId, visits, unplaced };
}

/** Books the first candidate that wins its write; the visit's own ID makes a retried series find it. */
async function placeVisit(
  deps: BookSeriesDeps,
  candidates: readonly SlotCandidate[],
  appointmentFor: (candidate: SlotCandidate) => AppointmentRecord,
): Promise<AppointmentRecord | undefined> {
  for (const candidate of candidates) {
    const result = await bookContended(deps, appointmentFor(candidate));
    if (result.outcome === 'BOOKED' || result.outcome === 'ALREADY_BOOKED') return result.appointment;
  }
  return undefined;
}

/** The series booked by this key before: the same request gets it again (its visits as they are now). */
async function repeated(deps: BookSeriesDeps, series: SeriesRecord, request: BookSeriesRequest): Promise<BookSeriesResult> {
  if (series.patientId !== request.patientId || series.startDate !== request.startDate) {
    throw HttpError.withMessage(409, 'This Idempotency-Key was used for another series');
  }
  const visits = await Promise.all(series.appointmentIds.map((id) => deps.appointments.getById(series.clinicId, id)));
  return {
    outcome: 'ALREADY_BOOKED',
    seriesId: series.seriesId,
    visits: visits.flatMap((v) =>
      v ? [{ date: v.start.slice(0, 10), appointmentId: v.appointmentId, start: v.start, end: v.end, provider: v.provider }] : [],
    ),
    unplaced: series.unplacedDates.map((date) => ({ date, reason: 'Not placed when the series was booked', alternatives: [] })),
  };
}

/** The location the series is at: the one asked for, or the only one that offers the type (else the caller must say). */
function locationOf(catalog: ClinicCatalog, type: Parameters<typeof eligibleResources>[1], request: BookSeriesRequest): Location {
  const ids = new Set(eligibleResources(catalog, type, {}).map((r) => r.locationId));
  const id = request.locationId ?? (ids.size === 1 ? [...ids][0] : undefined);
  const location = catalog.locations.find((l) => l.locationId === id);
  if (!location || !ids.has(location.locationId)) {
    throw HttpError.badRequest([
      { path: 'locationId', message: `is needed: ${type.name} is offered at ${[...ids].join(', ') || 'no location'}` },
    ]);
  }
  return location;
}

/** A local date at the location, as the instants it spans (23 or 25 hours on the days clocks change). */
function dayOf(date: string, location: Location) {
  const start = DateTime.fromISO(date, { zone: location.timeZone }).startOf('day');
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

function fitsTimeOfDay(candidate: SlotCandidate, location: Location, timeOfDay: BookSeriesRequest['timeOfDay']): boolean {
  if (!timeOfDay || timeOfDay === 'ANY') return true;
  const hour = DateTime.fromJSDate(candidate.start, { zone: location.timeZone }).hour;
  return timeOfDay === 'MORNING' ? hour < 12 : hour >= 12;
}

const preferFirst = (candidate: SlotCandidate, providerId: string | undefined) =>
  providerId && candidate.resources.some((r) => r.resourceId === providerId) ? 0 : 1;
