/** Outgoing email as correspondence needs it; the adapter (ses-mail-adapter.ts) turns it into the provider's request. */

export interface EmailAttachment {
  filename: string;
  /** e.g. `text/calendar; method=PUBLISH; charset=utf-8` */
  contentType: string;
  content: string | Uint8Array;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  attachments?: EmailAttachment[];
  /**
   * Names this message (e.g. journey + kind). Email providers offer no idempotency, so the caller's claim
   * (send-correspondence.ts) is what prevents a second send; the adapter passes the key along for tracing.
   */
  idempotencyKey: string;
}

/**
 * Sends one email. Throws TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable) for throttling and provider
 * outages, Error otherwise; either may carry `notSent: true` (see `markNotSent`) when the provider certainly did not
 * accept the message, so the caller may release its claim and let a retry send it.
 */
export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** Marks an error as "the provider did not accept the message" (it answered with an error, or was never reached). */
export function markNotSent<E extends Error>(error: E): E & { notSent: true } {
  return Object.assign(error, { notSent: true as const });
}

/** True when the failed send certainly delivered nothing; false when the outcome is unknown (e.g. a timeout). */
export function wasNotSent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { notSent?: unknown }).notSent === true;
}
