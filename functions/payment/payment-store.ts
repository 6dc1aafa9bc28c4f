import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import { keys } from '#shared/keys.ts';
import { conditionHeld, type TableRef } from '#shared/table.ts';
import type { ChargeAttempts } from './payment-port.ts';

/** The visit's charge outcome as recorded (keys.payment): the outcome and the processor's IDs, never card data. */
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
  /**
   * How the outcome was learned: the answer to our charge request, or a lookup at the processor that found the
   * charge after its answer was lost (a dropped connection, a 5xx after charging).
   */
  via?: 'charge' | 'lookup';
  /** When charge requests were sent (ISO), kept with the outcome. */
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  at: string;
}

/**
 * The payment item as read: the outcome once there is one, and when charge requests were sent before it (the item
 * exists with attempts and no status while an outcome is unknown).
 */
export interface PaymentState {
  recorded?: PaymentRecord;
  attempts?: ChargeAttempts;
}

/** The payment item's port (keys.payment): one charge outcome per journey, written once. */
export interface PaymentStore {
  /** The payment item (strongly consistent): the recorded outcome, if any, and when charge requests were sent. */
  read(ref: JourneyRef): Promise<PaymentState>;
  /** The recorded outcome, if any. */
  get(ref: JourneyRef): Promise<PaymentRecord | undefined>;
  /**
   * Notes that a charge request is about to be sent, before it is sent: a later lookup then knows how recent a charge
   * may be (see PaymentProcessor.findCharge). False when an outcome is already recorded (a concurrent attempt won):
   * the caller must not charge and should use that outcome.
   */
  noteChargeAttempt(ref: JourneyRef, now: Date): Promise<boolean>;
  /**
   * Records the outcome once: the first write wins and a repeat (a retried task that charged again with the same
   * idempotency key, and so got the same answer, or a lookup that found the same charge) leaves it unchanged.
   * Returns the record that is stored.
   */
  record(record: PaymentRecord): Promise<PaymentRecord>;
}

/** The DynamoDB adapter of the payment store. */
export function dynamoPaymentStore(table: TableRef): PaymentStore {
  return {
    read: (ref) => readPayment(table, ref),
    get: async (ref) => (await readPayment(table, ref)).recorded,
    noteChargeAttempt: (ref, now) => noteChargeAttempt(table, ref, now),
    async record(record) {
      const written = await conditionHeld(
        table.client.send(
          new PutCommand({
            TableName: table.tableName,
            Item: { ...keys.payment(record.clinicId, record.journeyId), ...record },
            // An item holding only attempts has no status yet: the outcome replaces it (the record carries the attempts).
            ConditionExpression: 'attribute_not_exists(#status)',
            ExpressionAttributeNames: { '#status': 'status' },
          }),
        ),
      );
      return written ? record : ((await readPayment(table, record)).recorded ?? record);
    },
  };
}

async function readPayment(table: TableRef, ref: JourneyRef): Promise<PaymentState> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.payment(ref.clinicId, ref.journeyId), ConsistentRead: true }),
  );
  if (!Item) return {};
  const { PK: _pk, SK: _sk, ...item } = Item;
  const attempts =
    typeof item.firstAttemptAt === 'string' && typeof item.lastAttemptAt === 'string'
      ? { first: new Date(item.firstAttemptAt), last: new Date(item.lastAttemptAt) }
      : undefined;
  return { ...(item.status ? { recorded: item as PaymentRecord } : {}), ...(attempts ? { attempts } : {}) };
}

async function noteChargeAttempt(table: TableRef, { clinicId, journeyId }: JourneyRef, now: Date): Promise<boolean> {
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.payment(clinicId, journeyId),
        UpdateExpression:
          'SET #type = :type, clinicId = :clinicId, journeyId = :journeyId, firstAttemptAt = if_not_exists(firstAttemptAt, :now), lastAttemptAt = :now',
        ConditionExpression: 'attribute_not_exists(#status)',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':type': 'Payment', ':clinicId': clinicId, ':journeyId': journeyId, ':now': now.toISOString() },
      }),
    ),
  );
}
