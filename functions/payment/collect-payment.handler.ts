import { recordAudit } from '#shared/audit.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import type { JourneyRef, PaymentResult } from '#shared/journey-contract.ts';
import { getJourney, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { readSubmission } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import { amountDueNow, visitChargeIdempotencyKey } from './amount-due.ts';
import type { PaymentProcessor } from './payment-port.ts';
import { getPayment, type PaymentRecord, recordPayment } from './payment-store.ts';
import { stripePaymentAdapterFromEnv } from './stripe-payment-adapter.ts';

export interface CollectPaymentDeps {
  table: TableRef;
  payments: PaymentProcessor;
  now?: () => Date;
}

const ACTOR = 'function:collectPayment';
export const DECLINED_REASON = 'Card declined: patient asked to pay later';
export const NO_PAYMENT_METHOD_REASON = 'No card on file: patient asked to pay later';

/**
 * CollectPayment task: charges what the patient owes for the visit, once. The idempotency key derives from the
 * journey, so a Lambda retry, a Step Functions retry or a redrive reaches the processor with the same key and gets the
 * same answer instead of a second charge; a recorded outcome short-circuits before the processor is called at all.
 */
export function makeHandler(deps: CollectPaymentDeps) {
  const stageFor = async (ref: JourneyRef, record: PaymentRecord, now: Date): Promise<PaymentResult> => {
    if (record.status === 'PAID') {
      await updateStage(deps.table, ref, 'PAYMENT', { status: 'COMPLETED', amounts: { paidCents: record.amountCents } }, now);
      return { outcome: 'PAID' };
    }
    await updateStage(deps.table, ref, 'PAYMENT', { status: 'COMPLETED', reason: DECLINED_REASON }, now);
    return { outcome: 'DECLINED' };
  };

  return async (event: JourneyRef): Promise<PaymentResult> => {
    const ref: JourneyRef = { clinicId: event.clinicId, journeyId: event.journeyId };
    const now = deps.now?.() ?? new Date();
    const journey = await getJourney(deps.table, ref);
    if (!journey) throw new Error(`Journey ${ref.journeyId} not found`);

    const recorded = await getPayment(deps.table, ref.clinicId, ref.journeyId);
    if (recorded) {
      log.info('Payment already recorded', { ...ref, stage: 'PAYMENT', outcome: recorded.status });
      return stageFor(ref, recorded, now);
    }

    const due = amountDueNow(journey.amounts);
    if (due.kind === 'NOTHING_DUE') {
      await updateStage(deps.table, ref, 'PAYMENT', { status: 'COMPLETED' }, now);
      log.info('Nothing due', { ...ref, stage: 'PAYMENT', outcome: 'NOTHING_DUE' });
      return { outcome: 'NOTHING_DUE' };
    }

    // Only the token is read from the submission: answers and history stay where they are.
    const { paymentMethodToken: token } = await readSubmission(deps.table, journey, ACTOR, ['paymentMethodToken'], now);
    if (!token) {
      await updateStage(deps.table, ref, 'PAYMENT', { status: 'COMPLETED', reason: NO_PAYMENT_METHOD_REASON }, now);
      log.info('No payment method', { ...ref, stage: 'PAYMENT', outcome: 'NO_PAYMENT_METHOD' });
      return { outcome: 'NO_PAYMENT_METHOD' };
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
    return stageFor(ref, record, now);
  };
}

export const handler = makeHandler({
  table: { client: dynamo, tableName: requireEnv('tableName') },
  payments: stripePaymentAdapterFromEnv(),
});
