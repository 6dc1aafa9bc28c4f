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

type MessageRef = Pick<MessageRecord, 'clinicId' | 'journeyId' | 'kind'>;

/**
 * Claims the right to send with a conditional put. Returns undefined when this call won the claim, or the existing
 * record when someone (an earlier attempt, a concurrent duplicate) already holds it.
 */
export async function claimMessage(table: TableRef, ref: MessageRef, now: Date): Promise<MessageRecord | undefined> {
  const record: MessageRecord = { type: 'Message', ...ref, channel: 'email', status: 'SENDING', claimedAt: now.toISOString() };
  const claimed = await conditionHeld(
    table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.message(ref.clinicId, ref.journeyId, ref.kind), ...record },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  if (claimed) return undefined;
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.message(ref.clinicId, ref.journeyId, ref.kind), ConsistentRead: true }),
  );
  return (Item as MessageRecord | undefined) ?? record;
}

export async function markMessageSent(table: TableRef, ref: MessageRef, providerMessageId: string, now: Date): Promise<void> {
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.message(ref.clinicId, ref.journeyId, ref.kind),
      UpdateExpression: 'SET #status = :sent, sentAt = :at, providerMessageId = :id',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'SENT', ':at': now.toISOString(), ':id': providerMessageId },
    }),
  );
}

/** Gives the claim back after a send that certainly delivered nothing, so the workflow's retry can send. */
export async function releaseClaim(table: TableRef, ref: MessageRef): Promise<void> {
  await table.client.send(
    new DeleteCommand({
      TableName: table.tableName,
      Key: keys.message(ref.clinicId, ref.journeyId, ref.kind),
      ConditionExpression: '#status = :sending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sending': 'SENDING' },
    }),
  );
}
