import type { CollectPaymentMode, CollectPaymentRequest, JourneyRef, PaymentResult } from '#contract/journey-workflow.ts';
import type { JourneyAttempt } from '#model/journey.ts';
import { amountDueNow, visitChargeIdempotencyKey } from '#model/patient-share.ts';
import { recordAudit } from '#shared/audit-store.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { beginAttempt, type StageUpdate, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { readSubmission } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import type { ChargeAttempts, FoundCharge, PaymentProcessor } from './payment-port.ts';
import { getPayment, type PaymentRecord, readPayment, recordChargeAttempt, recordPayment } from './payment-store.ts';
import { stripePaymentAdapterFromEnv } from './stripe-payment-adapter.ts';

export interface CollectPaymentDeps {
  table: TableRef;
  payments: PaymentProcessor;
  now?: () => Date;
}

const ACTOR = 'function:collectPayment';
export const DECLINED_REASON = 'Card declined: patient asked to pay later';
export const NO_PAYMENT_METHOD_REASON = 'No card on file: patient asked to pay later';
/** Same words as staff's PROCEED at payment (functions/journey/staff-decision.ts). */
export const DEFERRED_REASON = 'Staff chose to continue without payment: the patient is asked to pay later.';

/** How the stage ends: the one input of the one place that writes it. */
type Settlement =
  | { outcome: 'PAID'; paidCents: number }
  | { outcome: 'DECLINED' | 'NO_PAYMENT_METHOD' | 'DEFERRED'; reason: string }
  | { outcome: 'NOTHING_DUE' };

/** A recorded outcome as the stage's end. Deferring after a decline: nothing new to learn, the patient pays later. */
const fromRecord = (record: PaymentRecord, mode: CollectPaymentMode): Settlement => {
  if (record.status === 'PAID') return { outcome: 'PAID', paidCents: record.amountCents };
  return { outcome: mode === 'DEFER' ? 'DEFERRED' : 'DECLINED', reason: DECLINED_REASON };
};

/**
 * CollectPayment task: charges what the patient owes for the visit, once, and never tells a patient who paid that
 * they owe. Before any charge and before any "pay later" outcome it asks the processor what it already holds for
 * the journey (findCharge) and records a charge it finds instead of charging: a charge whose answer was lost (a
 * dropped connection, a 5xx after charging) is found there, also after the processor has forgotten the idempotency
 * key (24 h). The idempotency key derives from the journey, so a Lambda retry, a Step Functions retry or a redrive
 * reaches the processor with the same key; a recorded outcome short-circuits before the processor is called at all.
 * Each charge request is noted on the payment item before it is sent, so a lookup knows how recent a charge may be.
 * A charge the processor holds as unfinished throws PaymentOutcomePending: a person looks (no retry charges).
 */
