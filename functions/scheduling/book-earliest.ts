import { createHash } from 'node:crypto';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { BusyCalendar } from '#model/busy-time.ts';
import type { AppointmentType, ClinicCatalog } from '#model/clinic-catalog.ts';
import { appointmentIdOf } from '#model/journey.ts';
import type { PhysicianOrder } from '#model/physician-order.ts';
import type { AppointmentRecord, AppointmentStore } from '#shared/appointment-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { eligibleResources, findSlots, type SlotCandidate, type SlotPreferences, searchWindow, summarizeSlot } from './find-slots.ts';

/** Booking attempts per invocation before giving up on a contended calendar (each lost race is one attempt). */
export const MAX_BOOKING_ATTEMPTS = 30;
/** Busy time is read a week at a time: most bookings land in the first week, so most reads stop there. */
const CHUNK_DAYS = 7;

/** Thrown when every attempt lost a race: the workflow retries it, then parks the stage for staff. */
export class SchedulingContentionError extends TransientDependencyError {
  constructor(message: string) {
    super(TRANSIENT_ERRORS.schedulingContention, message);
  }
}

export interface BookEarliestRequest {
  clinicId: string;
  journeyId: string;
  patientId: string;
  catalog: ClinicCatalog;
  appointmentType: AppointmentType;
  preferences: SlotPreferences;
  now: Date;
  /** Who books: recorded on the appointment. */
  bookedBy: string;
  /** The physician's order it is booked under, kept with the appointment. */
  order?: PhysicianOrder;
  /** No start at or after this instant (e.g. the end of the order's last valid day). */
  until?: Date;
}

export type BookEarliestResult =
  | { outcome: 'BOOKED' | 'ALREADY_BOOKED'; appointment: AppointmentRecord; attempts: number }
  | { outcome: 'NO_SLOT'; attempts: number };

/** Deterministic per journey, so a retried task can only ever find, never duplicate, the journey's booking. */
export const appointmentIdFor = appointmentIdOf;

/** The appointment a candidate becomes when booked: its summary, who and what it holds, and the type's buffers. */
export function appointmentOf(
  catalog: ClinicCatalog,
  type: AppointmentType,
  candidate: SlotCandidate,
  booking: {
    appointmentId: string;
    clinicId: string;
    patientId: string;
    journeyId?: string;
    bookedBy: string;
    now: Date;
    order?: PhysicianOrder;
  },
): AppointmentRecord {
  return {
    ...summarizeSlot(catalog, type, candidate, booking.appointmentId),
    type: 'Appointment',
    clinicId: booking.clinicId,
    ...(booking.journeyId ? { journeyId: booking.journeyId } : {}),
    patientId: booking.patientId,
    status: 'BOOKED',
    resourceIds: candidate.resources.map((r) => r.resourceId),
    ...(type.bufferBeforeMinutes ? { bufferBeforeMinutes: type.bufferBeforeMinutes } : {}),
    ...(type.bufferAfterMinutes ? { bufferAfterMinutes: type.bufferAfterMinutes } : {}),
    createdAt: booking.now.toISOString(),
    bookedBy: booking.bookedBy,
    ...(booking.order ? { order: booking.order } : {}),
  };
}

/** How far past a chunk's end busy time must be read: the longest a slot starting in it holds its resources. */
export const holdMinutes = (type: AppointmentType) =>
  (type.bufferBeforeMinutes ?? 0) + type.durationMinutes + (type.bufferAfterMinutes ?? 0);

/**
 * After a lost race, the next attempt is one of this many next candidates, in an order of the journey's own: journeys
 * that lost the same slot spread over several instead of all chasing the next one (each of which only one can win).
 */
export const SPREAD_AFTER_LOSS = 4;

/**
 * Which of `count` pending candidates a journey tries after its `attempt`-th attempt lost: a hash of both, so it is
 * stable for a journey (a retried task tries the same) and differs between journeys.
 */
