/**
 * npm run bench — what one demo journey costs: state transitions, DynamoDB capacity billed by DynamoDB's own rules
 * (bench/billing.ts, from the items each call touched) next to what DynamoDB Local reports, the audit trail's items and
 * storage, Lambda invocations and duration, emails and SMS, the AWS bill per 1,000 journeys at us-east-1 list prices
 * (../shared/NOTES.md), the monthly cost of an idle deployment (from the synthesized template), the local stack's
 * throughput at concurrency 10, bundle sizes and cold imports, and the scheduling figures when bench/scheduling.ts
 * exists. Runs the real local cloud; prints figures, asserts none; writes them to bench-results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient, type KeySchemaElement, type KeyType, ScanCommand } from '@aws-sdk/client-dynamodb';
import { AUDIT_ARCHIVE_RETENTION_DAYS, AUDIT_TABLE_RETENTION_DAYS } from '#contract/audit-archive.ts';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { planArchive } from '#functions/audit/archive-audit-records.ts';
import { startLocalCloud } from '#local/cloud.ts';
import { DYNAMODB_CAPACITY_PRELOAD, onDynamoDbCalls, setDynamoDbMeterDetail } from '#local/lambda-runtime/dynamodb-capacity.ts';
import { functionNameFromArn, invokeFunction, localLambda } from '#local/lambda-runtime.ts';
import { readSentEmails } from '#local/ses-emulator.ts';
import { journeyStateMachines, journeyTaskStates, LOCAL_REGION } from '#local/step-functions/definition.ts';
import type { StateOverride } from '#local/step-functions/service.ts';
import {
  billCall,
  type DynamoDbOperation,
  type Item,
  isReadOperation,
  itemSize,
  type MeteredCall,
  STORAGE_OVERHEAD_BYTES_PER_ITEM,
  storedBytes,
  type TableSchema,
} from './billing.ts';
import { IDLE_PRICES, type IdleCost, idleMonthlyCost } from './idle-cost.ts';

const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 20);
/** Each journey's status is read once by the clinic's system (GET journeys/{id}). */
const STATUS_READS_PER_JOURNEY = 1;
/** Throughput: journeys submitted at once through the API, and how many such batches are timed (after one warm-up batch). */
const CONCURRENCY = 10;
const THROUGHPUT_BATCHES = Number(process.env.BENCH_THROUGHPUT_BATCHES ?? 3);
/** Cold-import runs per bundle (the bundles module's own default is larger; this keeps `npm run bench` in minutes). */
const BUNDLE_RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 5);
/** Runs per slot-search median in bench/scheduling.ts (its own default is 31; fewer keep `npm run bench` near 3 minutes). */
const SCHEDULING_RUNS = Number(process.env.BENCH_SCHEDULING_RUNS ?? 15);
/** The table keeps an audit record 400 days (its TTL, functions/shared/audit.ts); the archive keeps it six years. */
const AUDIT_TABLE_MONTHS = (AUDIT_TABLE_RETENTION_DAYS / 365) * 12;
const AUDIT_ARCHIVE_MONTHS = (AUDIT_ARCHIVE_RETENTION_DAYS / 365) * 12;
/**
 * Archive objects (PUTs and archiveAuditRecords invocations) per journey. The stream's mapping batches a clinic's
 * records for up to 5 minutes into one object per clinic and day, shared with whatever else the clinic did meanwhile;
 * a journey's records are written within a few minutes, so they fall into one or two objects. Two is the bench's
 * figure; the worst case (every record its own object) is printed next to it.
 */
const ARCHIVE_OBJECTS_PER_JOURNEY = 2;
/** archiveAuditRecords: 256 MB, about 0.1 s an invocation (measured locally: one PutObject). */
const ARCHIVE_INVOCATION_GB_SECONDS = 0.25 * 0.1;
const GOAL = { wcu: 20, rcu: 20, costPer1000: 0.25, idleMonthly: 5 };
const GB = 1024 ** 3;
const RESULTS_FILE = 'bench-results.json';
const RESULT_KEYS = [
  'wcuPerJourney',
  'rcuPerJourney',
  'costPer1000JourneysUsd',
  'idleMonthlyCostUsd',
  'localJourneysPerSecond',
  'slotSearchMedianMs',
  'rcuPerBookingAttemptLargeClinic',
  'largestBundleKiB',
  'maxColdImportRatio',
] as const;

const PRICE = {
  stateTransition: 0.025 / 1000,
  expressRequest: 1 / 1e6,
  /** Express duration: per GB-second, memory in 64-MB chunks, time in 100-ms increments. */
  expressGbSecond: 0.00001667,
  logIngestionGb: 0.5,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  email: 0.1 / 1000,
  smsPart: 0.0058 + 0.0035,
  httpApiRequest: 1 / 1e6,
  storageGbMonth: IDLE_PRICES.tableStorageGbMonth,
  pitrGbMonth: IDLE_PRICES.pitrGbMonth,
  /** The audit archive: S3 Standard (objects this small never move to Deep Archive) and a PUT per object. */
  s3StandardGbMonth: 0.023,
  s3Put: 0.005 / 1000,
};

type Cloud = Awaited<ReturnType<typeof startLocalCloud>>;

const NESTED_RUN = 'arn:aws:states:::states:startExecution.sync:2';
/** PatientJourney's own states: the only ones billed per transition (JourneyStages is EXPRESS). */
const STANDARD_STATES = new Set(Object.keys(journeyStateMachines().definition.States));
/**
 * Bytes per Step Functions log event at level ALL without execution data (type, name, IDs, timestamps): an
 * assumption, as nothing local writes these logs.
 */
