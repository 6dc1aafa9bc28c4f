/**
 * After upgrading a deployment to GSI4 (docs/runbook.md, "Upgrading a deployment"): lists the journeys written before
 * it under their status, so `GET journeys` shows them. Safe to run again.
 *
 *   TABLE_NAME=<stack output TableName> npm run backfill:journey-index
 *
 * Uses the standard AWS credentials and region of the shell (AWS_PROFILE, AWS_REGION, …).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backfillJourneyStatusIndex } from './migrations/journey-status-index.ts';

const tableName = process.env.TABLE_NAME;
if (!tableName) {
  console.error('usage: TABLE_NAME=<table> npm run backfill:journey-index');
  process.exit(2);
}
const { scanned, updated } = await backfillJourneyStatusIndex({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName });
console.log(`Scanned ${scanned} items; listed ${updated} journeys under their status.`);
