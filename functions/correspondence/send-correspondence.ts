import type { CorrespondenceRequest, CorrespondenceResult, JourneyRef } from '#contract/journey-workflow.ts';
import type { ClinicProfile } from '#model/clinic-catalog.ts';
import type { JourneyAttempt, JourneyRecord } from '#model/journey.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { amountDueNow } from '#model/patient-share.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import type { ComposedEmail } from '#shared/mail/compose-format.ts';
import type { CorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { type Mailer, wasNotSent } from '#shared/mail/mailer-port.ts';
import type { MessageRecord, MessageStore } from '#shared/mail/message-store.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { composeAppointmentConfirmation } from './compose-appointment-confirmation.ts';
import { composePaymentRequest } from './compose-payment-request.ts';

/** What sending correspondence needs: the journey, the patient, the clinic's profile, the message claims, the mail port, a clock. */
export interface SendCorrespondenceDeps extends Pick<SharedStores, 'journeys' | 'patients' | 'audit'> {
  /** The clinic's profile. */
  recipients: CorrespondenceStore;
  messages: MessageStore;
  mailer: Mailer;
  now: () => Date;
}

const ACTOR = 'function:sendCorrespondence';
export const NO_EMAIL_CONSENT_REASON = 'No email address or no consent to email: confirm the appointment by phone';
export const NO_EMAIL_PAYMENT_REASON = 'Payment outstanding and no consent to email: collect by phone or at the desk';
export const CANCELLED_REASON = 'The clinic cancelled the appointment before it was confirmed';
export const UNCERTAIN_DELIVERY_REASON = 'The confirmation email may not have been delivered: confirm the appointment by phone';

/** The message's name at the provider and in our claim: one per journey and kind. */
export function messageKey(journeyId: string, kind: CorrespondenceRequest['kind']): string {
  return `journey-${journeyId}-${kind}`;
}

/**
 * Sends the appointment confirmation (with its calendar invite) or the payment request, at most once. The message is
 * claimed with a conditional put before the mailer is called, so a retry, a redrive or a duplicate invocation finds
 * the claim and returns ALREADY_SENT without sending. The claim is released only when the provider certainly did not
 * accept the message (it answered with an error, or was never reached), so those failures are retried; after an
 * unknown outcome (a timeout) the claim stays, the email is not repeated, and staff are asked to confirm by phone.
 */
export async function sendCorrespondence(deps: SendCorrespondenceDeps, input: CorrespondenceRequest): Promise<CorrespondenceResult> {
  const request: CorrespondenceRequest = { clinicId: input.clinicId, journeyId: input.journeyId, kind: input.kind };
  const ref: JourneyRef = { clinicId: request.clinicId, journeyId: request.journeyId };
  const fields = { ...ref, stage: request.kind };
  const now = deps.now();

  const journey = await deps.journeys.beginAttempt(ref);
  // Nothing due: no request, and no patient data read (a run resumed after a park asks without knowing the payment).
  // A visit staff cancelled while the journey ran is neither confirmed nor billed.
  if (journey.appointment?.status === 'CANCELLED') {
    if (request.kind === 'APPOINTMENT_CONFIRMATION') {
      await deps.journeys.updateStage(journey, 'CONFIRMATION', { status: 'SKIPPED', reason: CANCELLED_REASON }, now);
    }
    log.info('Appointment cancelled: nothing sent', { ...fields, outcome: 'NOT_NEEDED' });
    return { outcome: 'NOT_NEEDED' };
  }
  if (request.kind === 'PAYMENT_REQUEST' && amountDueNow(journey.amounts).kind === 'NOTHING_DUE') {
    log.info('Nothing due: payment request not sent', { ...fields, outcome: 'NOT_NEEDED' });
    return { outcome: 'NOT_NEEDED' };
  }
  // The patient is read to write to them: one audit record of both, before the read. Whatever then stops the message
  // (no consent, sent already, the provider refused it) adds a `failure` record for the send.
  const audit = journeyAuditSession(deps.audit, ACTOR, journey, now);
  await audit.before('patient.read', 'message.send');
  // Minimum necessary: the address, the consent and the name the greeting uses. `failure` when missing.
  const patient = await deps.patients.read(journey, audit, ['firstName', 'email', 'communication']);

  if (!patient.email || patient.communication?.email === false) {
    await audit.failed('message.send');
    if (request.kind === 'APPOINTMENT_CONFIRMATION') {
      await deps.journeys.updateStage(journey, 'CONFIRMATION', { status: 'SKIPPED', reason: NO_EMAIL_CONSENT_REASON }, now);
    } else {
      await deps.journeys.updateStage(journey, 'PAYMENT', { status: 'COMPLETED', reason: NO_EMAIL_PAYMENT_REASON }, now);
    }
    log.info('Correspondence not sent', { ...fields, outcome: 'NO_CONSENT' });
    return { outcome: 'NO_CONSENT' };
  }

  const clinic = await deps.recipients.getClinicProfile(ref.clinicId);
  if (!clinic) throw new Error(`Clinic ${ref.clinicId} has no profile`);
  // Composed before the claim: a composition error (e.g. no appointment on the journey) then leaves nothing claimed.
  const composed = compose(request, journey, patient, clinic);

  const existing = await deps.messages.claim(request, now);
  if (existing) {
    // An earlier attempt, audited before it, sent it (or may have): not this one.
    await audit.failed('message.send');
    if (existing.status === 'SENT') await afterSent(deps, request, journey, now);
    else if (request.kind === 'APPOINTMENT_CONFIRMATION') await flagUncertain(deps, journey, existing, now);
    log.info('Correspondence already sent', { ...fields, outcome: 'ALREADY_SENT' });
    return { outcome: 'ALREADY_SENT' };
  }

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      ...composed,
      to: patient.email,
      replyTo: clinic.replyToEmail,
      idempotencyKey: messageKey(request.journeyId, request.kind),
    }));
  } catch (error) {
    if (wasNotSent(error)) {
      await deps.messages.release(request);
      await audit.failed('message.send');
    }
    log.warn('Correspondence send failed', { ...fields, errorName: (error as Error).name });
    throw error;
  }
  await deps.messages.markSent(request, messageId, now);
  await afterSent(deps, request, journey, now);
  log.info('Correspondence sent', { ...fields, outcome: 'SENT' });
  return { outcome: 'SENT' };
}