const LOG_EVENT_BYTES = 400;
const EXPRESS_MEMORY_GB = 64 / 1024;

const lambda = { invocations: 0, gbSeconds: 0 };
/** Every metered DynamoDB call since the last `takeCalls()`. */
let calls: MeteredCall[] = [];

/**
 * Lambda tasks of both state machines run through a timing wrapper (their DynamoDB calls are metered by the handlers'
 * client). HoldForStaff (lambda:invoke.waitForTaskToken) is left to the service: the demo journey never stops for
 * staff; so is RunStages, whose nested run's tasks are the metered ones. Any other kind of Task (a direct service
 * integration) would escape the meters, so the bench refuses it rather than under-report.
 */
function meteredStateOverrides(): Record<string, StateOverride> {
  const overrides: Record<string, StateOverride> = {};
  for (const task of journeyTaskStates()) {
    if (task.resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') continue;
    if (task.resource === NESTED_RUN) continue;
    const fn = functionNameFromArn(task.resource);
    if (!fn) throw new Error(`bench: ${task.name} (${task.resource}) is not a catalog Lambda; meter it before benchmarking`);
    overrides[task.name] = (parameters) => timed(fn, parameters);
  }
  return overrides;
}

async function timed(name: FunctionName, event: unknown): Promise<unknown> {
  const start = performance.now();
  try {
    return await invokeFunction(name, event);
  } finally {
    lambda.invocations += 1;
    lambda.gbSeconds += (Math.ceil(performance.now() - start) / 1000) * (FUNCTIONS[name].memorySize / 1024);
  }
}

/** The calls metered so far; their broadcasts trail the invocations that made them by a moment. */
async function takeCalls(): Promise<MeteredCall[]> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const taken = calls;
  calls = [];
  return taken;
}

/** Seconds each part of the bench took, printed at the end (the whole should stay near 3 minutes). */
const phases: Array<[string, number]> = [];
async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    phases.push([name, (performance.now() - started) / 1000]);
  }
}