export function makeHandler(deps: CollectPaymentDeps) {
  /** The one place the PAYMENT stage is written. */
  const settle = async (journey: JourneyAttempt, settlement: Settlement, now: Date): Promise<PaymentResult> => {
    const update: StageUpdate = {
      status: 'COMPLETED',
      ...('reason' in settlement ? { reason: settlement.reason } : {}),
      ...(settlement.outcome === 'PAID' ? { amounts: { paidCents: settlement.paidCents } } : {}),
    };
    await updateStage(deps.table, journey, 'PAYMENT', update, now);
    log.info('Payment stage completed', {
      clinicId: journey.clinicId,
      journeyId: journey.journeyId,
      stage: 'PAYMENT',
      outcome: settlement.outcome,
    });
    return { outcome: settlement.outcome };
  };

  /** Records a charge the processor holds (its answer to us was lost) as PAID, and audits it. */
  const recordFound = async (
    ref: JourneyRef,
    patientId: string,
    found: FoundCharge,
    attempts: ChargeAttempts | undefined,
    now: Date,
  ): Promise<PaymentRecord> => {
    const record = await recordPayment(deps.table, {
      type: 'Payment',
      clinicId: ref.clinicId,
      journeyId: ref.journeyId,
      status: 'PAID',
      amountCents: found.amountCents,
      currency: 'USD',
      chargeId: found.chargeId,
      idempotencyKey: visitChargeIdempotencyKey(ref.journeyId),
      via: 'lookup',
      ...(attempts ? { firstAttemptAt: attempts.first.toISOString(), lastAttemptAt: attempts.last.toISOString() } : {}),
      at: now.toISOString(),
    });
    await recordAudit(
      deps.table,
      { clinicId: ref.clinicId, actor: ACTOR, action: 'payment.charge', patientId, journeyId: ref.journeyId, outcome: 'success' },
      now,
    );
    log.info('Charge found at the processor; recorded without charging', { ...ref, stage: 'PAYMENT', outcome: record.status });
    return record;
  };

  return async (event: CollectPaymentRequest): Promise<PaymentResult> => {
    const ref: JourneyRef = { clinicId: event.clinicId, journeyId: event.journeyId };
    const mode = event.mode ?? 'CHARGE';
    if (mode !== 'CHARGE' && mode !== 'DEFER') throw new Error(`Unknown payment mode ${String(mode)}`);
    const now = deps.now?.() ?? new Date();
    const journey = await beginAttempt(deps.table, ref);

    const { recorded, attempts } = await readPayment(deps.table, ref.clinicId, ref.journeyId);
    if (recorded) {
      log.info('Payment already recorded', { ...ref, stage: 'PAYMENT', outcome: recorded.status });
      return settle(journey, fromRecord(recorded, mode), now);
    }

    const due = amountDueNow(journey.amounts);
    if (due.kind === 'NOTHING_DUE') return settle(journey, { outcome: 'NOTHING_DUE' }, now);

    if (mode === 'DEFER') {
      // No card is read and nothing is charged: only what the processor already holds decides.
      const found = await deps.payments.findCharge(ref.journeyId, attempts);
      if (found) return settle(journey, fromRecord(await recordFound(ref, journey.patientId, found, attempts, now), mode), now);
      return settle(journey, { outcome: 'DEFERRED', reason: DEFERRED_REASON }, now);
    }

    // Only the token is read from the submission: answers and history stay where they are.
    const { paymentMethodToken: token } = await readSubmission(deps.table, journey, ACTOR, ['paymentMethodToken'], now);
    // No token, no charge was ever sent for this journey (the submission is written once, at intake).
    if (!token) return settle(journey, { outcome: 'NO_PAYMENT_METHOD', reason: NO_PAYMENT_METHOD_REASON }, now);

    const found = await deps.payments.findCharge(ref.journeyId, attempts);
    if (found) return settle(journey, fromRecord(await recordFound(ref, journey.patientId, found, attempts, now), mode), now);

    if (!(await recordChargeAttempt(deps.table, ref.clinicId, ref.journeyId, now))) {
      // A concurrent attempt recorded the outcome between our read and now: it stands.
      const concurrent = await getPayment(deps.table, ref.clinicId, ref.journeyId);
      if (!concurrent) throw new Error(`Payment of journey ${ref.journeyId} is neither open nor recorded`);
      return settle(journey, fromRecord(concurrent, mode), now);
    }
    const idempotencyKey = visitChargeIdempotencyKey(ref.journeyId);
    const charge = await deps.payments.charge({
      amountCents: due.amountCents,
      currency: 'usd',
      paymentMethodToken: token,
      idempotencyKey,
      reference: ref.journeyId,
    });
    const record = await recordPayment(deps.table, {
      type: 'Payment',
      clinicId: ref.clinicId,
      journeyId: ref.journeyId,
      amountCents: due.amountCents,
      currency: 'USD',
      idempotencyKey,
      via: 'charge',
      firstAttemptAt: (attempts?.first ?? now).toISOString(),
      lastAttemptAt: now.toISOString(),
      at: now.toISOString(),
      ...(charge.status === 'succeeded'
        ? { status: 'PAID', chargeId: charge.chargeId }
        : { status: 'DECLINED', declineCode: charge.declineCode }),
    });
    await recordAudit(
      deps.table,
      {
        clinicId: ref.clinicId,
        actor: ACTOR,
        action: 'payment.charge',
        patientId: journey.patientId,
        journeyId: ref.journeyId,
        outcome: record.status === 'PAID' ? 'success' : 'failure',
      },
      now,
    );
    log.info('Payment collected', { ...ref, stage: 'PAYMENT', outcome: record.status });
    return settle(journey, fromRecord(record, mode), now);
  };
}

export const handler = withTransientAwsErrors(
  makeHandler({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    payments: stripePaymentAdapterFromEnv(),
  }),
);
