import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { dynamo } from '#shared/aws/dynamodb-client.ts';
import { s3 } from '#shared/aws/s3-client.ts';
import { requireEnv } from '#shared/env.ts';
import { lambdaHandler } from '#shared/handler.ts';
import { archiveAuditRecords, type ReArchiveDayDeps, type ReArchiveOutcome, reArchiveDay } from './archive-audit-records.ts';
import { dynamoAuditDay } from './audit-day-store.ts';
import { s3AuditArchive } from './s3-audit-archive-adapter.ts';

/** An operator's direct invocation (docs/operations.md, "The audit archive missed records"): one clinic's day again. */
const ReArchiveEventSchema = z.strictObject({ reArchive: z.strictObject({ clinicId: PathIdSchema, day: z.iso.date() }) });

/**
 * Target of the table's stream (the mapping filters it to audit-record inserts: contract/audit-archive.ts): archives
 * the batch and reports the records of any object it could not write as batch item failures, which Lambda retries.
 * Invoked by an operator with `{ "reArchive": { clinicId, day } }`, archives that day again from the table.
 */
export function makeArchiveAuditRecords(deps: ReArchiveDayDeps) {
  return lambdaHandler<DynamoDBStreamEvent | unknown, DynamoDBBatchResponse | ReArchiveOutcome>((event) => {
    if (event && typeof event === 'object' && 'reArchive' in event) return reArchiveDay(deps, ReArchiveEventSchema.parse(event).reArchive);
    return archiveAuditRecords(deps, (event as DynamoDBStreamEvent).Records ?? []);
  });
}

export const handler = makeArchiveAuditRecords({
  archive: s3AuditArchive(s3, requireEnv('auditArchiveBucket')),
  auditDay: dynamoAuditDay({ client: dynamo, tableName: requireEnv('tableName') }),
});
