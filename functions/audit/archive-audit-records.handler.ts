import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { s3 } from '#shared/aws/s3-client.ts';
import { requireEnv } from '#shared/env.ts';
import { lambdaHandler } from '#shared/handler.ts';
import { type ArchiveAuditRecordsDeps, archiveAuditRecords } from './archive-audit-records.ts';
import { s3AuditArchive } from './s3-audit-archive-adapter.ts';

/**
 * Target of the table's stream (the mapping filters it to audit-record inserts: contract/audit-archive.ts): archives
 * the batch and reports the records of any object it could not write as batch item failures, which Lambda retries.
 */
export function makeArchiveAuditRecords(deps: ArchiveAuditRecordsDeps) {
  return lambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) => archiveAuditRecords(deps, event.Records ?? []));
}

export const handler = makeArchiveAuditRecords({ archive: s3AuditArchive(s3, requireEnv('auditArchiveBucket')) });
