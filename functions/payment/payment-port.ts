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
  /** Same key → same outcome and at most one charge, however often the request is repeated. */
  idempotencyKey: string;
  /** An opaque journey ID, so the processor's records can be matched to ours. Never a name or anything clinical. */
  reference: string;
}

export type ChargeResult = { status: 'succeeded'; chargeId: string } | { status: 'declined'; declineCode: string };

export interface RefundRequest {
  chargeId: string;
  idempotencyKey: string;
}

/**
 * Charges and refunds. A decline is a business outcome and is returned; a failure that may pass (network, HTTP 5xx,
 * 429) throws TransientDependencyError(TRANSIENT_ERRORS.paymentProcessorUnavailable); anything else throws Error.
 */
export interface PaymentProcessor {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
}
