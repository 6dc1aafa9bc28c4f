import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '#local/create-table.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/**
 * A new, empty table on DynamoDB Local (the integration project's global setup starts it), with the deployed schema:
 * one per test file, so files never see each other's items.
 */
export async function localTable(prefix: string, options: { stream?: boolean } = {}): Promise<TableRef> {
  const client = new DynamoDBClient({});
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName, options);
  return { client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName };
}

/** The audit records of a journey on a day (keys.audit), read back from the table, in the order written. */
export async function journeyAudits(
  table: TableRef,
  ref: { clinicId: string; journeyId: string },
  day: Date,
): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      FilterExpression: 'journeyId = :journeyId',
      ExpressionAttributeValues: { ':pk': keys.audit(ref.clinicId, day.toISOString().slice(0, 10), '').PK, ':journeyId': ref.journeyId },
      ConsistentRead: true,
    }),
  );
  return Items;
}
