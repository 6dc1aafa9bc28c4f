import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_ARCHIVE_DELIVERY, AUDIT_ARCHIVE_FILTER } from '#contract/audit-archive.ts';
import { ENV, FUNCTIONS } from '#contract/function-catalog.ts';
import { DynamoDbStreamPoller } from '#local/dynamodb-streams.ts';
import { LocalLambdaRuntime } from '#local/lambda-runtime.ts';
import { freePort } from '#local/ports.ts';
import { startLocalS3 } from '#local/s3.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import { localTable } from '#test/support/local-table.ts';

/**
 * The audit archive as the local cloud runs it, piece by piece: the audit store writes to DynamoDB Local, the table's
 * stream is polled with the deployed filter (local/dynamodb-streams.ts), the catalog's archiveAuditRecords runs in the
 * local Lambda runtime, and the archive lands in s3rver (local/s3.ts). Waits are the poller's own drain, bounded.
 */
const bucket = 'audit-archive-it';
const s3Server = await startLocalS3({ port: await freePort(), buckets: [bucket] });
process.env.AWS_ENDPOINT_URL_S3 = s3Server.endpoint;
process.env[ENV.auditArchiveBucket] = bucket;
const s3 = new S3Client({});
const table = await localTable('archive', { stream: true });
process.env[ENV.tableName] = table.tableName; // an operator's re-archive reads the day from the table
const dynamodb = new DynamoDBClient({});
// DynamoDB Local serves its streams on its own endpoint (the SDK would look for AWS_ENDPOINT_URL_DYNAMODB_STREAMS).
const streamsClient = new DynamoDBStreamsClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
// The function's log lines (Powertools JSON), to tell a new object from one found already archived.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_DEV = 'false'; // one JSON entry a line
const logLines: string[] = [];
const runtime = new LocalLambdaRuntime({
  functions: { archiveAuditRecords: FUNCTIONS.archiveAuditRecords },
  onLogLine: ({ text }) => logLines.push(text),
});
const invoke = (event: DynamoDBStreamEvent) => runtime.invoke('archiveAuditRecords', event);
const poller = new DynamoDbStreamPoller({
  dynamodb,
  streams: streamsClient,
  tableName: table.tableName,
  filter: AUDIT_ARCHIVE_FILTER,
  delivery: AUDIT_ARCHIVE_DELIVERY,
  invoke,
  region: 'us-east-1',
  pollIntervalMs: 50,
});
poller.start();
afterAll(async () => {
  await poller.stop();
  await runtime.stop();
  await s3Server.stop();
});

const clinicId = 'clinic-archive';
const day = '2026-05-06';
const audit = dynamoAuditLog(table);

async function archivedObjects(prefix = `audit/${clinicId}/${day}/`) {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Promise.all(
    Contents.map(async ({ Key }) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      return { key: Key as string, body: await (object.Body?.transformToString() ?? ''), metadata: object.Metadata ?? {} };
    }),
  );
}

/** The stream events a poller with the deployed filter delivers for everything the table's stream holds so far. */
async function deliveredEvents(): Promise<DynamoDBStreamEvent[]> {
  const seen: DynamoDBStreamEvent[] = [];
  const recording = new DynamoDbStreamPoller({
    dynamodb,
    streams: streamsClient,
    tableName: table.tableName,
    filter: AUDIT_ARCHIVE_FILTER,
    delivery: AUDIT_ARCHIVE_DELIVERY,
    invoke: async (event) => {
      seen.push(event);
      return { batchItemFailures: [] };
    },
    region: 'us-east-1',
    pollIntervalMs: 50,
  });
  recording.start();
  try {
    await recording.drain(20_000);
  } finally {
    await recording.stop();
  }
  return seen;
}

/** What the function logged about the objects of its invocations since `from` (its "Audit records archived" lines). */
const archivedOutcomes = (from: number) =>
  logLines
    .slice(from)
    .map((line) => JSON.parse(line) as { message?: string; outcome?: string })
    .filter((entry) => entry.message === 'Audit records archived')
    .map((entry) => entry.outcome);

async function auditItemsOfDay(): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.audit(clinicId, day, '').PK },
      ConsistentRead: true,
    }),
  );
  return Items;
}

