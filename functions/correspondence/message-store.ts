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

/** The DynamoDB adapter of the message store. */
export function dynamoMessageStore(table: TableRef): MessageStore {
  const { client, tableName: TableName } = table;
  const key = (ref: MessageRef) => keys.message(ref.clinicId, ref.journeyId, ref.kind);
  return {
    async claim(ref, now) {
      const record: MessageRecord = { type: 'Message', ...ref, channel: 'email', status: 'SENDING', claimedAt: now.toISOString() };
      const claimed = await conditionHeld(
        client.send(new PutCommand({ TableName, Item: { ...key(ref), ...record }, ConditionExpression: 'attribute_not_exists(PK)' })),
      );
      if (claimed) return undefined;
      const { Item } = await client.send(new GetCommand({ TableName, Key: key(ref), ConsistentRead: true }));
      return (Item as MessageRecord | undefined) ?? record;
    },

    async markSent(ref, providerMessageId, now) {
      await client.send(
        new UpdateCommand({
          TableName,
          Key: key(ref),
          UpdateExpression: 'SET #status = :sent, sentAt = :at, providerMessageId = :id',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'SENT', ':at': now.toISOString(), ':id': providerMessageId },
        }),
      );
    },

    async release(ref) {
      await client.send(
        new DeleteCommand({
          TableName,
          Key: key(ref),
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'SENDING' },
        }),
      );
    },
  };
}
