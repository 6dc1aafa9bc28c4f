import type { BookingResult, JourneyRef } from '#contract/journey-workflow.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { type JourneyAttempt, journeyAppointment } from '#model/journey.ts';
import { decideOrderedType, orderOfRequest } from '#model/physician-order.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { type AuditSession, journeyAuditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { authorizationHoldOf } from './authorization-gate.ts';
import { bookEarliestSlot } from './book-earliest.ts';
import { HORIZON_DAYS, zonesOf } from './find-slots.ts';
import { lastInstantOf, localToday } from './local-days.ts';
import { entryIdOf, joinWaitlist } from './waitlist.ts';
import type { WaitlistStore } from './waitlist-store.ts';

export interface BookAppointmentDeps
  extends Pick<
    SharedStores,
    'journeys' | 'submissions' | 'catalog' | 'appointments' | 'audit' | 'patients' | 'authorizations' | 'eligibilityChecks'
  > {
  /** A journey that finds no slot puts its patient in line for the first one that frees. */
  waitlist: WaitlistStore;
  now: () => Date;
}

const ACTOR = 'function:bookAppointment';

/**
 * Books the earliest slot for the submission's appointment type and preferences, or parks the stage for staff when
 * the horizon holds none or the type is not in the catalog. A booked visit that needs a prior authorization parks too,
 * its time held, until an approval covers its day (authorization-gate.ts): nothing is charged or confirmed before.
 * Safe to retry: the journey's existing appointment is returned, never a second one (the appointment item is keyed by
 * journey and written conditionally in the same transaction as its busy time).
 */