async function main() {
  const benchStarted = performance.now();
  const cloud = await startLocalCloud({ quiet: true, stateOverrides: meteredStateOverrides() });
  const stopListening = onDynamoDbCalls((call) => calls.push(call));
  const results: Record<string, unknown> = {};
  let idleTableBytes = 0;
  let audit: AuditFigures | undefined;
  let cost: { total: number; allIn: number } | undefined;
  try {
    // Each function runs in its own worker with its own clients: a preloaded meter reports what their calls touched.
    localLambda.setPreload([DYNAMODB_CAPACITY_PRELOAD]);
    setDynamoDbMeterDetail(true);
    const raw = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: cloud.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const schema = await tableSchema(raw, cloud.tableName);
    idleTableBytes = await tableBytes(raw, cloud.tableName);

    const body = JSON.parse(readFileSync('examples/completes.json', 'utf8')) as Record<string, unknown>;
    // Warm-up journey (a new patient): module loading is a cold start, measured separately below.
    await runJourney(cloud, body, 'bench-warmup');
    const newPatient = billWindow(await takeCalls(), schema, 1);
    lambda.invocations = lambda.gbSeconds = 0;
    const mailBefore = (await readSentEmails(cloud.endpoints.ses)).length;

    let transitions = 0;
    const express = { runs: 0, billedGbSeconds: 0, ms: 0, logEvents: 0 };
    const started = performance.now();
    for (let i = 0; i < JOURNEYS; i++) {
      const run = await runJourney(cloud, body, `bench-journey-${i}`);
      transitions += run.transitions;
      express.runs += run.express.runs;
      express.billedGbSeconds += run.express.billedGbSeconds;
      express.ms += run.express.ms;
      express.logEvents += run.logEvents;
    }
    const msPerJourney = (performance.now() - started) / JOURNEYS;
    const billed = billWindow(await takeCalls(), schema, JOURNEYS);
    const emails = ((await readSentEmails(cloud.endpoints.ses)).length - mailBefore) / JOURNEYS;
    const perJourney: PerJourney = {
      transitions: transitions / JOURNEYS,
      expressRuns: express.runs / JOURNEYS,
      expressGbSeconds: express.billedGbSeconds / JOURNEYS,
      logEvents: express.logEvents / JOURNEYS,
      lambdaInvocations: lambda.invocations / JOURNEYS + 2 * (1 + STATUS_READS_PER_JOURNEY), // + authorizer and route handler per API call
      lambdaGbSeconds: lambda.gbSeconds / JOURNEYS,
      emails,
      sms: 0,
      apiRequests: 1 + STATUS_READS_PER_JOURNEY,
    };
    console.log(`Demo journey (examples/completes.json), ${JOURNEYS} journeys after one warm-up, local cloud`);
    console.log(`  state transitions        ${perJourney.transitions.toFixed(1)} (PatientJourney, STANDARD: billed per transition)`);
    console.log(
      `  Express runs             ${perJourney.expressRuns.toFixed(1)} of JourneyStages, ${(express.ms / Math.max(express.runs, 1)).toFixed(0)} ms each (local), billed ${perJourney.expressGbSeconds.toFixed(4)} GB-s (64 MB, 100-ms steps)`,
    );
    console.log(
      `  Lambda invocations       ${perJourney.lambdaInvocations.toFixed(1)} (${perJourney.lambdaGbSeconds.toFixed(4)} GB-s of workflow tasks, in-process timing)`,
    );
    console.log(`  emails / SMS             ${perJourney.emails.toFixed(1)} / ${perJourney.sms}`);
    console.log(`  API requests             ${perJourney.apiRequests}`);
    console.log(`  wall time per journey    ${msPerJourney.toFixed(0)} ms (local, not a Lambda figure)`);
    reportCapacity(billed, newPatient);
    audit = reportAudit(billed);
    cost = reportCost(perJourney, billed, audit);
    Object.assign(results, {
      wcuPerJourney: round(billed.wcu, 2),
      rcuPerJourney: round(billed.rcu, 2),
      wcuPerJourneyNewPatient: round(newPatient.wcu, 2),
      rcuPerJourneyNewPatient: round(newPatient.rcu, 2),
      localReportedWcuPerJourney: round(billed.localWcu, 2),
      localReportedRcuPerJourney: round(billed.localRcu, 2),
      auditItemsPerJourney: round(audit.items, 2),
      auditAccessesPerJourney: round(audit.accesses, 2),
      auditWcuPerJourney: round(audit.wcu, 2),
      auditStorageUsdPerJourneyYear: Number(audit.usdPerJourneyYear.toPrecision(3)),
      auditTableUsdPer1000Journeys: round(audit.tableUsdPerJourney * 1000, 4),
      auditArchiveUsdPer1000Journeys: round(audit.archiveUsdPerJourney * 1000, 4),
      costPer1000JourneysUsd: round(cost.total, 4),
      costPer1000JourneysAllInUsd: round(cost.allIn, 4),
      stateTransitionsPerJourney: perJourney.transitions,
    });

    phases.push(['journeys', (performance.now() - benchStarted) / 1000]);
    results.localJourneysPerSecond = await phase('throughput', () => measureThroughput(cloud, body));
  } finally {
    await cloud.stop();
    stopListening();
  }

  const idle = await phase('idle cost (synth)', () => measureIdleCost(idleTableBytes));
  results.idleMonthlyCostUsd = round(idle.totalUsd, 2);
  if (audit && cost) {
    // The backup plan keeps full copies of the table: the audit bytes are in every one of them while they live.
    const backup = (audit.backedUpBytes / GB) * AUDIT_TABLE_MONTHS * idle.backupUsdPerTableGbMonth * 1000;
    console.log(
      `  the audit bytes in those backup copies: $${backup.toFixed(4)} per 1,000 journeys over the table's ${AUDIT_TABLE_RETENTION_DAYS} days → all-in $${(cost.allIn + backup).toFixed(4)} per 1,000 journeys (audit storage + PITR + backups)`,
    );
    results.auditBackupUsdPer1000Journeys = round(backup, 4);
    results.costPer1000JourneysAllInUsd = round(cost.allIn + backup, 4);
  }
  Object.assign(results, await phase('bundles', measureBundleFigures));
  Object.assign(results, await phase('scheduling', measureSchedulingFigures));

  // The keys issue 7 asks for come first, null when their module is absent; then the rest.
  const output = { ...Object.fromEntries(RESULT_KEYS.map((key) => [key, null])), ...results, measuredAt: new Date().toISOString() };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nFigures written to ${RESULTS_FILE}`);
  console.log(
    `Bench took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s: ${phases.map(([name, seconds]) => `${name} ${seconds.toFixed(0)} s`).join(', ')}`,
  );
}

async function runJourney(cloud: Cloud, body: Record<string, unknown>, key: string) {
  const journeyId = await submit(cloud, body, key);
  const executionArn = executionArnOf(cloud, journeyId);
  const done = await cloud.sfn.awaitExecution(executionArn);
  if (done.status !== 'SUCCEEDED') throw new Error(`journey ${journeyId} ended ${done.status}`);
  await fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } });
  const events = cloud.sfn.rawEvents(executionArn);
  // AWS bills one transition per state of the STANDARD machine entered (retries count too; the demo journey has none).
  const transitions = cloud.sfn.enteredStates(executionArn).filter((name) => STANDARD_STATES.has(name)).length;
  return { journeyId, transitions, express: expressRuns(events), logEvents: events.length };
}

/** The JourneyStages runs of an execution: each from RunStages' entry to its end, billed as Express bills duration. */
function expressRuns(events: ReadonlyArray<{ type: string; timestamp: number; state?: { name: string } }>) {
  let runs = 0;
  let ms = 0;
  let billedGbSeconds = 0;
  let startedAt: number | undefined;
  for (const event of events) {
    if (event.state?.name !== 'RunStages') continue;
    if (event.type === 'StateEntered' || event.type === 'StateRetried') startedAt = event.timestamp;
    else if (startedAt !== undefined && ['StateExited', 'StateFailed', 'StateCaught'].includes(event.type)) {
      const duration = event.timestamp - startedAt;
      runs += 1;
      ms += duration;
      billedGbSeconds += (Math.max(1, Math.ceil(duration / 100)) / 10) * EXPRESS_MEMORY_GB;
      startedAt = undefined;
    }
  }
  return { runs, ms, billedGbSeconds };
}

async function submit(cloud: Cloud, body: Record<string, unknown>, key: string): Promise<string> {
  const response = await fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`submission answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { journeyId: string }).journeyId;
}

