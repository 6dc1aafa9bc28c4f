import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { clockNow } from '#contract/clock.ts';
import { s3 } from '#shared/aws/s3-client.ts';
import { requireEnv } from '#shared/env.ts';
import { lambdaHandler } from '#shared/handler.ts';
import { archiveAuditRecords, type ReArchiveDayDeps, type ReArchiveOutcome, reArchiveDay } from './archive-audit-records.ts';
import { s3AuditArchive } from './s3-audit-archive-adapter.ts';

/** An operator's direct invocation (docs/runbook.md, DeadLetters2): one clinic's day archived again from the table. */
const ReArchiveEventSchema = z.strictObject({ reArchive: z.strictObject({ clinicId: PathIdSchema, day: z.iso.date() }) });

export interface ArchiveFunctionDeps extends ReArchiveDayDeps {
  now: () => Date;
}

/**
 * Target of the table's stream (the mapping filters it to audit-record inserts: contract/audit-archive.ts): archives
 * the batch and reports the records of any object it could not write as batch item failures, which Lambda retries.
 * Invoked by an operator with `{ "reArchive": { clinicId, day } }`, archives that day again from the table. Anything
 * else is refused, so a mistyped request never reads as an empty batch archived.
 */
export function makeArchiveAuditRecords(deps: ArchiveFunctionDeps) {
  return lambdaHandler<unknown, DynamoDBBatchResponse | ReArchiveOutcome>((event) => {
    if (isStreamBatch(event)) return archiveAuditRecords(deps, event.Records);
    const request = ReArchiveEventSchema.safeParse(event);
    if (!request.success) throw new Error('Not a stream batch, nor {"reArchive":{"clinicId","day":"yyyy-mm-dd"}}');
    return reArchiveDay(deps, request.data.reArchive, deps.now());
  });
}

const isStreamBatch = (event: unknown): event is DynamoDBStreamEvent =>
  typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

export const handler = makeArchiveAuditRecords({
  archive: s3AuditArchive(s3, requireEnv('auditArchiveBucket')),
  // Only an operator's re-archive reads the table: its client is loaded then, not at every stream cold start.
  auditDay: {
    async recordsOf(clinicId, day) {
      const [{ DynamoDBClient }, { dynamoAuditDay }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('./audit-day-store.ts'),
      ]);
      return dynamoAuditDay(new DynamoDBClient({}), requireEnv('tableName')).recordsOf(clinicId, day);
    },
  },
  now: clockNow,
});
