/**
 * The payment processor as the payment stage needs it. Shaped after Stripe's PaymentIntents API (the real adapter),
 * but with nothing Stripe-specific in it. What crosses this port is amounts, a processor token and opaque IDs:
 * the processor signs no business associate agreement, so nothing clinical or identifying may ever be sent to it.
 */

export interface ChargeRequest {
  /** Integer, in the currency's smallest unit. */
  amountCents: number;
  currency: 'usd';
  /** The processor's token from client-side tokenization (never a card number). */
  paymentMethodToken: string;
  /** Same key → same outcome and at most one charge, however often the request is repeated (while the processor keeps the key). */
  idempotencyKey: string;
  /**
   * An opaque journey ID, so the processor's records can be matched to ours and findCharge can find the charge.
   * Never a name or anything clinical. Letters, digits, `-` and `_` only (see isProcessorReference).
   */
  reference: string;
}

export type ChargeResult = { status: 'succeeded'; chargeId: string } | { status: 'declined'; declineCode: string };

/** A charge the processor holds as paid: what findCharge returns. */
export interface FoundCharge {
  status: 'succeeded';
  chargeId: string;
  /** What the processor received, in cents (may differ from what we would charge today). */
  amountCents: number;
}

/** When charges for a reference were sent (recorded before each send): lets a lookup cover what a lagging index misses. */
export interface ChargeAttempts {
  first: Date;
  last: Date;
}

export interface RefundRequest {
  chargeId: string;
  idempotencyKey: string;
}

/**
 * The processor holds a charge for the reference whose outcome is not final (Stripe: `processing`,
 * `requires_capture`): the card may yet be charged. Neither charging again nor asking the patient to pay is safe, so
 * it is not retried automatically: the workflow parks the journey and a person looks at the processor.
 */
export class PaymentOutcomePendingError extends Error {
  override name = 'PaymentOutcomePending';
}

/** References the processor can be asked about without escaping: opaque tokens (journey IDs are UUIDs). */
const PROCESSOR_REFERENCE = /^[A-Za-z0-9_-]{1,100}$/;

export function isProcessorReference(reference: string): boolean {
  return PROCESSOR_REFERENCE.test(reference);
}

/**
 * Charges, lookups and refunds. A decline is a business outcome and is returned; a failure that may pass (network,
 * HTTP 5xx, 429) throws TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable); a charge in an
 * unfinished state throws PaymentOutcomePendingError; anything else throws Error.
 */
export interface PaymentProcessor {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * What the processor already holds for this reference, whatever our own records say: a succeeded charge (the
   * oldest, if there are several), or undefined when none succeeded (declined, cancelled or abandoned attempts are
   * not charges). Throws PaymentOutcomePendingError when a charge is in flight and none succeeded. Never charges.
   * `attempts` (when charges were sent) lets the adapter cover the window in which its search may not see them yet.
   */
  findCharge(reference: string, attempts?: ChargeAttempts): Promise<FoundCharge | undefined>;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
}
