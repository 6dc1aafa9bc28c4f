import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { BusyCalendar } from '#model/busy-time.ts';
import type { AppointmentType, ClinicCatalog } from '#model/clinic-catalog.ts';
import { appointmentIdOf } from '#model/journey.ts';
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
  booking: { appointmentId: string; clinicId: string; patientId: string; journeyId?: string; bookedBy: string; now: Date },
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
  };
}

/** How far past a chunk's end busy time must be read: the longest a slot starting in it holds its resources. */
export const holdMinutes = (type: AppointmentType) =>
  (type.bufferBeforeMinutes ?? 0) + type.durationMinutes + (type.bufferAfterMinutes ?? 0);

/**
 * Books the earliest candidate that wins its conditional write. A lost race marks the granules DynamoDB reported as
 * taken, so the search skips every other candidate that needs them; the loop is bounded by MAX_BOOKING_ATTEMPTS.
 */
export async function bookEarliestSlot(appointments: AppointmentStore, request: BookEarliestRequest): Promise<BookEarliestResult> {
  const { catalog, appointmentType: type, preferences, now } = request;
  const window = searchWindow(catalog, type, preferences, now);
  const resourceIds = eligibleResources(catalog, type, preferences).map((r) => r.resourceId);
  const appointmentId = appointmentIdFor(request.journeyId);
  const busy = new BusyCalendar();
  let attempts = 0;

  for (let from = window.start.getTime(); from < window.end.getTime(); from += CHUNK_DAYS * 86_400_000) {
    const within = { start: new Date(from), end: new Date(Math.min(from + CHUNK_DAYS * 86_400_000, window.end.getTime())) };
    const readFrom = new Date(within.start.getTime() - (type.bufferBeforeMinutes ?? 0) * 60_000);
    const readUntil = new Date(within.end.getTime() + holdMinutes(type) * 60_000);
    await appointments.loadBusy(request.clinicId, type.departmentId, resourceIds, { start: readFrom, end: readUntil }, busy);

    for (const candidate of findSlots({ catalog, appointmentType: type, preferences, busy, now, within })) {
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
        }),
      );
      if (result.outcome === 'BOOKED' || result.outcome === 'ALREADY_BOOKED') return { ...result, attempts };
      if (result.outcome === 'TAKEN') for (const { resourceId, granule } of result.taken) busy.markBusy(resourceId, granule);
      // CONTENDED: move on; the other writer most likely holds it now, and an earlier-but-busy slot is no double booking.
    }
  }
  return { outcome: 'NO_SLOT', attempts };
}
