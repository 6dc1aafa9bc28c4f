import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