export function spreadPick(journeyId: string, attempt: number, count: number): number {
  return createHash('sha256').update(`${journeyId}#${attempt}`).digest().readUInt32BE(0) % count;
}

/**
 * Books the earliest candidate that wins its conditional write: a journey that meets no one gets the earliest fitting
 * slot. A lost race marks the granules DynamoDB reported as taken, so the search skips every other candidate that needs
 * them, and the next attempt is spread over the next few candidates (SPREAD_AFTER_LOSS). Bounded by
 * MAX_BOOKING_ATTEMPTS.
 */
export async function bookEarliestSlot(appointments: AppointmentStore, request: BookEarliestRequest): Promise<BookEarliestResult> {
  const { catalog, appointmentType: type, preferences, now } = request;
  const searched = searchWindow(catalog, type, preferences, now);
  const window = request.until && request.until < searched.end ? { start: searched.start, end: request.until } : searched;
  const resourceIds = eligibleResources(catalog, type, preferences).map((r) => r.resourceId);
  const appointmentId = appointmentIdFor(request.journeyId);
  const busy = new BusyCalendar();
  const beforeMs = (type.bufferBeforeMinutes ?? 0) * 60_000;
  const afterMs = (type.bufferAfterMinutes ?? 0) * 60_000;
  const stillFree = (c: SlotCandidate) =>
    c.resources.every((r) => busy.isFreeBetween(r.resourceId, c.start.getTime() - beforeMs, c.end.getTime() + afterMs));
  let attempts = 0;
  let lost = false;

  /** Tries one candidate: the result when it ends the search, undefined to go on. */
  const attempt = async (candidate: SlotCandidate): Promise<BookEarliestResult | undefined> => {
    if (attempts >= MAX_BOOKING_ATTEMPTS) {
      throw new SchedulingContentionError(`Every one of ${MAX_BOOKING_ATTEMPTS} ${type.code} candidates was taken while booking`);
    }
    attempts += 1;
    const result = await appointments.book(
      appointmentOf(catalog, type, candidate, {
        appointmentId,
        clinicId: request.clinicId,
        journeyId: request.journeyId,
        patientId: request.patientId,
        bookedBy: request.bookedBy,
        now,
        ...(request.order ? { order: request.order } : {}),
      }),
    );
    if (result.outcome === 'BOOKED' || result.outcome === 'ALREADY_BOOKED') return { ...result, attempts };
    if (result.outcome === 'TAKEN') for (const { resourceId, granule } of result.taken) busy.markBusy(resourceId, granule);
    // CONTENDED: move on; the other writer most likely holds it now, and an earlier-but-busy slot is no double booking.
    lost = true;
    return undefined;
  };

  for (let from = window.start.getTime(); from < window.end.getTime(); from += CHUNK_DAYS * 86_400_000) {
    const within = { start: new Date(from), end: new Date(Math.min(from + CHUNK_DAYS * 86_400_000, window.end.getTime())) };
    const readUntil = new Date(within.end.getTime() + holdMinutes(type) * 60_000);
    await appointments.loadBusy(
      request.clinicId,
      type.departmentId,
      resourceIds,
      { start: new Date(from - beforeMs), end: readUntil },
      busy,
    );

    // Candidates found but not tried yet: after a loss, the next attempt picks among SPREAD_AFTER_LOSS of them.
    const pending: SlotCandidate[] = [];
    const next = async (): Promise<BookEarliestResult | undefined> => {
      const [candidate] = pending.splice(lost ? spreadPick(request.journeyId, attempts, pending.length) : 0, 1);
      if (candidate && stillFree(candidate)) return attempt(candidate);
      return undefined;
    };
    for (const candidate of findSlots({ catalog, appointmentType: type, preferences, busy, now, within })) {
      pending.push(candidate);
      if (lost && pending.length < SPREAD_AFTER_LOSS) continue;
      const result = await next();
      if (result) return result;
    }
    while (pending.length > 0) {
      const result = await next();
      if (result) return result;
    }
  }
  return { outcome: 'NO_SLOT', attempts };
}
