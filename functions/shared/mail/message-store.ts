import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CorrespondenceKind } from '#contract/journey-workflow.ts';
import { keys } from '#shared/keys.ts';
import { conditionHeld, type TableRef } from '#shared/table.ts';

/**
 * One item per journey and kind of message (keys.message): the claim that makes sending at-most-once. It records
 * that and when a message went out and SES's MessageId, never the address or the content.
 */
export interface MessageRecord {
  type: 'Message';
  clinicId: string;
  journeyId: string;
  kind: CorrespondenceKind;
  channel: 'email';
  /** SENDING: claimed, and the send is in flight or ended with an unknown outcome. */
  status: 'SENDING' | 'SENT';
  claimedAt: string;
  sentAt?: string;
  providerMessageId?: string;
}

export type MessageRef = Pick<MessageRecord, 'clinicId' | 'journeyId' | 'kind'>;

/** The message claims' port (keys.message): what makes each journey's message of a kind go out at most once. */
export interface MessageStore {
  /**
   * Claims the right to send with a conditional put. Returns undefined when this call won the claim, or the existing
   * record when someone (an earlier attempt, a concurrent duplicate) already holds it.
   */
  claim(ref: MessageRef, now: Date): Promise<MessageRecord | undefined>;
  /** Records that the provider accepted the message, with its ID. */
  markSent(ref: MessageRef, providerMessageId: string, now: Date): Promise<void>;
  /** Gives the claim back after a send that certainly delivered nothing, so the workflow's retry can send. */
  release(ref: MessageRef): Promise<void>;
}

/** A message about an appointment after its booking: one per appointment and revision (what changed is the revision's). */
export interface AppointmentMessageRef {
  clinicId: string;
  appointmentId: string;
  revision: number;
}

/** The claims of appointment messages (keys.appointmentMessage): each revision's message goes out at most once. */
export interface AppointmentMessageStore {
  claim(ref: AppointmentMessageRef, now: Date): Promise<{ status: MessageRecord['status'] } | undefined>;
  markSent(ref: AppointmentMessageRef, providerMessageId: string, now: Date): Promise<void>;
  release(ref: AppointmentMessageRef): Promise<void>;
}

/** The DynamoDB adapter of the message store. */
export function dynamoMessageStore(table: TableRef): MessageStore {
  return messageClaims(
    table,
    (ref: MessageRef) => keys.message(ref.clinicId, ref.journeyId, ref.kind),
    (ref) => ({
      type: 'Message',
      ...ref,
      channel: 'email',
    }),
  ) as MessageStore;
}

/** The DynamoDB adapter of the appointment message store. */
export function dynamoAppointmentMessageStore(table: TableRef): AppointmentMessageStore {
  return messageClaims(
    table,
    (ref: AppointmentMessageRef) => keys.appointmentMessage(ref.clinicId, ref.appointmentId, ref.revision),
    (ref) => ({ type: 'AppointmentMessage', ...ref, channel: 'email' }),
  );
}

/** The claims of waitlist offers' emails (keys.waitlistOfferMessage): each offer goes out at most once. */
export function dynamoOfferMessageStore(table: TableRef) {
  return messageClaims(
    table,
    (ref: { clinicId: string; offerId: string }) => keys.waitlistOfferMessage(ref.clinicId, ref.offerId),
    (ref) => ({ type: 'OfferMessage', ...ref, channel: 'email' }),
  );
}

/**
 * Claims keyed by `keyOf`: a conditional put claims (undefined: this call won; else the record found), `markSent`
 * records the provider's ID, `release` gives back a claim still SENDING. Never the address or the content.
 */
function messageClaims<R>(table: TableRef, keyOf: (ref: R) => { PK: string; SK: string }, recordOf: (ref: R) => Record<string, unknown>) {
  const { client, tableName: TableName } = table;
  return {
    async claim(ref: R, now: Date) {
      const record = { ...recordOf(ref), status: 'SENDING' as const, claimedAt: now.toISOString() };
      const claimed = await conditionHeld(
        client.send(new PutCommand({ TableName, Item: { ...keyOf(ref), ...record }, ConditionExpression: 'attribute_not_exists(PK)' })),
      );
      if (claimed) return undefined;
      const { Item } = await client.send(new GetCommand({ TableName, Key: keyOf(ref), ConsistentRead: true }));
      return (Item as (typeof record & { status: MessageRecord['status'] }) | undefined) ?? record;
    },
    async markSent(ref: R, providerMessageId: string, now: Date) {
      await client.send(
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET #status = :sent, sentAt = :at, providerMessageId = :id',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'SENT', ':at': now.toISOString(), ':id': providerMessageId },
        }),
      );
    },
    async release(ref: R) {
      await client.send(
        new DeleteCommand({
          TableName,
          Key: keyOf(ref),
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'SENDING' },
        }),
      );
    },
  };
}