const executionArnOf = (cloud: Cloud, journeyId: string) =>
  `${cloud.stateMachineArn.replace(':stateMachine:', ':execution:')}:${journeyId}`;

interface PerJourney {
  transitions: number;
  /** Runs of JourneyStages (EXPRESS), their billed GB-seconds, and both machines' log events (level ALL). */
  expressRuns: number;
  expressGbSeconds: number;
  logEvents: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  emails: number;
  sms: number;
  apiRequests: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// DynamoDB: billed by DynamoDB's rules, next to DynamoDB Local's figure

async function tableSchema(client: DynamoDBClient, tableName: string): Promise<TableSchema> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const key = (schema: KeySchemaElement[] | undefined, type: KeyType) => schema?.find((k) => k.KeyType === type)?.AttributeName;
  const sortKey = key(Table?.KeySchema, 'RANGE');
  return {
    partitionKey: key(Table?.KeySchema, 'HASH') ?? 'PK',
    ...(sortKey ? { sortKey } : {}),
    globalSecondaryIndexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => {
      const indexSortKey = key(index.KeySchema, 'RANGE');
      return {
        name: index.IndexName ?? '',
        partitionKey: key(index.KeySchema, 'HASH') ?? '',
        ...(indexSortKey ? { sortKey: indexSortKey } : {}),
        projection: index.Projection?.ProjectionType ?? 'ALL',
        ...(index.Projection?.NonKeyAttributes ? { nonKeyAttributes: index.Projection.NonKeyAttributes } : {}),
      };
    }),
  };
}

/** The table's stored size (items plus DynamoDB's per-item overhead), read with a Scan that nothing meters. */
async function tableBytes(client: DynamoDBClient, tableName: string): Promise<number> {
  let bytes = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) bytes += storedBytes(item);
    start = page.LastEvaluatedKey;
  } while (start);
  return bytes;
}

interface OperationFigures {
  calls: number;
  items: number;
  wcu: number;
  rcu: number;
  localWcu: number;
  localRcu: number;
  /** Why billed and reported differ, with the difference (billed − Local) each reason accounts for. */
  differences: Map<string, { calls: number; units: number }>;
}

interface KindFigures {
  items: number;
  units: number;
  bytes: number;
}

interface BilledWindow {
  journeys: number;
  wcu: number;
  rcu: number;
  localWcu: number;
  localRcu: number;
  undetailed: number;
  byOperation: Map<DynamoDbOperation, OperationFigures>;
  /** Billed units by `${item kind}\t${operation}` and read/write. */
  writesByKind: Map<string, KindFigures>;
  readsByKind: Map<string, KindFigures>;
  /**
   * Audit items written (PK …#AUDIT#…): count, billed WCU, item bytes, stored bytes, the accesses they record, and the
   * bytes of their lines in the archive.
   */
  audit: {
    items: number;
    wcu: number;
    bytes: number;
    /** Stored with their GSI2 entries (storage), and without them (PITR and backups copy table data and local indexes only). */
    stored: number;
    storedWithoutIndexes: number;
    inTransactions: number;
    accesses: number;
    archived: number;
  };
}

/** Bills every call of a window by DynamoDB's rules and sums per journey. */
function billWindow(windowCalls: MeteredCall[], schema: TableSchema, journeys: number): BilledWindow {
  const window: BilledWindow = {
    journeys,
    wcu: 0,
    rcu: 0,
    localWcu: 0,
    localRcu: 0,
    undetailed: 0,
    byOperation: new Map(),
    writesByKind: new Map(),
    readsByKind: new Map(),
    audit: { items: 0, wcu: 0, bytes: 0, stored: 0, storedWithoutIndexes: 0, inTransactions: 0, accesses: 0, archived: 0 },
  };
  const per = (n: number) => n / journeys;
  for (const call of windowCalls) {
    if (!call.operation) continue;
    if (!call.detailed) window.undetailed += 1;
    const billed = billCall(call, schema);
    const read = isReadOperation(call.operation);
    let op = window.byOperation.get(call.operation);
    if (!op) {
      op = { calls: 0, items: 0, wcu: 0, rcu: 0, localWcu: 0, localRcu: 0, differences: new Map() };
      window.byOperation.set(call.operation, op);
    }
    const items = read ? (call.reads?.length ?? call.pages?.reduce((n, p) => n + p.length, 0) ?? 0) : (call.writes?.length ?? 0);
    op.calls += per(1);
    op.items += per(items);
    op.wcu += per(billed.wcu);
    op.rcu += per(billed.rcu);
    op[read ? 'localRcu' : 'localWcu'] += per(call.localUnits);
    window.wcu += per(billed.wcu);
    window.rcu += per(billed.rcu);
    window[read ? 'localRcu' : 'localWcu'] += per(call.localUnits);
    const difference = (read ? billed.rcu : billed.wcu) - call.localUnits;
    if (Math.abs(difference) > 1e-9) {
      const reason = differenceReason(call, billed.lines.length);
      const entry = op.differences.get(reason) ?? { calls: 0, units: 0 };
      entry.calls += per(1);
      entry.units += per(difference);
      op.differences.set(reason, entry);
    }
    for (const line of billed.lines) {
      const kind = `${itemKind(line.key, schema)}${line.index ? ` (${line.index})` : ''}\t${call.operation}`;
      const byKind = line.kind === 'write' ? window.writesByKind : window.readsByKind;
      const entry = byKind.get(kind) ?? { items: 0, units: 0, bytes: 0 };
      entry.items += per(1);
      entry.units += per(line.units);
      entry.bytes += per(line.bytes);
      byKind.set(kind, entry);
    }
    for (const write of call.writes ?? []) {
      if (!isAudit(write.key, schema) || write.action === 'conditionCheck') continue;
      const line = billed.lines.find((l) => l.kind === 'write' && !l.index && l.key === write.key);
      // The index entries of a record (GSI2, by patient) are written and stored as long as the record.
      const indexLines = billed.lines.filter((l) => l.kind === 'write' && l.index && l.key === write.key);
      window.audit.items += per(1);
      window.audit.wcu += per((line?.units ?? 0) + indexLines.reduce((sum, l) => sum + l.units, 0));
      window.audit.bytes += per(itemSize(write.after ?? write.requested));
      window.audit.stored += per(
        storedBytes(write.after ?? write.requested) + indexLines.reduce((sum, l) => sum + l.bytes + STORAGE_OVERHEAD_BYTES_PER_ITEM, 0),
      );
      window.audit.storedWithoutIndexes += per(storedBytes(write.after ?? write.requested));
      // A record names one or more accesses (`actions`, functions/shared/audit.ts); older records named one (`action`).
      window.audit.accesses += per((write.after ?? write.requested)?.actions?.L?.length ?? 1);
      if (call.operation === 'TransactWriteItems') window.audit.inTransactions += per(1);
      window.audit.archived += per(archivedLineBytes(write.after ?? write.requested));
    }
  }
  return window;
}

