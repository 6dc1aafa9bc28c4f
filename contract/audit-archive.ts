/**
 * The audit archive's stream contract, shared by the CDK stack (the event source mapping of archiveAuditRecords on the
 * table's stream: infra/constructs/audit-archive.ts), the local cloud (local/dynamodb-streams.ts, which polls DynamoDB
 * Local's stream) and the function itself: one filter, one set of delivery settings, so the deployed mapping and the
 * local poller cannot select or deliver different records.
 */

/**
 * A Lambda event filter pattern (the `Filters[].Pattern` of an event source mapping), restricted to what this module's
 * matcher evaluates: nested objects whose leaves are lists of accepted strings.
 */
export interface EventFilterPattern {
  readonly [field: string]: readonly string[] | EventFilterPattern;
}

/**
 * The stream records that invoke archiveAuditRecords: INSERTs and MODIFYs whose new image is an audit record. Every
 * audit item, and no other item, carries `type: 'AuditEvent'` (functions/shared/audit.ts, auditItem). A MODIFY can only
 * be someone changing a record (the functions are denied updates of audit partitions): archiving its new image turns
 * the change itself into locked evidence, a second line with the same PK and SK and other content. Records filtered out
 * cost nothing (Lambda does not bill filtered-out events): a TTL deletion (REMOVE, no new image) and every other item's
 * writes.
 */
export const AUDIT_ARCHIVE_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { type: { S: ['AuditEvent'] } } },
} as const satisfies EventFilterPattern;

/**
 * How the stream's records are delivered, deployed (the mapping) and locally (the poller). Larger batches make fewer,
 * larger objects (one PutObject per clinic and day per batch); the window lets a quiet shard gather a batch.
 */
export const AUDIT_ARCHIVE_DELIVERY = {
  /** Records per invocation at most (a record is an audit item of ~300 B, so well under Lambda's 6 MB payload). */
  batchSize: 1000,
  /** Seconds Lambda gathers records before invoking (deployed only: the local poller delivers what it reads). */
  maxBatchingWindowSeconds: 300,
  /** A batch that keeps failing: after this many retries its records' positions go to the on-failure destination. */
  retryAttempts: 10,
  /** A function error (not a reported item failure) splits the batch in two, to isolate a record that breaks it. */
  bisectBatchOnError: true,
  /** Records older than this are not retried (the stream keeps records 24 hours). */
  maxRecordAgeHours: 24,
} as const;

/**
 * Whether a stream record (as Lambda delivers it: `{ eventName, dynamodb: { NewImage: … } }`) matches a filter pattern,
 * by Lambda's rules for the pattern's shape: every field of the pattern must be present, and a leaf's value must be one
 * of the listed strings. Operators (prefix, anything-but, numeric, exists…) are not patterns of this shape and are
 * refused, so a pattern this matcher cannot evaluate fails loudly instead of matching differently from Lambda.
 */
export function matchesEventFilter(pattern: EventFilterPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const fields = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) => {
    const value = fields[field];
    if (isValueList(expected)) {
      for (const accepted of expected)
        if (typeof accepted !== 'string') throw new Error(`Unsupported filter rule on ${field}: only lists of strings are evaluated`);
      return typeof value === 'string' && expected.includes(value);
    }
    return matchesEventFilter(expected, value);
  });
}

function isValueList(value: readonly string[] | EventFilterPattern): value is readonly string[] {
  return Array.isArray(value);
}

/**
 * How long the archive keeps each object under Object Lock (compliance mode: nobody, the account's root included, can
 * delete or overwrite it before then): HIPAA's six years. The archive is where the audit trail lives for its retention.
 */
export const AUDIT_ARCHIVE_RETENTION_DAYS = 6 * 365;

/**
 * How far back the audit query (GET audit-events) reads the table: thirteen months and a few days, a year back from
 * any day of the month, and the month the archive's new objects are checked in before any of them leave S3 Standard.
 * Older records are in the archive only; keeping six years in the table would multiply them into every PITR and backup
 * copy (docs/decisions.md, "The audit trail lives in the archive").
 */
export const AUDIT_QUERY_DAYS = 400;

/**
 * How long the table keeps an audit record (its TTL): a day more than the query reads, so that nothing the query reads
 * can have expired (TTL may delete an item any time after its expiry, which is stored in whole seconds).
 */
export const AUDIT_TABLE_RETENTION_DAYS = AUDIT_QUERY_DAYS + 1;

/** Where the archive's objects live in the bucket: `audit/<clinicId>/<yyyy-mm-dd>/…` (the function may write only there). */
export const AUDIT_ARCHIVE_PREFIX = 'audit/';
