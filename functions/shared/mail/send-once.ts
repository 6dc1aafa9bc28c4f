import type { AuditSession } from '#shared/audit.ts';
import { type Mailer, type OutgoingEmail, wasNotSent } from './mailer-port.ts';

/** The claims of one kind of message (message-store.ts): `claim` answers undefined when this call won it. */
export interface MessageClaims<R> {
  claim(ref: R, now: Date): Promise<unknown>;
  markSent(ref: R, providerMessageId: string, now: Date): Promise<void>;
  release(ref: R): Promise<void>;
}

/**
 * Sends an email at most once: the message is claimed first (a claim held already answers ALREADY_SENT, and the send
 * the audit session announced is recorded as not made), marked sent with the provider's ID, and released only when the
 * provider certainly took nothing, so the caller's retry sends it; after an unknown outcome the claim stays.
 */
export async function sendOnce<R>(
  claims: MessageClaims<R>,
  ref: R,
  mailer: Mailer,
  email: OutgoingEmail,
  audit: AuditSession,
  now: Date,
): Promise<'SENT' | 'ALREADY_SENT'> {
  if (await claims.claim(ref, now)) {
    await audit.failed('message.send');
    return 'ALREADY_SENT';
  }
  try {
    const { messageId } = await mailer.send(email);
    await claims.markSent(ref, messageId, now);
  } catch (error) {
    if (wasNotSent(error)) {
      await claims.release(ref);
      await audit.failed('message.send');
    }
    throw error;
  }
  return 'SENT';
}
