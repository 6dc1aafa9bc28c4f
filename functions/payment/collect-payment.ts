import type { CollectPaymentMode, JourneyRef, PaymentResult } from '#contract/journey-workflow.ts';
import type { JourneyAttempt } from '#model/journey.ts';
import { amountDueNow, visitChargeIdempotencyKey } from '#model/patient-share.ts';
import { type AuditSession, journeyAuditSession } from '#shared/audit.ts';
import type { StageUpdate } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import type { ChargeAttempts, FoundCharge, PaymentProcessor } from './payment-port.ts';
import type { PaymentRecord, PaymentStore } from './payment-store.ts';

/** What collecting a payment needs: the stores it reads and writes, the processor and a clock. */
export interface CollectPaymentDeps extends Pick<SharedStores, 'journeys' | 'submissions' | 'audit'> {
  /** Our record of the visit's charge. */
  payments: PaymentStore;
  /** The payment processor (Stripe). */
  processor: PaymentProcessor;
  now: () => Date;
}

export type CollectPaymentInput = JourneyRef & { mode: CollectPaymentMode };

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
 * Charges what the patient owes for the visit, once, and never tells a patient who paid that they owe (CHARGE); or,
 * after staff PROCEED at a payment park, records only what the processor already holds (DEFER, never charges).
 * Before any charge and before any "pay later" outcome it asks the processor what it already holds for the journey
 * (findCharge) and records a charge it finds instead of charging: a charge whose answer was lost (a dropped
 * connection, a 5xx after charging) is found there, also after the processor has forgotten the idempotency key
 * (24 h). The idempotency key derives from the journey, so a Lambda retry, a Step Functions retry or a redrive reaches
 * the processor with the same key; a recorded outcome short-circuits before the processor is called at all. Each
 * charge request is noted on the payment item before it is sent, so a lookup knows how recent a charge may be. A
 * charge the processor holds as unfinished throws PaymentOutcomePending: a person looks (no retry charges).
 */
export async function collectPayment(deps: CollectPaymentDeps, input: CollectPaymentInput): Promise<PaymentResult> {
  const ref: JourneyRef = { clinicId: input.clinicId, journeyId: input.journeyId };
  const { mode } = input;
  const now = deps.now();
  const journey = await deps.journeys.beginAttempt(ref);
  const audit = journeyAuditSession(deps.audit, ACTOR, journey, now);
  const settle = (settlement: Settlement) => settleStage(deps, journey, settlement, now);
  const settleFound = async (found: FoundCharge, attempts: ChargeAttempts | undefined) =>
    settle(fromRecord(await recordFound(deps, ref, audit, found, attempts, now), mode));

  const { recorded, attempts } = await deps.payments.read(ref);
  if (recorded) {
    log.info('Payment already recorded', { ...ref, stage: 'PAYMENT', outcome: recorded.status });
    return settle(fromRecord(recorded, mode));
  }

  const due = amountDueNow(journey.amounts);
  // Nothing is charged for a visit staff cancelled while the journey ran.
  if (due.kind === 'NOTHING_DUE' || journey.appointment?.status === 'CANCELLED') return settle({ outcome: 'NOTHING_DUE' });

  if (mode === 'DEFER') {
    // No card is read and nothing is charged: only what the processor already holds decides.
    const found = await deps.processor.findCharge(ref.journeyId, attempts);
    if (found) return settleFound(found, attempts);
    return settle({ outcome: 'DEFERRED', reason: DEFERRED_REASON });
  }

  // The token is read to charge it: one audit record of both, written before the read.
  await audit.before('submission.read', 'payment.charge');
  // Only the token is read from the submission: answers and history stay where they are.
  const { paymentMethodToken: token } = await deps.submissions.read(journey, audit, ['paymentMethodToken']);
  // No token, no charge was ever sent for this journey (the submission is written once, at intake).
  if (!token) {
    await audit.failed('payment.charge');
    return settle({ outcome: 'NO_PAYMENT_METHOD', reason: NO_PAYMENT_METHOD_REASON });
  }

  const found = await deps.processor.findCharge(ref.journeyId, attempts);
  if (found) return settleFound(found, attempts);

  if (!(await deps.payments.noteChargeAttempt(ref, now))) {
    // A concurrent attempt recorded the outcome between our read and now: it stands.
    const concurrent = await deps.payments.get(ref);
    if (!concurrent) throw new Error(`Payment of journey ${ref.journeyId} is neither open nor recorded`);
    return settle(fromRecord(concurrent, mode));
  }
  const idempotencyKey = visitChargeIdempotencyKey(ref.journeyId);
  const charge = await deps.processor.charge({
    amountCents: due.amountCents,
    currency: 'usd',
    paymentMethodToken: token,
    idempotencyKey,
    reference: ref.journeyId,
  });
  const record = await deps.payments.record({
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
  if (record.status !== 'PAID') await audit.failed('payment.charge');
  log.info('Payment collected', { ...ref, stage: 'PAYMENT', outcome: record.status });
  return settle(fromRecord(record, mode));
}

/** The one place the PAYMENT stage is written. */
async function settleStage(deps: CollectPaymentDeps, journey: JourneyAttempt, settlement: Settlement, now: Date): Promise<PaymentResult> {
  const update: StageUpdate = {
    status: 'COMPLETED',
    ...('reason' in settlement ? { reason: settlement.reason } : {}),
    ...(settlement.outcome === 'PAID' ? { amounts: { paidCents: settlement.paidCents } } : {}),
  };
  await deps.journeys.updateStage(journey, 'PAYMENT', update, now);
  log.info('Payment stage completed', {
    clinicId: journey.clinicId,
    journeyId: journey.journeyId,
    stage: 'PAYMENT',
    outcome: settlement.outcome,
  });
  return { outcome: settlement.outcome };
}

/** Records a charge the processor holds (its answer to us was lost) as PAID, audited before it is recorded. */
async function recordFound(
  deps: CollectPaymentDeps,
  ref: JourneyRef,
  audit: AuditSession,
  found: FoundCharge,
  attempts: ChargeAttempts | undefined,
  now: Date,
): Promise<PaymentRecord> {
  // Written already when this invocation read the token to charge; a record of its own when it only looked up (DEFER).
  await audit.before('payment.charge');
  const record = await deps.payments.record({
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
  log.info('Charge found at the processor; recorded without charging', { ...ref, stage: 'PAYMENT', outcome: record.status });
  return record;
}
