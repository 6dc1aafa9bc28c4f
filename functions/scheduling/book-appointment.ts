import type { BookingResult, JourneyRef } from '#contract/journey-workflow.ts';
import { type JourneyAttempt, journeyAppointment } from '#model/journey.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { type AuditSession, journeyAuditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { bookEarliestSlot } from './book-earliest.ts';
import { HORIZON_DAYS } from './find-slots.ts';

export interface BookAppointmentDeps extends Pick<SharedStores, 'journeys' | 'submissions' | 'catalog' | 'appointments' | 'audit'> {
  now: () => Date;
}

const ACTOR = 'function:bookAppointment';

/**
 * Books the earliest slot for the submission's appointment type and preferences, or parks the stage for staff when
 * the horizon holds none or the type is not in the catalog. Safe to retry: the journey's existing appointment is
 * returned, never a second one (the appointment item is keyed by journey and written conditionally in the same
 * transaction as its busy time).
 */
export async function bookAppointment(deps: BookAppointmentDeps, ref: JourneyRef): Promise<BookingResult> {
  const now = deps.now();
  const fields = { clinicId: ref.clinicId, journeyId: ref.journeyId, stage: 'SCHEDULING' };
  const journey = await deps.journeys.beginAttempt(ref);
  const complete = (appointment: AppointmentRecord) =>
    deps.journeys.updateStage(journey, 'SCHEDULING', { status: 'COMPLETED', appointment: journeyAppointment(appointment) }, now);

  const existing = await deps.appointments.get(ref);
  if (existing) {
    // Booked by an earlier attempt, whose audit record was written before it booked.
    await complete(existing);
    log.info('Appointment already booked', { ...fields, outcome: 'BOOKED' });
    return { outcome: 'BOOKED', appointmentId: existing.appointmentId };
  }

  // One audit record of both accesses, written before the first: a crash after either leaves it behind.
  const audit = journeyAuditSession(deps.audit, ACTOR, journey, now);
  await audit.before('submission.read', 'appointment.create');
  // The visit request only: the answers and history are not scheduling's business.
  const submission = await deps.submissions.read(journey, audit, ['visit']);
  const catalog = await deps.catalog.load(ref.clinicId);
  if (!catalog) throw new Error(`Clinic ${ref.clinicId} has no catalog`);
  const code = submission.visit.appointmentTypeCode;
  const appointmentType = catalog.appointmentTypes.find((t) => t.code === code);
  if (!appointmentType) {
    return noSlot(deps, journey, `Appointment type ${code} is not in the clinic's catalog`, now, audit);
  }

  const result = await bookEarliestSlot(deps.appointments, {
    clinicId: ref.clinicId,
    journeyId: ref.journeyId,
    patientId: journey.patientId,
    catalog,
    appointmentType,
    preferences: submission.visit.preferences ?? {},
    now,
    bookedBy: ACTOR,
  });
  if (result.outcome === 'NO_SLOT') {
    log.info('No slot within the horizon', { ...fields, outcome: 'NO_SLOT', count: result.attempts });
    const reason = `No ${appointmentType.name} slot within ${HORIZON_DAYS} days matching the patient's preferences`;
    return noSlot(deps, journey, reason, now, audit);
  }
  await complete(result.appointment);
  log.info('Appointment booked', { ...fields, outcome: result.outcome, count: result.attempts });
  return { outcome: 'BOOKED', appointmentId: result.appointment.appointmentId };
}

async function noSlot(
  deps: BookAppointmentDeps,
  journey: JourneyAttempt,
  reason: string,
  now: Date,
  audit: AuditSession,
): Promise<BookingResult> {
  await audit.failed('appointment.create');
  await deps.journeys.updateStage(journey, 'SCHEDULING', { status: 'WAITING_FOR_STAFF', reason }, now);
  return { outcome: 'NO_SLOT' };
}
