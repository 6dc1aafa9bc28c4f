import { readFileSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type EventFilterPattern, matchesEventFilter } from '#contract/audit-archive.ts';

/**
 * Lambda's event source mapping for a DynamoDB stream, locally: polls DynamoDB Local's stream of a table
 * (DescribeStream, GetShardIterator, GetRecords), keeps the records that match the mapping's filter (the same pattern
 * object the CDK mapping is given: contract/audit-archive.ts), and invokes the function with them in Lambda's
 * DynamoDBStreamEvent shape, one shard at a time and in order, a parent shard before its children. As deployed:
 * - a response's `batchItemFailures` make the batch be retried from the earliest failed record;
 * - a thrown error (the function failed) splits the batch in two when `bisectBatchOnError` is set;
 * - a batch still failing after `retryAttempts` retries is set aside (the on-failure destination: `deadLetters`) and
 *   the shard moves on; retries wait with exponential back-off.
 * Unlike Lambda it does not wait to fill a batch (no batching window): it delivers what each GetRecords returns.
 *
 * Every timer is unref'd and `stop()` ends the loop, so a test process can exit. `drain()` resolves once every record
 * written before it was called has been delivered (or set aside), for tests that wait without sleeping.
 */
export interface StreamDeliverySettings {
  batchSize: number;
  retryAttempts: number;
  bisectBatchOnError: boolean;
}

export interface DynamoDbStreamPollerOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  filter: EventFilterPattern;
  delivery: StreamDeliverySettings;
  /** The function, as the event source mapping invokes it (synchronously, its result read for batch item failures). */
  invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  region: string;
  /** Time between polls once caught up (Lambda polls a shard about 4 times a second). Default 250 ms. */
  pollIntervalMs?: number;
  /** First retry delay, doubled per retry up to `maxRetryDelayMs` (defaults 100 ms and 5 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Keeps each shard's last delivered sequence number here, so a restart goes on where it stopped. */
  checkpointFile?: string;
  log?: (line: string) => void;
}

/** A batch set aside after its retries: what Lambda's on-failure destination receives (positions, not the records). */
export interface StreamDeadLetter {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  reason: string;
}

export interface StreamPollerStats {
  /** Stream records read. */
  read: number;
  /** Records that matched the filter and were delivered to the function (retries not counted again). */
  matched: number;
  invocations: number;
}

interface ShardState {
  iterator?: string;
  finished: boolean;
}

interface Checkpoints {
  streamArn?: string;
  shards: Record<string, string>;
}

class Stopped extends Error {}

