import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/keys.ts';
import { conditionHeld, type TableRef } from '#shared/table.ts';

/** The visit's charge attempt as recorded (keys.payment): the outcome and the processor's IDs, never card data. */
export interface PaymentRecord {
  type: 'Payment';
  clinicId: string;
  journeyId: string;
  status: 'PAID' | 'DECLINED';
  amountCents: number;
  currency: 'USD';
  /** The processor's ID of the charge (a Stripe PaymentIntent ID), when PAID. */
  chargeId?: string;
  /** The processor's reason, when DECLINED (e.g. generic_decline, insufficient_funds). */
  declineCode?: string;
  idempotencyKey: string;
  at: string;
}

export async function getPayment(table: TableRef, clinicId: string, journeyId: string): Promise<PaymentRecord | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.payment(clinicId, journeyId) }));
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...record } = Item;
  return record as PaymentRecord;
}

/**
 * Records the outcome once: the first write wins and a repeat (a retried task that charged again with the same
 * idempotency key, and so got the same answer) leaves it unchanged. Returns the record that is stored.
 */
export async function recordPayment(table: TableRef, record: PaymentRecord): Promise<PaymentRecord> {
  const written = await conditionHeld(
    table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.payment(record.clinicId, record.journeyId), ...record },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  return written ? record : ((await getPayment(table, record.clinicId, record.journeyId)) ?? record);
}
