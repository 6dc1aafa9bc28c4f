import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AUDIT_ARCHIVE_FILTER } from '#contract/audit-archive.ts';
import { DynamoDbStreamPoller, type DynamoDbStreamPollerOptions } from '#local/dynamodb-streams.ts';
import { localTable } from '#test/support/local-table.ts';

/**
 * The local event source mapping (local/dynamodb-streams.ts) on DynamoDB Local's stream, with a function that fails on
 * cue: retries from the earliest reported failure, bisection on a function error, the on-failure destination after the
 * retries, and checkpoints across a restart. Every wait is the poller's drain, bounded.
 */
const dynamodb = new DynamoDBClient({});
const streams = new DynamoDBStreamsClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
const pollers: DynamoDbStreamPoller[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'streams-test-'));
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Invoke = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

async function setUp(invoke: Invoke, options: Partial<DynamoDbStreamPollerOptions> = {}) {
  const table = await localTable('streams', { stream: true });
  const write = (n: number) =>
    table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { PK: 'CLINIC#c#AUDIT#2026-01-01', SK: `2026-01-01T00:00:0${n}.000Z#x`, type: 'AuditEvent', n },
      }),
    );
  const start = () => {
    const poller = new DynamoDbStreamPoller({
      dynamodb,
      streams,
      tableName: table.tableName,
      filter: AUDIT_ARCHIVE_FILTER,
      delivery: { batchSize: 100, retryAttempts: 2, bisectBatchOnError: true },
      invoke,
      region: 'us-east-1',
      pollIntervalMs: 20,
      retryDelayMs: 1,
      ...options,
    });
    pollers.push(poller);
    poller.start();
    return poller;
  };
  return { write, start };
}

/** The `n` of each record of each invocation. */
const numbersOf = (events: DynamoDBStreamEvent[]) => events.map((e) => e.Records.map((r) => Number(r.dynamodb?.NewImage?.n?.N)));

describe('Local: the DynamoDB stream poller', () => {
  it('retries a batch from its earliest reported failure, as Lambda does with ReportBatchItemFailures', async () => {
    // prepare: the first invocation fails records 2 and 3
    const events: DynamoDBStreamEvent[] = [];
    const { write, start } = await setUp(async (event) => {
      events.push(event);
      if (events.length > 1) return { batchItemFailures: [] };
      const failed = event.Records.filter((r) => ['2', '3'].includes(r.dynamodb?.NewImage?.n?.N ?? ''));
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
    });
    for (const n of [1, 2, 3, 4]) await write(n);

    // act
    const poller = start();
    await poller.drain(20_000);

    // assess
    expect(numbersOf(events)).toEqual([
      [1, 2, 3, 4],
      [2, 3, 4],
    ]);
    expect(poller.deadLetters).toEqual([]);
  });

  it('splits a batch whose function fails, and sets a record that keeps failing aside to go on with the shard', async () => {
    // prepare: the function throws whenever record 2 is in its batch
    const events: DynamoDBStreamEvent[] = [];
    const { write, start } = await setUp(async (event) => {
      events.push(event);
      if (event.Records.some((r) => r.dynamodb?.NewImage?.n?.N === '2')) throw new Error('poison');
      return { batchItemFailures: [] };
    });
    for (const n of [1, 2, 3]) await write(n);
    const poller = start();
    await poller.drain(20_000);

    // act: a later record still arrives
    await write(4);
    await poller.drain(20_000);

    // assess
    const delivered = events.filter((e) => !e.Records.some((r) => r.dynamodb?.NewImage?.n?.N === '2'));
    expect(numbersOf(delivered).flat()).toEqual([1, 3, 4]);
    expect(poller.deadLetters).toEqual([expect.objectContaining({ batchSize: 1, reason: 'Error' })]);
  });

  it('goes on after its checkpoint when started again, instead of from the oldest record', async () => {
    // prepare
    const events: DynamoDBStreamEvent[] = [];
    const checkpointFile = join(scratch, 'checkpoints.json');
    const { write, start } = await setUp(
      async (event) => {
        events.push(event);
        return { batchItemFailures: [] };
      },
      { checkpointFile },
    );
    await write(1);
    const first = start();
    await first.drain(20_000);
    await first.stop();
    await write(2);

    // act
    const second = start();
    await second.drain(20_000);

    // assess
    expect(numbersOf(events)).toEqual([[1], [2]]);
  });
});
