import type { BookingResult, JourneyRef } from '#contract/journey-workflow.ts';
import type { AppointmentSummary, JourneyAttempt } from '#model/journey.ts';
import { type AppointmentRecord, getAppointment } from '#shared/appointment-store.ts';
import { recordAudit } from '#shared/audit-store.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { loadCatalog } from '#shared/catalog-store.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { readSubmission } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import { bookEarliestSlot } from './book-earliest.ts';
import { HORIZON_DAYS } from './find-slots.ts';

export interface BookAppointmentDeps {
  table: TableRef;
  now?: () => Date;
}

const ACTOR = 'function:bookAppointment';

/**
 * Journey task: books the earliest slot for the submission's appointment type and preferences, or parks the stage
 * for staff when the horizon holds none. Safe to retry: the journey's existing appointment is returned, never a
 * second one (the appointment item is keyed by journey and written conditionally in the same transaction).
 */
export function makeHandler(deps: BookAppointmentDeps) {
  const { table } = deps;
  return async (ref: JourneyRef): Promise<BookingResult> => {
    const now = deps.now?.() ?? new Date();
    const fields = { clinicId: ref.clinicId, journeyId: ref.journeyId, stage: 'SCHEDULING' };
    const journey = await beginAttempt(table, ref);
    const audit = (outcome: 'success' | 'failure') =>
      recordAudit(
        table,
        {
          clinicId: ref.clinicId,
          actor: ACTOR,
          action: 'appointment.create',
          journeyId: ref.journeyId,
          patientId: journey.patientId,
          outcome,
        },
        now,
      );

    const existing = await getAppointment(table, ref);
    if (existing) {
      // The stage is completed only after the audit, so an incomplete stage means the audit may be missing too.
      if (journey.stages.SCHEDULING?.status !== 'COMPLETED') await audit('success');
      await complete(table, journey, existing, now);
      log.info('Appointment already booked', { ...fields, outcome: 'BOOKED' });
      return { outcome: 'BOOKED', appointmentId: existing.appointmentId };
    }

    // The visit request only: the answers and history are not scheduling's business.
    const submission = await readSubmission(table, journey, ACTOR, ['visit'], now);
    const catalog = await loadCatalog(table, ref.clinicId);
    if (!catalog) throw new Error(`Clinic ${ref.clinicId} has no catalog`);
    const code = submission.visit.appointmentTypeCode;
    const appointmentType = catalog.appointmentTypes.find((t) => t.code === code);
    if (!appointmentType) {
      return noSlot(table, journey, `Appointment type ${code} is not in the clinic's catalog`, now, () => audit('failure'));
    }

    const result = await bookEarliestSlot(table, {
      clinicId: ref.clinicId,
      journeyId: ref.journeyId,
      patientId: journey.patientId,
      catalog,
      appointmentType,
      preferences: submission.visit.preferences ?? {},
      now,
    });
    if (result.outcome === 'NO_SLOT') {
      log.info('No slot within the horizon', { ...fields, outcome: 'NO_SLOT', count: result.attempts });
      return noSlot(
        table,
        journey,
        `No ${appointmentType.name} slot within ${HORIZON_DAYS} days matching the patient's preferences`,
        now,
        () => audit('failure'),
      );
    }
    // Audited before the stage update: a crash in between repeats the audit on retry rather than losing it.
    await audit('success');
    await complete(table, journey, result.appointment, now);
    log.info('Appointment booked', { ...fields, outcome: result.outcome, count: result.attempts });
    return { outcome: 'BOOKED', appointmentId: result.appointment.appointmentId };
  };
}

async function complete(table: TableRef, ref: JourneyAttempt, appointment: AppointmentRecord, now: Date): Promise<void> {
  await updateStage(table, ref, 'SCHEDULING', { status: 'COMPLETED', appointment: toSummary(appointment) }, now);
}

async function noSlot(table: TableRef, ref: JourneyAttempt, reason: string, now: Date, audit: () => Promise<void>): Promise<BookingResult> {
  await audit();
  await updateStage(table, ref, 'SCHEDULING', { status: 'WAITING_FOR_STAFF', reason }, now);
  return { outcome: 'NO_SLOT' };
}

/** The front-desk view only: drops the item's bookkeeping (patient, resource list, status). */
function toSummary(record: AppointmentRecord): AppointmentSummary {
  const { appointmentId, appointmentType, start, end, timeZone, location, department, provider, resource } = record;
  return { appointmentId, appointmentType, start, end, timeZone, location, department, provider, ...(resource ? { resource } : {}) };
}

export const handler = withTransientAwsErrors(makeHandler({ table: { client: dynamo, tableName: requireEnv('tableName') } }));
