import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '#contract/function-catalog.ts';
import type { CorrespondenceRequest, CorrespondenceResult, JourneyRef } from '#contract/journey-workflow.ts';
import type { ClinicProfile } from '#model/clinic-catalog.ts';
import type { JourneyAttempt, JourneyRecord } from '#model/journey.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { amountDueNow } from '#model/patient-share.ts';
import { recordAudit } from '#shared/audit-store.ts';
import { dynamo, ses } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import { composeAppointmentConfirmation } from './compose-appointment-confirmation.ts';
import type { ComposedEmail } from './compose-format.ts';
import { composePaymentRequest } from './compose-payment-request.ts';
import { type Mailer, wasNotSent } from './mailer-port.ts';
import { claimMessage, type MessageRecord, markMessageSent, releaseClaim } from './message-store.ts';
import { SesMailer } from './ses-mail-adapter.ts';

export interface SendCorrespondenceDeps {
  table: TableRef;
  mailer: Mailer;
  now?: () => Date;
}

const ACTOR = 'function:sendCorrespondence';
export const NO_EMAIL_CONSENT_REASON = 'No email address or no consent to email: confirm the appointment by phone';
export const NO_EMAIL_PAYMENT_REASON = 'Payment outstanding and no consent to email: collect by phone or at the desk';
export const UNCERTAIN_DELIVERY_REASON = 'The confirmation email may not have been delivered: confirm the appointment by phone';

/** The message's name at the provider and in our claim: one per journey and kind. */
export function messageKey(journeyId: string, kind: CorrespondenceRequest['kind']): string {
  return `journey-${journeyId}-${kind}`;
}

/**
 * SendConfirmation / SendPaymentRequest task. At-most-once: the message item is claimed with a conditional put
 * before SES is called, so a retry, a redrive or a duplicate invocation finds the claim and returns ALREADY_SENT
 * without sending. The claim is released only when SES certainly did not accept the message (it answered with an
 * error, or was never reached), so those failures are retried; after an unknown outcome (a timeout) the claim stays,
 * the email is not repeated, and staff are asked to confirm by phone instead.
 */
export function makeHandler(deps: SendCorrespondenceDeps) {
  const afterSent = async (request: CorrespondenceRequest, journey: JourneyAttempt, now: Date) => {
    if (request.kind === 'APPOINTMENT_CONFIRMATION') await updateStage(deps.table, journey, 'CONFIRMATION', { status: 'COMPLETED' }, now);
  };

  return async (event: CorrespondenceRequest): Promise<CorrespondenceResult> => {
    const request: CorrespondenceRequest = { clinicId: event.clinicId, journeyId: event.journeyId, kind: event.kind };
    const ref: JourneyRef = { clinicId: request.clinicId, journeyId: request.journeyId };
    const fields = { ...ref, stage: request.kind };
    const now = deps.now?.() ?? new Date();

    const journey = await beginAttempt(deps.table, ref);
    const patient = await readPatient(deps.table, journey, now);

    if (!patient.email || patient.communication?.email === false) {
      if (request.kind === 'APPOINTMENT_CONFIRMATION') {
        await updateStage(deps.table, journey, 'CONFIRMATION', { status: 'SKIPPED', reason: NO_EMAIL_CONSENT_REASON }, now);
      } else {
        await updateStage(deps.table, journey, 'PAYMENT', { status: 'COMPLETED', reason: NO_EMAIL_PAYMENT_REASON }, now);
      }
      log.info('Correspondence not sent', { ...fields, outcome: 'NO_CONSENT' });
      return { outcome: 'NO_CONSENT' };
    }

    const clinic = await readClinicProfile(deps.table, ref.clinicId);
    // Composed before the claim: a composition error (e.g. no appointment on the journey) then leaves nothing claimed.
    const composed = compose(request, journey, patient, clinic);
    if (!composed) {
      log.warn('Nothing due: payment request not sent', { ...fields, outcome: 'NOT_NEEDED' });
      return { outcome: 'NOT_NEEDED' };
    }

    const existing = await claimMessage(deps.table, request, now);
    if (existing) {
      if (existing.status === 'SENT') await afterSent(request, journey, now);
      else if (request.kind === 'APPOINTMENT_CONFIRMATION') await flagUncertain(deps.table, journey, existing, now);
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
      if (wasNotSent(error)) await releaseClaim(deps.table, request);
      log.warn('Correspondence send failed', { ...fields, errorName: (error as Error).name });
      throw error;
    }
    await markMessageSent(deps.table, request, messageId, now);
    await recordAudit(
      deps.table,
      {
        clinicId: ref.clinicId,
        actor: ACTOR,
        action: 'message.send',
        patientId: journey.patientId,
        journeyId: ref.journeyId,
        outcome: 'success',
      },
      now,
    );
    await afterSent(request, journey, now);
    log.info('Correspondence sent', { ...fields, outcome: 'SENT' });
    return { outcome: 'SENT' };
  };
}

async function readPatient(table: TableRef, journey: JourneyRecord, now: Date): Promise<PatientRecord> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.patient(journey.clinicId, journey.patientId) }),
  );
  await recordAudit(
    table,
    {
      clinicId: journey.clinicId,
      actor: ACTOR,
      action: 'patient.read',
      patientId: journey.patientId,
      journeyId: journey.journeyId,
      outcome: Item ? 'success' : 'failure',
    },
    now,
  );
  if (!Item) throw new Error(`Patient of journey ${journey.journeyId} not found`);
  return Item as PatientRecord;
}

/** The profile item alone (keys.clinic): name, phone and reply-to are all correspondence needs from the catalog. */
async function readClinicProfile(table: TableRef, clinicId: string): Promise<ClinicProfile> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.clinic(clinicId) }));
  if (!Item) throw new Error(`Clinic ${clinicId} has no profile`);
  return Item as ClinicProfile;
}

function compose(
  request: CorrespondenceRequest,
  journey: JourneyRecord,
  patient: PatientRecord,
  clinic: ClinicProfile,
): ComposedEmail | undefined {
  const contact = { name: clinic.name, phone: clinic.phone };
  if (request.kind === 'APPOINTMENT_CONFIRMATION') {
    if (!journey.appointment) throw new Error(`Journey ${journey.journeyId} has no appointment to confirm`);
    return composeAppointmentConfirmation({ firstName: patient.firstName, clinic: contact, appointment: journey.appointment });
  }
  const due = amountDueNow(journey.amounts);
  if (due.kind === 'NOTHING_DUE') return undefined;
  return composePaymentRequest({
    firstName: patient.firstName,
    clinic: contact,
    amountDueCents: due.amountCents,
    appointment: journey.appointment,
  });
}

/** A claim still SENDING means an earlier attempt's outcome is unknown: say so where the front desk looks. */
async function flagUncertain(table: TableRef, journey: JourneyAttempt, existing: MessageRecord, now: Date): Promise<void> {
  log.warn('Earlier send has an unknown outcome', {
    clinicId: journey.clinicId,
    journeyId: journey.journeyId,
    stage: existing.kind,
    outcome: existing.status,
  });
  await updateStage(table, journey, 'CONFIRMATION', { status: 'COMPLETED', reason: UNCERTAIN_DELIVERY_REASON }, now);
}

export const handler = withTransientAwsErrors(
  makeHandler({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    mailer: new SesMailer({
      client: ses,
      from: requireEnv('senderEmail'),
      // Optional: without a configuration set SES still sends, only without event publishing.
      configurationSetName: process.env[ENV.sesConfigurationSet] || undefined,
    }),
  }),
);