/** The bytes a record takes in the archive: its line, as the archive function writes it from the stream's insert. */
function archivedLineBytes(image: Item | undefined): number {
  const insert = {
    eventName: 'INSERT' as const,
    dynamodb: { NewImage: image as never, SequenceNumber: '1', ApproximateCreationDateTime: 0 },
  };
  return planArchive([insert]).objects.reduce((sum, { object }) => sum + Buffer.byteLength(object.body, 'utf8'), 0);
}

function differenceReason(call: MeteredCall, billedLines: number): string {
  const items = call.writes?.length ?? call.reads?.length ?? 0;
  if (call.failed) return `failed (${call.failed}): Local reports ${call.localUnits}, DynamoDB bills the write anyway`;
  switch (call.operation) {
    case 'TransactWriteItems':
      return `transactions of ${items} items: Local reports ${call.localUnits} WCU, DynamoDB bills 2 per item per started KB`;
    case 'Query':
    case 'Scan': {
      const evaluated = call.pages?.reduce((n, p) => n + p.length, 0) ?? 0;
      if (evaluated === 0)
        return `empty ${call.operation} (${call.consistentRead ? 'strong' : 'eventual'}): Local reports 0, DynamoDB bills the minimum`;
      return `${call.operation} of ${evaluated} items in ${billedLines} page(s): Local reports ${call.localUnits}`;
    }
    case 'GetItem':
      return call.reads?.[0]?.item
        ? `GetItem: Local reports ${call.localUnits}`
        : `GetItem of an absent item: Local reports ${call.localUnits}, DynamoDB bills the minimum`;
    default:
      return `${call.operation} of ${items} item(s): Local reports ${call.localUnits}`;
  }
}

/**
 * A key's kind, from the single table's key conventions (functions/shared/keys.ts): the upper-case words of the
 * partition key after the clinic (JOURNEY, RESOURCE.DAY, AUDIT…) and of the sort key (BUSY, APPOINTMENT…), IDs left out.
 */