describe('Integration: the audit archive on DynamoDB Local, the local Lambda runtime and s3rver', () => {
  it('archives an audit record written through the audit store as a line of an object in the bucket', async () => {
    // act
    await audit.append(
      { clinicId, actor: 'bookAppointment', patientId: 'p1', journeyId: 'j1', actions: ['submission.read', 'appointment.create'] },
      new Date(`${day}T09:00:00.000Z`),
    );
    await audit.record(
      { clinicId, actor: 'getJourney', patientId: 'p1', journeyId: 'j1', action: 'journey.read', outcome: 'failure' },
      new Date(`${day}T09:00:01.000Z`),
    );
    await poller.drain(20_000);

    // assess
    const stored = await auditItemsOfDay();
    const objects = await archivedObjects();
    const lines = objects.flatMap((o) =>
      o.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
    expect(lines.sort((a, b) => String(a.SK).localeCompare(String(b.SK)))).toEqual(
      stored.map((item) => expect.objectContaining({ ...item })),
    );
    expect(lines).toHaveLength(2);
    for (const object of objects) {
      expect(object.key).toMatch(
        new RegExp(`^audit/${clinicId}/${day}/${day}T09_00_0[01]\\.000Z_[\\w-]{16}-${object.metadata.sha256?.slice(0, 16)}\\.jsonl$`),
      );
    }
  });

  it('archives a change to a record as evidence next to the original, and nothing for a TTL deletion or another item', async () => {
    // prepare
    const before = { ...poller.stats };
    const [first] = await auditItemsOfDay();
    const objectsBefore = await archivedObjects('audit/');
    if (!first) throw new Error('the first test wrote no audit record');
    const key = { PK: { S: String(first.PK) }, SK: { S: String(first.SK) } };

    // act: what only an admin (a MODIFY) or the TTL (a REMOVE) can do to a record, and an ordinary item's write
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET actor = :a',
        ExpressionAttributeValues: { ':a': { S: 'tampered' } },
      }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: table.tableName, Key: key }));
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, 'j1'), status: 'RUNNING' } }));
    await poller.drain(20_000);

    // assess: three records read, the MODIFY delivered and archived as a new object holding the changed record
    expect(poller.stats.read - before.read).toBe(3);
    expect(poller.stats.matched - before.matched).toBe(1);
    const added = (await archivedObjects('audit/')).filter((o) => !objectsBefore.some((b) => b.key === o.key));
    expect(added).toHaveLength(1);
    expect(added[0]?.body).toContain('"actor":"tampered"');
    expect(added[0]?.body).toContain(String(first.SK));
  });

  it('writes a retried batch once: the second conditional create answers 412 and counts as archived', async () => {
    // prepare: a new audit record, and its stream records as the function receives them
    const otherDay = '2026-05-07';
    await audit.append(
      { clinicId, actor: 'collectPayment', patientId: 'p2', journeyId: 'j2', actions: ['payment.charge'] },
      new Date(`${otherDay}T10:00:00.000Z`),
    );
    await poller.drain(20_000);
    const event = (await deliveredEvents()).find((e) =>
      e.Records.some((r) => r.dynamodb?.NewImage?.PK?.S === keys.audit(clinicId, otherDay, '').PK),
    );
    if (!event) throw new Error('the new record was not delivered');
    const batch = { Records: event.Records.filter((r) => r.dynamodb?.NewImage?.PK?.S === keys.audit(clinicId, otherDay, '').PK) };
    const logsFrom = logLines.length;

    // act: the batch again, as Lambda retries it (the poller above has archived it already)
    const response = (await invoke(batch)) as DynamoDBBatchResponse;

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(archivedOutcomes(logsFrom)).toEqual(['0 written, 1 already archived, 0 failed, 0 ignored']);
    expect(await archivedObjects(`audit/${clinicId}/${otherDay}/`)).toHaveLength(1);
  });

  it('reports the records of an object it cannot write as batch item failures (no such bucket)', async () => {
    // prepare
    const records = (await deliveredEvents()).flatMap((e) => e.Records);
    const missing = new LocalLambdaRuntime({
      functions: { archiveAuditRecords: FUNCTIONS.archiveAuditRecords },
      onLogLine: () => undefined,
    });
    process.env[ENV.auditArchiveBucket] = 'no-such-bucket';

    try {
      // act
      const response = (await missing.invoke('archiveAuditRecords', { Records: records })) as DynamoDBBatchResponse;

      // assess
      expect(records.length).toBeGreaterThan(0);
      expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(records.map((r) => r.dynamodb?.SequenceNumber).sort());
    } finally {
      process.env[ENV.auditArchiveBucket] = bucket;
      await missing.stop();
    }
  });

  it("archives an operator's day again from the table: the stream's very lines, in one object, once however often asked", async () => {
    // prepare: a day the stream has archived already, in whatever batches it chose
    const reDay = '2026-05-09';
    for (const [second, actor] of [
      ['01', 'screenIntake'],
      ['02', 'bookAppointment'],
      ['03', 'collectPayment'],
    ] as const)
      await audit.record(
        { clinicId, actor, patientId: 'p3', journeyId: 'j3', action: 'patient.read', outcome: 'success' },
        new Date(`${reDay}T08:00:${second}.000Z`),
      );
    await poller.drain(20_000);
    const fromStream = await archivedObjects(`audit/${clinicId}/${reDay}/`);

    // act
    const first = (await runtime.invoke('archiveAuditRecords', { reArchive: { clinicId, day: reDay } })) as {
      records: number;
      objects: Array<{ key: string; outcome: string }>;
    };
    const again = (await runtime.invoke('archiveAuditRecords', { reArchive: { clinicId, day: reDay } })) as { objects: unknown[] };

    // assess
    const lines = (body: string) => body.trimEnd().split('\n');
    const [written] = first.objects;
    const reArchived = (await archivedObjects(`audit/${clinicId}/${reDay}/`)).find((o) => o.key === written?.key);
    expect(first.records).toBe(3);
    // Byte for byte the lines the stream wrote from the same records' inserts, however it grouped them.
    expect(lines(reArchived?.body ?? '').sort()).toEqual(fromStream.flatMap((o) => lines(o.body)).sort());
    // When the stream took the day in one batch, that is the very object: nothing new is written.
    if (fromStream.length === 1) expect(written).toEqual({ key: fromStream[0]?.key, outcome: 'alreadyArchived' });
    expect(again.objects).toEqual([{ key: written?.key, outcome: 'alreadyArchived' }]);
  });
});