export async function bookAppointment(deps: BookAppointmentDeps, ref: JourneyRef): Promise<BookingResult> {
  const now = deps.now();
  const fields = { clinicId: ref.clinicId, journeyId: ref.journeyId, stage: 'SCHEDULING' };
  const journey = await deps.journeys.beginAttempt(ref);
  /** Booked: confirmed, unless it waits for a prior authorization. */
  const settle = async (
    appointment: AppointmentRecord,
    audit: AuditSession,
    catalog: ClinicCatalog,
    justBooked = false,
  ): Promise<BookingResult> => {
    // A visit cancelled meanwhile (by the desk, while the journey waited) stays so on the journey: payment and the
    // confirmation skip it, and it needs no authorization.
    const cancelled = appointment.status === 'CANCELLED';
    const held = cancelled ? undefined : await authorizationHoldOf(deps, appointment, catalog, audit, now, justBooked);
    const booked = { ...journeyAppointment(appointment), ...(cancelled ? { status: 'CANCELLED' as const } : {}) };
    const ids = { appointmentId: appointment.appointmentId };
    if (held) {
      await deps.journeys.updateStage(journey, 'SCHEDULING', { status: 'WAITING_FOR_STAFF', reason: held, appointment: booked }, now);
      log.info('Booked, awaiting prior authorization', { ...fields, outcome: 'AWAITING_AUTHORIZATION' });
      return { outcome: 'AWAITING_AUTHORIZATION', ...ids };
    }
    await deps.journeys.updateStage(journey, 'SCHEDULING', { status: 'COMPLETED', appointment: booked }, now);
    return { outcome: 'BOOKED', ...ids };
  };

  const existing = await deps.appointments.get(ref);
  if (existing) {
    // Booked by an earlier attempt, whose audit record was written before it booked; it may have stopped before the
    // patient who asked for earlier time was put in line.
    const audit = journeyAuditSession(deps.audit, ACTOR, journey, now);
    if (existing.status === 'BOOKED' && !(await deps.waitlist.get(ref.clinicId, entryIdOf(ref.clinicId, earlierTimeKey(ref.journeyId))))) {
      const { visit } = await deps.submissions.read(journey, audit, ['visit']);
      if (visit.preferences?.earliestPossible) await joinForEarlierTime(deps, ref, existing, visit.preferences, now);
    }
    log.info('Appointment already booked', { ...fields, outcome: 'BOOKED' });
    const catalog = await deps.catalog.load(ref.clinicId);
    if (!catalog) throw new Error(`Clinic ${ref.clinicId} has no catalog`);
    return settle(existing, audit, catalog);
  }

  // One audit record of both accesses, written before the first: a crash after either leaves it behind.
  const audit = journeyAuditSession(deps.audit, ACTOR, journey, now);
  await audit.before('submission.read', 'appointment.create');
  // The visit request only: the answers and history are not scheduling's business.
  const submission = await deps.submissions.read(journey, audit, ['visit']);
  const catalog = await deps.catalog.load(ref.clinicId);
  if (!catalog) throw new Error(`Clinic ${ref.clinicId} has no catalog`);
  const code = submission.visit.appointmentTypeCode;
  const requested = catalog.appointmentTypes.find((t) => t.code === code);
  if (!requested) {
    return noSlot(deps, journey, `Appointment type ${code} is not in the clinic's catalog`, now, audit);
  }
  // The physician's order decides the type (its procedure) and how long it may be booked for; without a valid one, a
  // type that requires it is not booked: staff obtain the order.
  const zones = zonesOf(catalog, requested, submission.visit.preferences ?? {});
  const decision = decideOrderedType(catalog, requested, orderOfRequest(submission.visit.physicianOrder), {
    receivedOn: localToday(new Date(journey.createdAt), zones),
    today: localToday(now, zones),
  });
  if (decision.kind === 'NEEDS_ORDER') {
    log.info('No valid physician order', { ...fields, outcome: 'NEEDS_ORDER' });
    return noSlot(deps, journey, decision.reason, now, audit);
  }
  const appointmentType = decision.type;
  const preferences = submission.visit.preferences ?? {};

  const result = await bookEarliestSlot(deps.appointments, {
    clinicId: ref.clinicId,
    journeyId: ref.journeyId,
    patientId: journey.patientId,
    catalog,
    appointmentType,
    preferences,
    now,
    bookedBy: ACTOR,
    ...(decision.order ? { order: decision.order } : {}),
    ...(decision.kind === 'ORDERED' ? { until: lastInstantOf(decision.validUntil, zonesOf(catalog, appointmentType, preferences)) } : {}),
  });
  if (result.outcome === 'NO_SLOT') {
    log.info('No slot within the horizon', { ...fields, outcome: 'NO_SLOT', count: result.attempts });
    // In line for the first time that frees (a cancellation, a move): an accepted offer books the journey's appointment.
    await joinWaitlist(
      { ...deps, now: () => now },
      { clinicId: ref.clinicId, actor: ACTOR },
      {
        patientId: journey.patientId,
        appointmentType: appointmentType.code,
        ...(preferences.locationId ? { locationId: preferences.locationId } : {}),
        ...(preferences.earliestDate ? { earliestDate: preferences.earliestDate } : {}),
        journeyId: ref.journeyId,
        requestKey: `journey:${ref.journeyId}`,
      },
    );
    const reason = `No ${appointmentType.name} slot within ${HORIZON_DAYS} days matching the patient's preferences: on the waitlist`;
    return noSlot(deps, journey, reason, now, audit);
  }
  if (preferences.earliestPossible) await joinForEarlierTime(deps, ref, result.appointment, preferences, now);
  log.info('Appointment booked', { ...fields, outcome: result.outcome, count: result.attempts });
  return settle(result.appointment, audit, catalog, result.outcome === 'BOOKED');
}

/** The waitlist entry of a journey whose patient wants earlier time than booked: one per journey. */
const earlierTimeKey = (journeyId: string) => `journey-earlier:${journeyId}`;

/**
 * Booked, and earlier is better (`earliestPossible`): in line for earlier time at the visit's location (a visit moves
 * within its location), not before the patient's earliest date; an accepted offer moves this booking.
 */
async function joinForEarlierTime(
  deps: BookAppointmentDeps,
  ref: JourneyRef,
  booked: AppointmentRecord,
  preferences: { earliestDate?: string },
  now: Date,
): Promise<void> {
  await joinWaitlist(
    { ...deps, now: () => now },
    { clinicId: ref.clinicId, actor: ACTOR },
    {
      patientId: booked.patientId,
      appointmentType: booked.appointmentType,
      locationId: booked.location.id,
      ...(preferences.earliestDate ? { earliestDate: preferences.earliestDate } : {}),
      journeyId: ref.journeyId,
      moves: { appointmentId: booked.appointmentId, start: booked.start },
      requestKey: earlierTimeKey(ref.journeyId),
    },
  );
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