function itemKind(key: Item | undefined, schema: TableSchema): string {
  const pk = key?.[schema.partitionKey]?.S;
  if (pk === undefined) return '(whole table)';
  const words = (text: string) => text.split('#').filter((t) => /^[A-Z][A-Z_]*$/.test(t));
  const pkWords = words(pk).filter((w, i) => !(i === 0 && w === 'CLINIC'));
  const sk = schema.sortKey ? key?.[schema.sortKey]?.S : undefined;
  const skWord = sk === undefined ? undefined : /^([A-Z][A-Z_]*)(#|$)/.exec(sk)?.[1];
  return `${pkWords.join('.') || 'CLINIC'}${skWord ? ` / ${skWord}` : ''}`;
}

const isAudit = (key: Item | undefined, schema: TableSchema) => /#AUDIT#/.test(key?.[schema.partitionKey]?.S ?? '');

const f1 = (n: number) => n.toFixed(1);

function reportCapacity(window: BilledWindow, newPatient: BilledWindow) {
  console.log("\nDynamoDB per journey, billed by DynamoDB's rules (bench/billing.ts) next to DynamoDB Local's ReturnConsumedCapacity");
  console.log(
    `  ${'operation'.padEnd(20)} ${'calls'.padStart(6)} ${'items'.padStart(6)}  ${'billed WCU'.padStart(10)} ${'Local WCU'.padStart(10)}  ${'billed RCU'.padStart(10)} ${'Local RCU'.padStart(10)}`,
  );
  const ops = [...window.byOperation.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [name, op] of ops) {
    const read = isReadOperation(name);
    console.log(
      `  ${name.padEnd(20)} ${f1(op.calls).padStart(6)} ${f1(op.items).padStart(6)}  ${(read ? '–' : f1(op.wcu)).padStart(10)} ${(read ? '–' : f1(op.localWcu)).padStart(10)}  ${(read ? f1(op.rcu) : '–').padStart(10)} ${(read ? f1(op.localRcu) : '–').padStart(10)}`,
    );
  }
  console.log(
    `  ${'total'.padEnd(34)}  ${f1(window.wcu).padStart(10)} ${f1(window.localWcu).padStart(10)}  ${f1(window.rcu).padStart(10)} ${f1(window.localRcu).padStart(10)}   goal ≤ ${GOAL.wcu} WCU, ≤ ${GOAL.rcu} RCU`,
  );
  console.log(
    `  ${'new patient (warm-up)'.padEnd(34)}  ${f1(newPatient.wcu).padStart(10)} ${f1(newPatient.localWcu).padStart(10)}  ${f1(newPatient.rcu).padStart(10)} ${f1(newPatient.localRcu).padStart(10)}`,
  );
  if (window.undetailed) console.log(`  (${window.undetailed} calls were not read in detail: their billed figure is a floor)`);

  console.log('\n  What the units paid for, per journey (item kind from the key: partition words / sort-key word)');
  console.log(
    `  ${'item kind'.padEnd(34)} ${'operation'.padEnd(20)} ${'items'.padStart(6)} ${'units'.padStart(7)} ${'avg bytes'.padStart(10)}`,
  );
  for (const [label, byKind] of [
    ['WCU', window.writesByKind],
    ['RCU', window.readsByKind],
  ] as const) {
    const rows = [...byKind.entries()].sort(([, a], [, b]) => b.units - a.units);
    for (const [kind, k] of rows) {
      const [item, operation] = kind.split('\t');
      console.log(
        `  ${(item ?? '').padEnd(34)} ${(operation ?? '').padEnd(20)} ${f1(k.items).padStart(6)} ${f1(k.units).padStart(7)} ${(k.items ? (k.bytes / k.items).toFixed(0) : '–').padStart(10)} ${label}`,
      );
    }
  }

  console.log("\n  Where DynamoDB Local's figure differs (per journey: calls, billed − Local)");
  let any = false;
  for (const [name, op] of ops) {
    for (const [reason, d] of [...op.differences.entries()].sort(([, a], [, b]) => Math.abs(b.units) - Math.abs(a.units))) {
      any = true;
      console.log(`  ${name.padEnd(20)} ${f1(d.calls).padStart(5)} × ${reason}: ${d.units >= 0 ? '+' : ''}${f1(d.units)}`);
    }
  }
  if (!any) console.log('  nowhere: every call billed what DynamoDB Local reported');
}

interface AuditFigures {
  items: number;
  accesses: number;
  wcu: number;
  /** Bytes the table stores per journey (items, index entries, overhead) for AUDIT_TABLE_RETENTION_DAYS. */
  storedBytes: number;
  /** The same without the GSI2 entries: what PITR and backups copy (table data and local indexes only). */
  backedUpBytes: number;
  /** Bytes the archive stores per journey (the records' lines) for six years. */
  archivedBytes: number;
  /** The table's audit storage over its retention, per journey, and its point-in-time recovery. */
  tableUsdPerJourney: number;
  pitrUsdPerJourney: number;
  /** The archive over six years, per journey: storage, PUTs and archiveAuditRecords invocations. */
  archiveUsdPerJourney: number;
  /** The same, had every record its own object (PUT and invocation). */
  archiveWorstUsdPerJourney: number;
  /** Storage, table and archive, for one year of one journey's records (while both hold them). */
  usdPerJourneyYear: number;
}

function reportAudit(window: BilledWindow): AuditFigures {
  const a = window.audit;
  const tableGbMonths = (a.stored / GB) * AUDIT_TABLE_MONTHS;
  const archiveStorage = (a.archived / GB) * AUDIT_ARCHIVE_MONTHS * PRICE.s3StandardGbMonth;
  const perObject = PRICE.s3Put + PRICE.lambdaRequest + ARCHIVE_INVOCATION_GB_SECONDS * PRICE.lambdaGbSecondArm;
  const figures: AuditFigures = {
    items: a.items,
    accesses: a.accesses,
    wcu: a.wcu,
    storedBytes: a.stored,
    backedUpBytes: a.storedWithoutIndexes,
    archivedBytes: a.archived,
    tableUsdPerJourney: tableGbMonths * PRICE.storageGbMonth,
    pitrUsdPerJourney: (a.storedWithoutIndexes / GB) * AUDIT_TABLE_MONTHS * PRICE.pitrGbMonth,
    archiveUsdPerJourney: archiveStorage + ARCHIVE_OBJECTS_PER_JOURNEY * perObject,
    archiveWorstUsdPerJourney: archiveStorage + a.items * perObject,
    usdPerJourneyYear: (a.stored / GB) * 12 * PRICE.storageGbMonth + (a.archived / GB) * 12 * PRICE.s3StandardGbMonth,
  };
  console.log(
    `\nAudit trail: items in the single table (PK CLINIC#…#AUDIT#<day>) and their entries in GSI2 (by patient, keys only) for the audit query, expiring by TTL after ${AUDIT_TABLE_RETENTION_DAYS} days; each record's copy in the archive (S3 Object Lock) for six years`,
  );
  console.log(
    `  audit items per journey  ${f1(a.items)} (${f1(a.inTransactions)} inside transactions) recording ${f1(a.accesses)} accesses, billed ${f1(a.wcu)} WCU; ${(a.items ? a.bytes / a.items : 0).toFixed(0)} B per item + ${STORAGE_OVERHEAD_BYTES_PER_ITEM} B overhead = ${(a.stored / 1024).toFixed(2)} KiB stored per journey, index entries included`,
  );
  console.log(
    `  table ($${PRICE.storageGbMonth}/GB-month, ${AUDIT_TABLE_RETENTION_DAYS} days)  $${(figures.tableUsdPerJourney * 1000).toFixed(4)} per 1,000 journeys; its point-in-time recovery ($${PRICE.pitrGbMonth}/GB-month, the items without their index entries) $${(figures.pitrUsdPerJourney * 1000).toFixed(4)} (backup copies: see the idle deployment)`,
  );
  console.log(
    `  archive (${(a.archived / 1024).toFixed(2)} KiB of lines per journey, S3 Standard $${PRICE.s3StandardGbMonth}/GB-month, six years; ${ARCHIVE_OBJECTS_PER_JOURNEY} objects a journey)  $${(figures.archiveUsdPerJourney * 1000).toFixed(4)} per 1,000 journeys ($${(figures.archiveWorstUsdPerJourney * 1000).toFixed(4)} if every record were its own object)`,
  );
  console.log(`  storage per journey-year, table and archive  $${sci(figures.usdPerJourneyYear)}`);
  return figures;
}

const sci = (n: number) => n.toExponential(2);

function reportCost(p: PerJourney, window: BilledWindow, audit: AuditFigures) {
  const cost: Record<string, number> = {
    'Step Functions': p.transitions * PRICE.stateTransition,
    'Express requests': p.expressRuns * PRICE.expressRequest,
    'Express duration': p.expressGbSeconds * PRICE.expressGbSecond,
    'Step Functions logs': ((p.logEvents * LOG_EVENT_BYTES) / GB) * PRICE.logIngestionGb,
    'Lambda requests': p.lambdaInvocations * PRICE.lambdaRequest,
    'Lambda duration': p.lambdaGbSeconds * PRICE.lambdaGbSecondArm,
    'DynamoDB writes': window.wcu * PRICE.writeUnit,
    'DynamoDB reads': window.rcu * PRICE.readUnit,
    'SES email': p.emails * PRICE.email,
    SMS: p.sms * PRICE.smsPart,
    'HTTP API': p.apiRequests * PRICE.httpApiRequest,
    [`audit, table ${AUDIT_TABLE_RETENTION_DAYS} d`]: audit.tableUsdPerJourney,
    'audit archive, 6 yr': audit.archiveUsdPerJourney,
  };
  console.log('\nCost per 1,000 journeys (us-east-1 list prices, DynamoDB units as billed)');
  let total = 0;
  for (const [name, perJourney] of Object.entries(cost)) {
    total += perJourney * 1000;
    console.log(`  ${name.padEnd(20)} $${(perJourney * 1000).toFixed(4)}`);
  }
  const atLocalUnits =
    total - (window.wcu - window.localWcu) * PRICE.writeUnit * 1000 - (window.rcu - window.localRcu) * PRICE.readUnit * 1000;
  console.log(
    `  ${'total'.padEnd(20)} $${total.toFixed(4)}   goal ≤ $${GOAL.costPer1000} (with DynamoDB Local's units it would read $${atLocalUnits.toFixed(4)})`,
  );
  const pitr = audit.pitrUsdPerJourney * 1000;
  console.log(
    `  ${`+ audit PITR, ${AUDIT_TABLE_RETENTION_DAYS} d`.padEnd(20)} $${pitr.toFixed(4)}   → $${(total + pitr).toFixed(4)} with the point-in-time recovery the table's audit bytes also pay`,
  );
  return { total, allIn: total + pitr };
}

// ---------------------------------------------------------------------------------------------------------------------
// Throughput, idle deployment, bundles, scheduling

/**
 * Journeys per second on the local stack at concurrency 10: batches of 10 distinct submissions through the API, each
 * timed until every journey settles (ended, or waiting for a person). One untimed batch first starts the extra
 * execution environments. The meter's item reads are off meanwhile (they would slow the stack down).
 */
async function measureThroughput(cloud: Cloud, body: Record<string, unknown>): Promise<number> {
  setDynamoDbMeterDetail(false);
  try {
    let n = 0;
    const outcomes: Record<string, number> = {};
    const batch = () =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          const i = n++;
          const journeyId = await submit(cloud, distinctPatient(body, i), `bench-throughput-${i}`);
          const status = await settled(cloud, executionArnOf(cloud, journeyId));
          outcomes[status] = (outcomes[status] ?? 0) + 1;
        }),
      );
    await batch();
    for (const key of Object.keys(outcomes)) delete outcomes[key];
    const started = performance.now();
    for (let b = 0; b < THROUGHPUT_BATCHES; b++) await batch();
    const seconds = (performance.now() - started) / 1000;
    const perSecond = (THROUGHPUT_BATCHES * CONCURRENCY) / seconds;
    console.log(
      `\nLocal throughput: ${perSecond.toFixed(2)} journeys/s at concurrency ${CONCURRENCY} (${THROUGHPUT_BATCHES} batches of ${CONCURRENCY} distinct patients through the API, ${seconds.toFixed(1)} s until all settled; ${Object.entries(
        outcomes,
      )
        .map(([s, c]) => `${c} ${s}`)
        .join(', ')})`,
    );
    return round(perSecond, 2);
  } finally {
    setDynamoDbMeterDetail(true);
  }
}

