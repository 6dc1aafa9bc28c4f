import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { AUDIT_ARCHIVE_FILTER, AUDIT_ARCHIVE_PREFIX, AUDIT_QUERY_DAYS, matchesEventFilter } from '#contract/audit-archive.ts';
import { log } from '#shared/observability.ts';

/**
 * One object of the audit archive: the audit records of one clinic and one day that arrived in one batch of the
 * table's stream, as JSON Lines, named by its first record and its content's hash.
 */
export interface ArchiveObject {
  /** `audit/<clinicId>/<yyyy-mm-dd>/<first record's SK, made key-safe>-<first 16 hex digits of the SHA-256>.jsonl` */
  key: string;
  /** One line per record: its attributes as stored (IDs only: audit records hold no PHI), `PK` and `SK` first. */
  body: string;
  /** SHA-256 of `body` (UTF-8), hex: in the key (its first 16 digits) and the object's metadata. */
  sha256Hex: string;
  /** The same digest, base64: S3's `x-amz-checksum-sha256`, which S3 verifies against what it receives and keeps. */
  sha256Base64: string;
  clinicId: string;
  day: string;
  /** The records' sort keys, in the order of the lines. */
  sortKeys: string[];
}

/**
 * The archive's port: where archive objects are written once and can never be rewritten (S3 with Object Lock in
 * compliance mode; the adapter is s3-audit-archive-adapter.ts). `alreadyArchived`: an object of that key exists —
 * the key holds the content's hash, so it holds these very lines (a retried batch).
 */
export interface AuditArchive {
  put(object: ArchiveObject): Promise<'archived' | 'alreadyArchived'>;
}

export interface ArchiveAuditRecordsDeps {
  archive: AuditArchive;
}

/**
 * One clinic's audit records of one day as the table holds them, in DynamoDB's attribute-value form (the form of the
 * stream's images), every page (the adapter is dynamoAuditDay).
 */
export interface AuditDayReader {
  recordsOf(clinicId: string, day: string): Promise<Array<Record<string, AttributeValue>>>;
}

export interface ReArchiveDayDeps extends ArchiveAuditRecordsDeps {
  auditDay: AuditDayReader;
}

/** What an operator asks for when the archive missed records: one clinic's day, archived again from the table. */
export interface ReArchiveRequest {
  clinicId: string;
  day: string;
}

export interface ReArchiveOutcome {
  /** Records of the day written into the archive's object (now, or by an earlier run that wrote the same object). */
  records: number;
  /** Items of the day's partition that are not audit records (the plan leaves them out). */
  ignored: number;
  objects: { key: string; outcome: 'archived' | 'alreadyArchived' }[];
  /** The day is at or past the table's edge (AUDIT_QUERY_DAYS): some or all of its records may be gone from the table. */
  olderThanTable?: true;
}

/** An archive object and the stream records it holds (their sequence numbers: Lambda's batch item identifiers). */
export interface PlannedObject {
  object: ArchiveObject;
  sequenceNumbers: string[];
}

/** What a batch becomes: the objects to write, records that are not audit inserts, and audit inserts that cannot be read. */
export interface ArchivePlan {
  objects: PlannedObject[];
  /** Records the stream filter would not have delivered (the mapping's filter keeps them out; counted, not archived). */
  ignored: number;
  /** Sequence numbers of audit inserts without a readable key: reported as failures (retried, then dead-lettered). */
  unreadable: string[];
}

/** An audit partition key (keys.audit): `CLINIC#<clinicId>#AUDIT#<yyyy-mm-dd>`. */
const AUDIT_PARTITION = /^CLINIC#(.+)#AUDIT#(\d{4}-\d{2}-\d{2})$/;

/**
 * Groups a batch of stream records into archive objects (pure): the audit inserts of each clinic and day, sorted by
 * their sort key (which starts with the record's time), one line each. The same records always give the same bytes,
 * hence the same key: writing a retried batch again finds its object already there.
 */
