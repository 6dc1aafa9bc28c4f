import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { TransientDependencyError } from './errors.ts';

/** Where a store reads and writes: passed in, so tests can point a store at DynamoDB Local or a mock. */
export interface TableRef {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Sends a conditional write and tells whether its condition held. A failed condition is a business outcome here
 * (already booked, already claimed, decided by someone else), so it is returned, not thrown; any other error is thrown.
 */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * The same for a TransactWriteItems: false when the transaction was cancelled (a condition failed, or another writer
 * held one of its items at that moment), for the caller to read again and decide; any other error is thrown.
 */
export async function transactionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') return false;
    throw error;
  }
}

/** DynamoDB refuses a BatchGet that asks for more. */
const BATCH_GET_MAX = 100;
/** Rounds of a BatchGet's unprocessed keys (throttled reads) before the read gives up. */
const UNPROCESSED_ROUNDS = 4;

/**
 * The items of these keys (eventually consistent), in the keys' order; a key whose item is gone is left out. What a
 * keys-only index's page needs. Keys DynamoDB leaves unprocessed are asked again with a backoff; still unprocessed
 * after that, the read throws AwsServiceUnavailable (an API route answers 503).
 */
export async function batchGetItems(table: TableRef, keys: ReadonlyArray<{ PK: string; SK: string }>): Promise<Record<string, unknown>[]> {
  const found = new Map<string, Record<string, unknown>>();
  // DynamoDB refuses a BatchGet that names a key twice.
  const distinct = [...new Map(keys.map(({ PK, SK }) => [`${PK}|${SK}`, { PK, SK }])).values()];
  for (let i = 0; i < distinct.length; i += BATCH_GET_MAX) {
    let pending: Array<Record<string, unknown>> = distinct.slice(i, i + BATCH_GET_MAX);
    for (let round = 0; pending.length > 0; round++) {
      if (round === UNPROCESSED_ROUNDS)
        throw new TransientDependencyError(TRANSIENT_ERRORS.awsServiceUnavailable, 'DynamoDB left BatchGetItem keys unprocessed');
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      const { Responses, UnprocessedKeys } = await table.client.send(
        new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: pending } } }),
      );
      for (const item of Responses?.[table.tableName] ?? []) found.set(`${item.PK}|${item.SK}`, item);
      pending = UnprocessedKeys?.[table.tableName]?.Keys ?? [];
    }
  }
  return keys.flatMap((key) => {
    const item = found.get(`${key.PK}|${key.SK}`);
    return item ? [item] : [];
  });
}