/** Resolves with the execution's status once it has ended, or 'WAITING_FOR_STAFF' once it waits on a task token. */
async function settled(cloud: Cloud, executionArn: string): Promise<string> {
  const timeoutMs = 120_000;
  return Promise.any([
    cloud.sfn.awaitExecution(executionArn, timeoutMs).then((d) => d.status),
    cloud.sfn.awaitTaskToken(executionArn, undefined, timeoutMs).then(() => 'WAITING_FOR_STAFF'),
  ]);
}

function distinctPatient(body: Record<string, unknown>, n: number): Record<string, unknown> {
  const copy = structuredClone(body) as { patient: Record<string, unknown>; contact: Record<string, unknown> };
  const letters = (k: number) => {
    let s = '';
    for (let v = k + 26; v > 0; v = Math.floor(v / 26)) s = String.fromCharCode(97 + (v % 26)) + s;
    return s;
  };
  copy.patient.firstName = `Bench ${letters(n)}`;
  copy.patient.lastName = `Load ${letters(n * 7 + 3)}`;
  copy.contact.email = `bench.${n}@example.com`;
  return copy;
}

async function measureIdleCost(tableBytesIdle: number): Promise<IdleCost> {
  const { synthStack } = await import('#test/infra/synth-stack.ts');
  const { template } = synthStack();
  const idle = idleMonthlyCost(template.toJSON() as Parameters<typeof idleMonthlyCost>[0], tableBytesIdle);
  console.log('\nIdle deployment, per month (synthesized template; us-east-1 list prices; no traffic)');
  for (const line of idle.lines)
    console.log(
      `  ${line.item.padEnd(44)} ${String(line.count).padStart(4)}  $${line.monthlyUsd.toFixed(2).padStart(6)}${line.note ? `   ${line.note}` : ''}`,
    );
  console.log(`  ${'total'.padEnd(44)}       $${idle.totalUsd.toFixed(2).padStart(6)}   goal ≤ $${GOAL.idleMonthly}`);
  console.log(`  billed per use only (nothing while idle): ${idle.perUseTypes.map((t) => t.replace(/^AWS::/, '')).join(', ')}`);
  if (idle.unknownTypes.length) console.log(`  not priced by this model (check by hand): ${idle.unknownTypes.join(', ')}`);
  return idle;
}

