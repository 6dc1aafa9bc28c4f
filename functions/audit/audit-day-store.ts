import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as StreamAttributeValue } from 'aws-lambda';
import { keys } from '#shared/keys.ts';
import type { AuditDayReader } from './archive-audit-records.ts';

/**
 * The AuditDayReader on the table: the day's audit partition (keys.audit), every page, strongly consistent, as
 * DynamoDB's attribute values — the low-level client and Query, so a record reaches the archive plan exactly as the
 * stream's image of its insert would, with no document client to load.
 */
export function dynamoAuditDay(client: DynamoDBClient, tableName: string): AuditDayReader {
  return {
    async recordsOf(clinicId, day) {
      const records: Array<Record<string, StreamAttributeValue>> = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'PK = :day',
            ExpressionAttributeValues: { ':day': { S: keys.audit(clinicId, day, '').PK } },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        // The same wire format; the SDK's type also admits members a newer service may add, which the stream's does not.
        records.push(...((page.Items ?? []) as Array<Record<string, StreamAttributeValue>>));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return records;
    },
  };
}
