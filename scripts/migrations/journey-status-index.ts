import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** A journey item's key: `CLINIC#<clinicId>#JOURNEY#<journeyId>` / `JOURNEY`. */
const JOURNEY_KEY = /^CLINIC#(.+)#JOURNEY#[^#]+$/;

/**
 * Gives every journey written before GSI4 existed its `GSI4PK` (keys.journeysByStatus of its status), so that
 * `GET journeys` lists it. A one-off migration, hence a Scan (the product never scans). Each update is conditional on
 * the status it read and on no `GSI4PK` yet: a journey whose status changes meanwhile keeps what that write set, and
 * running it again changes nothing.
 */
export async function backfillJourneyStatusIndex(table: TableRef): Promise<{ scanned: number; updated: number }> {
  let scanned = 0;
  let updated = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'SK = :journey AND attribute_not_exists(GSI4PK) AND attribute_exists(#status)',
        ProjectionExpression: 'PK, SK, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':journey': 'JOURNEY' },
        ExclusiveStartKey: startKey,
      }),
    );
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const clinicId = JOURNEY_KEY.exec(String(item.PK))?.[1];
      if (!clinicId) continue;
      try {
        await table.client.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: { PK: item.PK, SK: item.SK },
            UpdateExpression: 'SET GSI4PK = :index',
            ConditionExpression: 'attribute_not_exists(GSI4PK) AND #status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':index': keys.journeysByStatus(clinicId, String(item.status)).GSI4PK, ':status': item.status },
          }),
        );
        updated += 1;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { scanned, updated };
}