async function measureBundleFigures(): Promise<Record<string, unknown>> {
  const bundles = (await import('./bundles.ts')) as Record<string, unknown>;
  console.log(`\nHandler bundles (esbuild, same settings as the house construct, SDK included; cold import median of ${BUNDLE_RUNS})`);
  if (typeof bundles.bundleReport === 'function') {
    const report = (await (bundles.bundleReport as (runs: number) => Promise<Record<string, unknown>>)(BUNDLE_RUNS)) as {
      largestBundleKiB?: number;
      maxColdImportRatio?: number;
    };
    if (typeof bundles.formatBundleReport === 'function') console.log((bundles.formatBundleReport as (r: unknown) => string)(report));
    return { largestBundleKiB: report.largestBundleKiB ?? null, maxColdImportRatio: report.maxColdImportRatio ?? null };
  }
  const figures = await (bundles.measureBundles as (runs: number) => Promise<Array<{ name: string; bytes: number; coldImportMs: number }>>)(
    BUNDLE_RUNS,
  );
  for (const b of figures)
    console.log(
      `  ${b.name.padEnd(24)} ${(b.bytes / 1024).toFixed(0).padStart(6)} KiB   cold import ${b.coldImportMs.toFixed(0).padStart(4)} ms`,
    );
  console.log('  (bench/bundles.ts gives no largestBundleKiB / maxColdImportRatio yet: left null)');
  return { largestBundleKiB: round(Math.max(...figures.map((b) => b.bytes)) / 1024, 1), maxColdImportRatio: null };
}

async function measureSchedulingFigures(): Promise<Record<string, unknown>> {
  const module = new URL('./scheduling.ts', import.meta.url);
  if (!existsSync(module)) {
    console.log(
      '\nScheduling at scale: bench/scheduling.ts is absent, skipped (slotSearchMedianMs, rcuPerBookingAttemptLargeClinic left null)',
    );
    return {};
  }
  const scheduling = (await import(module.href)) as {
    measureScheduling?: (options: { runs?: number; log?: (line: string) => void }) => Promise<Record<string, unknown>>;
  };
  if (typeof scheduling.measureScheduling !== 'function') {
    console.log('\nScheduling at scale: bench/scheduling.ts exports no measureScheduling(), skipped');
    return {};
  }
  console.log('\nScheduling at scale (bench/scheduling.ts): growth, each row varying one setting of the base');
  console.log('providers bookings  fill+ horizon  search before  search now  RCU before  RCU now');
  const figures = await scheduling.measureScheduling({ runs: SCHEDULING_RUNS, log: (line) => console.log(line) });
  const pick = (key: string) => (typeof figures[key] === 'number' ? round(figures[key], 2) : null);
  console.log(
    `  large clinic, first week booked out: slot search median ${pick('slotSearchMedianMs')} ms (goal ≤ 10), ${pick('rcuPerBookingAttemptLargeClinic')} RCU per booking attempt (goal ≤ 20)`,
  );
  return {
    slotSearchMedianMs: pick('slotSearchMedianMs'),
    rcuPerBookingAttemptLargeClinic: pick('rcuPerBookingAttemptLargeClinic'),
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

await main();
// Environments, sockets and timers of the stopped stack must not hold the process.
process.exit(0);