export class DynamoDbStreamPoller {
  readonly deadLetters: StreamDeadLetter[] = [];
  readonly stats: StreamPollerStats = { read: 0, matched: 0, invocations: 0 };
  private streamArn: string | undefined;
  private readonly shards = new Map<string, ShardState>();
  private checkpoints: Checkpoints;
  private running: Promise<void> | undefined;
  private stopped = false;
  private cycle = 0;
  private failing = false;
  private lastError: Error | undefined;
  private readonly drains: Array<{ afterCycle: number; resolve: () => void }> = [];
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly options: DynamoDbStreamPollerOptions) {
    this.checkpoints = readCheckpoints(options.checkpointFile);
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** Ends the loop (an invocation under way finishes first; its batch is not checkpointed if it did not succeed). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    await this.running;
    this.running = undefined;
  }

  /** Resolves once every record written before this call has been delivered or set aside; rejects after `timeoutMs`. */
  drain(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.drains.indexOf(waiter);
        if (index >= 0) this.drains.splice(index, 1);
        const failing = this.lastError ? ` (reading it fails: ${this.lastError.name}: ${this.lastError.message})` : '';
        reject(new Error(`The stream of ${this.options.tableName} was not drained within ${timeoutMs} ms${failing}`));
      }, timeoutMs);
      timer.unref();
      const waiter = {
        afterCycle: this.cycle,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.drains.push(waiter);
    });
  }

  private async loop(): Promise<void> {
    let errorDelay = this.options.retryDelayMs ?? 100;
    while (!this.stopped) {
      this.cycle += 1;
      const cycle = this.cycle;
      try {
        const delivered = await this.pollOnce();
        if (this.failing) this.say('[dynamodb-streams] reading the stream again');
        this.failing = false;
        this.lastError = undefined;
        errorDelay = this.options.retryDelayMs ?? 100;
        if (delivered) continue;
        // A whole cycle that started after a drain() and found nothing new: everything before it is delivered.
        for (const waiter of this.drains.filter((w) => w.afterCycle < cycle)) {
          this.drains.splice(this.drains.indexOf(waiter), 1);
          waiter.resolve();
        }
        await this.sleep(this.options.pollIntervalMs ?? 250);
      } catch (error) {
        if (error instanceof Stopped || this.stopped) return;
        // DynamoDB Local unreachable or restarted, an expired iterator, the table recreated: look the stream up again.
        if (!this.failing) this.say(`[dynamodb-streams] ${this.options.tableName}: ${(error as Error).name}; retrying`);
        this.failing = true;
        this.lastError = error as Error;
        this.streamArn = undefined;
        this.shards.clear();
        await this.sleep(errorDelay);
        errorDelay = Math.min(errorDelay * 2, this.options.maxRetryDelayMs ?? 5_000);
      }
    }
  }

  /** One pass over the stream's open shards; true when it delivered or skipped any record. */
  private async pollOnce(): Promise<boolean> {
    const streamArn = await this.resolveStreamArn();
    const shards = await this.describeShards(streamArn);
    const known = new Set(shards.map((s) => s.ShardId));
    let progressed = false;
    for (const shard of shards) {
      const shardId = shard.ShardId as string;
      const state = this.shards.get(shardId) ?? { finished: false };
      this.shards.set(shardId, state);
      if (state.finished) continue;
      // Records of a key stay in order across a shard split: a child waits for its parent to be read to its end.
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !this.shards.get(parent)?.finished) continue;
      state.iterator ??= await this.iteratorFor(streamArn, shardId);
      const out = await this.options.streams.send(
        new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.options.delivery.batchSize }),
      );
      state.iterator = out.NextShardIterator;
      if (!state.iterator) state.finished = true;
      const records = out.Records ?? [];
      if (records.length === 0) continue;
      progressed = true;
      this.stats.read += records.length;
      await this.deliver(
        streamArn,
        shardId,
        records.map((r) => lambdaRecord(r, streamArn, this.options.region)),
      );
    }
    return progressed;
  }

  private async deliver(streamArn: string, shardId: string, records: DynamoDBRecord[]): Promise<void> {
    const matched = records.filter((record) => matchesEventFilter(this.options.filter, record));
    this.stats.matched += matched.length;
    if (matched.length > 0) await this.invokeWithRetries(shardId, matched, 0);
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) this.checkpoint(streamArn, shardId, last);
  }

  private async invokeWithRetries(shardId: string, initial: DynamoDBRecord[], firstAttempt: number): Promise<void> {
    let batch = initial;
    for (let attempt = firstAttempt; ; attempt += 1) {
      if (this.stopped) throw new Stopped();
      this.stats.invocations += 1;
      let failureReason: string;
      try {
        const response = (await this.options.invoke({ Records: batch })) as DynamoDBBatchResponse | null | undefined;
        const failures = response?.batchItemFailures ?? [];
        if (failures.length === 0) return;
        const positions = failures.map((f) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
        // An identifier that names no record of the batch fails the whole batch, as Lambda treats it.
        const from = positions.some((p) => p < 0) ? 0 : Math.min(...positions);
        batch = batch.slice(from);
        failureReason = `${failures.length} batch item failure(s)`;
      } catch (error) {
        if (this.stopped) throw new Stopped();
        if (this.options.delivery.bisectBatchOnError && batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          await this.invokeWithRetries(shardId, batch.slice(0, half), attempt + 1);
          await this.invokeWithRetries(shardId, batch.slice(half), attempt + 1);
          return;
        }
        failureReason = (error as Error).name;
      }
      if (attempt >= this.options.delivery.retryAttempts) {
        const deadLetter: StreamDeadLetter = {
          shardId,
          startSequenceNumber: batch[0]?.dynamodb?.SequenceNumber ?? '',
          endSequenceNumber: batch.at(-1)?.dynamodb?.SequenceNumber ?? '',
          batchSize: batch.length,
          reason: failureReason,
        };
        this.deadLetters.push(deadLetter);
        this.say(`[dynamodb-streams] ${batch.length} record(s) set aside after ${attempt} retries: ${failureReason}`);
        return;
      }
      const base = this.options.retryDelayMs ?? 100;
      await this.sleep(Math.min(base * 2 ** attempt, this.options.maxRetryDelayMs ?? 5_000));
    }
  }

  private async resolveStreamArn(): Promise<string> {
    if (this.streamArn) return this.streamArn;
    const { Table } = await this.options.dynamodb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const arn = Table?.LatestStreamArn;
    if (!arn || !Table?.StreamSpecification?.StreamEnabled) throw Object.assign(new Error('The table has no stream'), { name: 'NoStream' });
    if (this.checkpoints.streamArn !== arn) this.checkpoints = { streamArn: arn, shards: {} };
    this.streamArn = arn;
    return arn;
  }

  private async describeShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
        }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  /** After the shard's checkpoint when there is one (a restart), else from the oldest record kept (TRIM_HORIZON). */
  private async iteratorFor(streamArn: string, shardId: string): Promise<string> {
    const after = this.checkpoints.shards[shardId];
    if (after) {
      try {
        const { ShardIterator } = await this.options.streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            SequenceNumber: after,
          }),
        );
        if (ShardIterator) return ShardIterator;
      } catch (error) {
        if (!(error instanceof TrimmedDataAccessException)) throw error;
      }
    }
    const { ShardIterator } = await this.options.streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    if (!ShardIterator) throw Object.assign(new Error(`No iterator for shard ${shardId}`), { name: 'NoShardIterator' });
    return ShardIterator;
  }

  private checkpoint(streamArn: string, shardId: string, sequenceNumber: string): void {
    this.checkpoints = { streamArn, shards: { ...this.checkpoints.shards, [shardId]: sequenceNumber } };
    if (this.options.checkpointFile) writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      sleeper.timer.unref();
      this.sleeping.add(sleeper);
    });
  }

  private say(line: string): void {
    this.options.log?.(line);
  }
}

function readCheckpoints(file: string | undefined): Checkpoints {
  if (!file) return { shards: {} };
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Checkpoints;
  } catch {
    return { shards: {} };
  }
}

/**
 * A stream record as Lambda delivers it (DynamoDBStreamEvent's records): the SDK's record with the event source's ARN,
 * its creation time in epoch seconds and binary values in base64, as they cross Lambda's JSON boundary.
 */
export function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const { dynamodb, ...rest } = record;
  const created = dynamodb?.ApproximateCreationDateTime;
  return jsonSafe({
    ...rest,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...dynamodb,
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
    },
  }) as DynamoDBRecord;
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, jsonSafe(v)]])));
  return value;
}