export function planArchive(records: readonly DynamoDBRecord[]): ArchivePlan {
  const groups = new Map<string, { clinicId: string; day: string; lines: Array<{ sk: string; line: string; sequenceNumber: string }> }>();
  const unreadable: string[] = [];
  let ignored = 0;
  for (const record of records) {
    if (!matchesEventFilter(AUDIT_ARCHIVE_FILTER, record)) {
      ignored += 1;
      continue;
    }
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const item = plainItem(record.dynamodb?.NewImage ?? {});
    const partition = typeof item.PK === 'string' ? AUDIT_PARTITION.exec(item.PK) : null;
    // An "audit record" outside an audit partition is archived apart, as evidence, and never blocks the shard.
    if (!partition || typeof item.SK !== 'string') unreadable.push(sequenceNumber);
    const [, clinicId = UNRECOGNISED, day = dayOf(record)] = partition ?? [];
    const groupKey = `${clinicId}#${day}`;
    const group = groups.get(groupKey) ?? { clinicId, day, lines: [] };
    group.lines.push({ sk: String(item.SK ?? sequenceNumber), line: auditLine(item, partition !== null), sequenceNumber });
    groups.set(groupKey, group);
  }
  const objects = [...groups.values()].map(({ clinicId, day, lines }) => {
    const ordered = [...lines].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    const body = ordered.map((l) => `${l.line}\n`).join('');
    const digest = createHash('sha256').update(body, 'utf8').digest();
    const sha256Hex = digest.toString('hex');
    const first = ordered[0]?.sk ?? '';
    return {
      object: {
        key: `${AUDIT_ARCHIVE_PREFIX}${clinicId}/${day}/${keySafe(first)}-${sha256Hex.slice(0, 16)}.jsonl`,
        body,
        sha256Hex,
        sha256Base64: digest.toString('base64'),
        clinicId,
        day,
        sortKeys: ordered.map((l) => l.sk),
      },
      sequenceNumbers: ordered.map((l) => l.sequenceNumber),
    };
  });
  return { objects, ignored, unreadable };
}

/**
 * Archives a batch of the table's stream: each clinic's and day's audit inserts as one object, written once. Objects
 * are written independently; a failed write reports only its own records as batch item failures (Lambda retries the
 * batch from the earliest of them, and the objects already written are found again: `alreadyArchived`).
 */
export async function archiveAuditRecords(
  deps: ArchiveAuditRecordsDeps,
  records: readonly DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const plan = planArchive(records);
  const failed: string[] = [];
  if (plan.unreadable.length > 0) log.error('Audit inserts without an audit key, archived apart', { count: plan.unreadable.length });
  const outcomes = await Promise.all(
    plan.objects.map(async ({ object, sequenceNumbers }) => {
      try {
        return await deps.archive.put(object);
      } catch (error) {
        failed.push(...sequenceNumbers);
        log.warn('Audit archive object not written', {
          clinicId: object.clinicId,
          count: sequenceNumbers.length,
          errorName: (error as Error).name,
        });
        return 'failed' as const;
      }
    }),
  );
  log.info('Audit records archived', {
    count: plan.objects.reduce((n, o, i) => n + (outcomes[i] === 'failed' ? 0 : o.sequenceNumbers.length), 0),
    outcome: `${outcomes.filter((o) => o === 'archived').length} written, ${outcomes.filter((o) => o === 'alreadyArchived').length} already archived, ${outcomes.filter((o) => o === 'failed').length} failed, ${plan.ignored} ignored`,
  });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * Archives one clinic's day again from the table: for a batch the stream could not deliver (its position is in the
 * dead-letter queue, with the times of its first and last record) or a day from before the stream. The day's records
 * go through the same plan as the stream's inserts, so a record is the same line; the object holds the whole day, and
 * records the archive already has are harmless duplicates there (same PK, SK and content). Asking again for an
 * unchanged day finds its object already archived. The table holds a day's records for AUDIT_TABLE_RETENTION_DAYS only.
 */