async function afterSent(deps: SendCorrespondenceDeps, request: CorrespondenceRequest, journey: JourneyAttempt, now: Date): Promise<void> {
  if (request.kind === 'APPOINTMENT_CONFIRMATION') await deps.journeys.updateStage(journey, 'CONFIRMATION', { status: 'COMPLETED' }, now);
}

function compose(
  request: CorrespondenceRequest,
  journey: JourneyRecord,
  patient: Pick<PatientRecord, 'firstName'>,
  clinic: ClinicProfile,
): ComposedEmail {
  const contact = { name: clinic.name, phone: clinic.phone };
  if (request.kind === 'APPOINTMENT_CONFIRMATION') {
    if (!journey.appointment) throw new Error(`Journey ${journey.journeyId} has no appointment to confirm`);
    return composeAppointmentConfirmation({ firstName: patient.firstName, clinic: contact, appointment: journey.appointment });
  }
  const due = amountDueNow(journey.amounts);
  if (due.kind === 'NOTHING_DUE') throw new Error('A payment request needs an amount due (checked before the patient is read)');
  return composePaymentRequest({
    firstName: patient.firstName,
    clinic: contact,
    amountDueCents: due.amountCents,
    appointment: journey.appointment,
  });
}

/** A claim still SENDING means an earlier attempt's outcome is unknown: say so where the front desk looks. */
async function flagUncertain(deps: SendCorrespondenceDeps, journey: JourneyAttempt, existing: MessageRecord, now: Date): Promise<void> {
  log.warn('Earlier send has an unknown outcome', {
    clinicId: journey.clinicId,
    journeyId: journey.journeyId,
    stage: existing.kind,
    outcome: existing.status,
  });
  await deps.journeys.updateStage(journey, 'CONFIRMATION', { status: 'COMPLETED', reason: UNCERTAIN_DELIVERY_REASON }, now);
}
