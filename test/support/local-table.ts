import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '#local/create-table.ts';
import type { TableRef } from '#shared/table.ts';

/**
 * A new, empty table on DynamoDB Local (the integration project's global setup starts it), with the deployed schema:
 * one per test file, so files never see each other's items.
 */
export async function localTable(prefix: string): Promise<TableRef> {
  const client = new DynamoDBClient({});
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName };
}