export async function reArchiveDay(deps: ReArchiveDayDeps, request: ReArchiveRequest, now: Date): Promise<ReArchiveOutcome> {
  const images = await deps.auditDay.recordsOf(request.clinicId, request.day);
  const plan = planArchive(
    images.map((image) => ({ eventName: 'INSERT', dynamodb: { NewImage: image, SequenceNumber: String(image.SK?.S ?? '') } })),
  );
  const objects = [];
  for (const { object } of plan.objects) objects.push({ key: object.key, outcome: await deps.archive.put(object) });
  const records = plan.objects.reduce((n, { object }) => n + object.sortKeys.length, 0);
  const queryReachesFrom = new Date(now.getTime() - AUDIT_QUERY_DAYS * 86_400_000).toISOString().slice(0, 10);
  const olderThanTable = request.day <= queryReachesFrom;
  if (olderThanTable)
    log.warn('Audit day at or past the table edge: some or all of its records may be gone', { clinicId: request.clinicId });
  log.info('Audit day archived again', {
    clinicId: request.clinicId,
    count: records,
    outcome: `${objects.map((o) => o.outcome).join(', ') || 'no records'}, ${plan.ignored} ignored`,
  });
  return { records, ignored: plan.ignored, objects, ...(olderThanTable ? { olderThanTable: true as const } : {}) };
}

/**
 * The attributes an audit record may carry into the archive: IDs, names of actions and routes, outcomes. Anything
 * else an item holds stays out, so a field added to audit items later can never put patient data into storage that
 * cannot be deleted for six years.
 */
export const ARCHIVED_ATTRIBUTES = [
  'type',
  'actor',
  'actions',
  'action',
  'GSI2PK',
  'journeyId',
  'patientId',
  'outcome',
  'via',
  'fields',
  'expiresAt',
] as const;

/**
 * One JSON line: `PK`, `SK`, then the allowed attributes by name, so the same item always gives the same line. An item
 * outside an audit partition keeps only its keys and `type`, and says so (`unrecognised`).
 */
function auditLine(item: Record<string, unknown>, recognised: boolean): string {
  const ordered: Record<string, unknown> = { PK: item.PK, SK: item.SK };
  const allowed: readonly string[] = recognised ? ARCHIVED_ATTRIBUTES : ['type'];
  for (const name of [...allowed].sort()) if (item[name] !== undefined) ordered[name] = item[name];
  if (!recognised) ordered.unrecognised = true;
  const dropped = Object.keys(item).filter((name) => name !== 'PK' && name !== 'SK' && !allowed.includes(name));
  if (dropped.length > 0) log.warn('Audit record attributes not archived', { count: dropped.length });
  return JSON.stringify(ordered);
}

/** Where records without an audit key go: `audit/_unrecognised/<day of the stream record>/…`. */
const UNRECOGNISED = '_unrecognised';
const dayOf = (record: DynamoDBRecord) => new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString().slice(0, 10);

/** An S3 key segment from a sort key (`<ISO time>#<random>`): `:` and `#` become `_`, which keeps the order. */
function keySafe(sortKey: string): string {
  return sortKey.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** A stream image (DynamoDB JSON) as plain JSON values: numbers that JSON cannot hold exactly stay strings, sets become sorted lists. */
function plainItem(image: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, plainValue(value)]));
}

function plainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return plainNumber(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plainValue);
  if (value.M !== undefined) return plainItem(value.M);
  if (value.SS !== undefined) return [...value.SS].sort();
  if (value.NS !== undefined) return [...value.NS].sort().map(plainNumber);
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return [...value.BS].sort();
  return null;
}

function plainNumber(text: string): number | string {
  const number = Number(text);
  return Number.isFinite(number) && String(number) === text ? number : text;
}
