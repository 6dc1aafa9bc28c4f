import type { AppointmentChangedDetail } from '#contract/appointment-events.ts';
import { journeyAppointment } from '#model/journey.ts';
import { auditSession } from '#shared/audit.ts';
import type { CorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import type { Mailer } from '#shared/mail/mailer-port.ts';
import type { AppointmentMessageStore } from '#shared/mail/message-store.ts';
import { sendOnce } from '#shared/mail/send-once.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { composeAppointmentChange } from './compose-appointment-change.ts';
import { composeAppointmentConfirmation } from './compose-appointment-confirmation.ts';

export interface NotifyAppointmentChangeDeps extends Pick<SharedStores, 'appointments' | 'patients' | 'audit'> {
  recipients: CorrespondenceStore;
  messages: AppointmentMessageStore;
  mailer: Mailer;
  now: () => Date;
}

const ACTOR = 'function:notifyAppointmentChange';

export type NotifyOutcome = 'SENT' | 'ALREADY_SENT' | 'NO_CONSENT' | 'NOT_NEEDED' | 'STALE';

/** Whether a change after `revision` (history entry `revision` is the change to revision + 1) will tell the patient itself. */
function supersededAfter(history: ReadonlyArray<{ change: string }>, revision: number): boolean {
  return history.slice(revision).some((entry) => entry.change === 'reschedule' || entry.change === 'cancel');
}

/** The message's name at the provider: one per appointment and revision. */
export const appointmentMessageKey = (appointmentId: string, revision: number) => `appointment-${appointmentId}-${revision}`;

/**
 * Tells the patient about an AppointmentChanged event (contract/appointment-events.ts): a booking staff made (the
 * confirmation), a new time or a cancellation, by email with the calendar update, at most once per appointment
 * revision (claimed before sending, as sendCorrespondence does). An event followed by a later new time or cancellation
 * is not told: that change's own event tells the patient how things stand (a check-in or completion since changes
 * nothing the patient was told). No email address or no consent to email: nothing is sent (the desk tells the patient
 * in person or by phone).
 */
export async function notifyAppointmentChange(deps: NotifyAppointmentChangeDeps, event: AppointmentChangedDetail): Promise<NotifyOutcome> {
  const fields = { clinicId: event.clinicId, stage: event.change };
  if (event.change === 'book' && event.origin === 'journey') return 'NOT_NEEDED';
  const appointment = await deps.appointments.getById(event.clinicId, event.appointmentId);
  if (!appointment || supersededAfter(appointment.history ?? [], event.revision)) {
    log.info('Appointment moved on since the event: not told', { ...fields, outcome: 'STALE' });
    return 'STALE';
  }
  const now = deps.now();
  const subject = {
    clinicId: event.clinicId,
    actor: ACTOR,
    patientId: appointment.patientId,
    ...(appointment.journeyId ? { journeyId: appointment.journeyId } : {}),
  };
  const audit = auditSession(deps.audit, subject, now);
  await audit.before('patient.read', 'message.send');
  const patient = await deps.patients.read(
    { clinicId: event.clinicId, patientId: appointment.patientId, journeyId: appointment.journeyId },
    audit,
    ['firstName', 'email', 'communication'],
  );
  if (!patient.email || patient.communication?.email === false) {
    await audit.failed('message.send');
    log.info('Appointment change not emailed', { ...fields, outcome: 'NO_CONSENT' });
    return 'NO_CONSENT';
  }
  const clinic = await deps.recipients.getClinicProfile(event.clinicId);
  if (!clinic) throw new Error(`Clinic ${event.clinicId} has no profile`);
  const contact = { name: clinic.name, phone: clinic.phone };
  const summary = journeyAppointment(appointment);
  const composed =
    event.change === 'book'
      ? composeAppointmentConfirmation({ firstName: patient.firstName, clinic: contact, appointment: summary })
      : composeAppointmentChange({
          firstName: patient.firstName,
          clinic: contact,
          appointment: summary,
          change: event.change === 'reschedule' ? 'reschedule' : 'cancel',
          revision: event.revision,
          ...(event.change === 'reschedule' ? { previousStart: appointment.history?.[event.revision - 1]?.from?.start } : {}),
        });

  const ref = { clinicId: event.clinicId, appointmentId: event.appointmentId, revision: event.revision };
  const email = {
    ...composed,
    to: patient.email,
    replyTo: clinic.replyToEmail,
    idempotencyKey: appointmentMessageKey(event.appointmentId, event.revision),
  };
  try {
    const outcome = await sendOnce(deps.messages, ref, deps.mailer, email, audit, now);
    log.info(outcome === 'SENT' ? 'Appointment change told' : 'Appointment change already told', { ...fields, outcome });
    return outcome;
  } catch (error) {
    log.warn('Appointment change email failed', { ...fields, errorName: (error as Error).name });
    throw error;
  }
}
