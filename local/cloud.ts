import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { APPOINTMENT_EVENT_RULES, APPOINTMENT_STREAM_DELIVERY, APPOINTMENT_STREAM_FILTER } from '#contract/appointment-events.ts';
import { AUDIT_ARCHIVE_DELIVERY, AUDIT_ARCHIVE_FILTER, type EventFilterPattern } from '#contract/audit-archive.ts';
import { ENV, FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { DEMO_STAFF } from '#contract/staff-roles.ts';
import { startClearinghouseSimulator } from '#local/clearinghouse-simulator/server.ts';
import { type PaymentSandbox, startPaymentSandbox } from '#local/payment-sandbox/server.ts';
import { DEMO_CLINIC_ID, seedDemoClinic } from '#local/seed/demo-clinic.ts';
import { journeyStateMachines, LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/step-functions/definition.ts';
import { startAwsEndpointServer } from '#local/step-functions/server.ts';
import { LocalStepFunctions, type StateOverride } from '#local/step-functions/service.ts';
import { LocalSns } from '#local/step-functions/sns-topics.ts';
import { newApiKey } from '#shared/http/api-key.ts';
import type { TableRef } from '#shared/table.ts';
import { startApiGateway } from './api-gateway.ts';
import { installLocalClock, localClock } from './clock.ts';
import { ensureTable } from './create-table.ts';
import { assertDynamoDbLocalPrerequisites, type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { DynamoDbStreamPoller, type StreamDeadLetter, type StreamDeliverySettings, type StreamPollerStats } from './dynamodb-streams.ts';
import { type LocalDeadLetter, LocalEventBus } from './event-bus.ts';
import { type FaultProxy, type FaultRules, startFaultProxy } from './fault-proxy.ts';
import { invokeFunction, type LogLineListener, setFunctionLogListener, stopFunctions } from './lambda-runtime.ts';
import { freePort } from './ports.ts';
import { startLocalS3 } from './s3.ts';
import { type LocalScheduler, SCHEDULER_FILE, startLocalScheduler } from './scheduler.ts';
import { startSesEmulator } from './ses-emulator.ts';
import { STAFF_IDENTITY_FILE, type StaffIdentityConfig, type StaffUser, startStaffIdentity } from './staff-identity.ts';

export const LOCAL_TABLE_NAME = 'patient-access';
export const JOURNEY_STATE_MACHINE_NAME = 'PatientJourney';
export const LOCAL_SENDER_EMAIL = 'front-desk@demo-clinic.example';
/**
 * Deployed, every email goes through the stack's SES configuration set; locally too, so the send path that runs is
 * the deployed one. The SES emulator accepts the name without checking that the set exists.
 */
export const LOCAL_SES_CONFIGURATION_SET = 'patient-access-local';
export const STAFF_ALERTS_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:patient-access-staff-alerts`;
/** The audit archive's bucket in the local S3 (deployed: the AuditArchive construct's Object Lock bucket). */
export const LOCAL_AUDIT_ARCHIVE_BUCKET = 'patient-access-audit-archive';
export const LOCAL_ESCALATION_SCHEDULE_GROUP = 'patient-access-task-escalations';
export const LOCAL_EVENT_BUS_NAME = 'patient-access-events';
export const LOCAL_APPOINTMENT_TIMER_GROUP = 'patient-access-appointment-timers';
/** Keys the local simulators expect; they guard nothing real. */
const CLEARINGHOUSE_API_KEY = 'local-clearinghouse-key';
const PAYMENTS_API_KEY = 'sk_test_local_sandbox';

export interface LocalCloudOptions {
  /** API port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /**
   * Where the local cloud keeps what survives a restart, as the real services would: DynamoDB Local's data, the Step
   * Functions executions (with their task tokens and undelivered events) and the payment sandbox's ledger. Absent:
   * everything lives in memory.
   */
  dataDir?: string;
  /** Deletes `dataDir` first. */
  fresh?: boolean;
  /** The demo clinic's API key; absent generates one. */
  apiKey?: string;
  /** No console output from the stack or the handlers (tests). */
  quiet?: boolean;
  /** Replaces what given Task states call (see LocalStepFunctions); for tests that force a path. */
  stateOverrides?: Record<string, StateOverride>;
  /** Every Retry waits this long instead of its back-off (tests use 0). */
  retryDelayMs?: number;
  /**
   * Puts a fault proxy (local/fault-proxy.ts) in front of the clearinghouse and/or the payment processor: the handlers
   * reach the dependency through it, and tests switch its behaviour (`cloud.faults`). `true` starts it passing
   * everything; rules start it with those (e.g. `'unavailable'`), in force before any execution resumes. For tests.
   */
  faultProxies?: { clearinghouse?: true | FaultRules; payments?: true | FaultRules };
  /**
   * Receives every line the functions write (their Powertools JSON log entries, one a line, and anything else on
   * stdout/stderr), with the function's name, instead of the console; the handlers then log at DEBUG, `quiet` or not.
   * For tests that read the logs.
   */
  onLogLine?: LogLineListener;
  /** The demo staff's password (DEMO_STAFF_PASSWORD, or one `npm start` generates and keeps); absent generates one. */
  staffPassword?: string;
  /** Staff seeded besides the demo clinic's (DEMO_STAFF), e.g. another clinic's for tests. */
  extraStaff?: readonly StaffUser[];
}

export interface LocalCloud {
  apiUrl: string;
  mailViewerUrl: string;
  apiKey: string;
  clinicId: string;
  tableName: string;
  stateMachineArn: string;
  endpoints: { dynamodb: string; ses: string; sfn: string; sns: string; s3: string; clearinghouse: string; payments: string };
  /** The local Step Functions service, for inspection (executions, entered states, task tokens). */
  sfn: LocalStepFunctions;
  /** Staff alerts published to SNS. */
  sns: LocalSns;
  /** The staff user pool (cognito-local): its issuer and app client, as the API gateway verifies tokens against. */
  staffIdentity: StaffIdentityConfig;
  /** Signs a seeded staff user in and returns the bearer token staff routes take (`Authorization: Bearer …`). */
  staffToken: (username: string) => Promise<string>;
  payments: PaymentSandbox;
  table: TableRef;
  /**
   * The audit archive as the local cloud runs it: the table's stream polled (local/dynamodb-streams.ts) into
   * archiveAuditRecords, which writes to `bucket` in the local S3. `drain()` resolves once every record written before
   * it has been archived (or set aside in `deadLetters`, the on-failure destination).
   */
  auditArchive: {
    bucket: string;
    drain: (timeoutMs?: number) => Promise<void>;
    deadLetters: readonly StreamDeadLetter[];
    stats: Readonly<StreamPollerStats>;
  };
  /**
   * Appointment events as the local cloud runs them: the stream's appointment writes into publishAppointmentEvents,
   * then the local event bus's rules into their functions. `drain()` resolves once every write before it is published
   * and every delivery has ended (told, or in `deadLetters`).
   */
  appointmentEvents: {
    drain: (timeoutMs?: number) => Promise<void>;
    delivered: ReadonlyArray<{ rule: string; event: unknown }>;
    deadLetters: readonly LocalDeadLetter[];
  };
  /** The fault proxies asked for with `faultProxies` (the endpoints above stay the dependencies' own). */
  faults: { clearinghouse?: FaultProxy; payments?: FaultProxy };
  /**
   * DynamoDB Local's process, for tests that take it away: `kill()` ends it at once, `restart()` starts it again on the
   * same port with the same data directory (`dataDir`; in memory, a restart starts empty).
   */
  dynamodbLocal: Pick<DynamoDbLocal, 'kill' | 'restart' | 'running'>;
  /**
   * The local cloud's one clock, which every handler reads (local/clock.ts): `advance(ms)` moves it forward and fires
   * the schedules (EventBridge Scheduler's, local/scheduler.ts) that come due, resolving once they have run, with how
   * many ran. It only moves forward, for the whole process.
   */
  clock: {
    now: () => Date;
    advance: (ms: number) => Promise<number>;
    schedules: LocalScheduler['schedules'];
  };
  /** Stops every server and child process (DynamoDB Local's JVM included). */
  stop: () => Promise<void>;
}

/**
 * Starts the whole product on loopback with no AWS account: DynamoDB Local (official jar), the SES v2 emulator, the
 * clearinghouse simulator, the payment sandbox, a local S3 (s3rver) with the audit archive's bucket, the table's stream
 * polled into the audit archive function, the local Step Functions + SNS endpoint running the deployable
 * workflow, and the local API Gateway in front of the real handlers. The handlers reach the emulators only through
 * the SDK's standard AWS_ENDPOINT_URL_* variables, which this sets on process.env — so run one local cloud per process.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  assertDynamoDbLocalPrerequisites();
  installLocalClock();
  const say = options.quiet ? () => undefined : (line: string) => console.log(line);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    // Reverse order: the API first (no new work), DynamoDB Local last.
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };

  try {
    if (options.fresh && options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });
    const [dynamodb, ses, clearinghouse, payments, s3] = await Promise.all([
      freePort().then((port) => startDynamoDbLocal({ port, ...(options.dataDir ? { dbPath: join(options.dataDir, 'dynamodb') } : {}) })),
      freePort().then((port) => startSesEmulator({ port })),
      freePort().then((port) => startClearinghouseSimulator({ port, apiKey: CLEARINGHOUSE_API_KEY })),
      freePort().then((port) =>
        startPaymentSandbox({
          port,
          apiKey: PAYMENTS_API_KEY,
          ...(options.dataDir ? { stateFile: join(options.dataDir, 'payment-sandbox.json') } : {}),
        }),
      ),
      freePort().then((port) =>
        startLocalS3({
          port,
          buckets: [LOCAL_AUDIT_ARCHIVE_BUCKET],
          ...(options.dataDir ? { directory: join(options.dataDir, 's3') } : {}),
        }),
      ),
    ]);
    stops.push(
      () => dynamodb.stop(),
      () => ses.stop(),
      () => clearinghouse.stop(),
      () => payments.stop(),
      () => s3.stop(),
    );
    const faults: LocalCloud['faults'] = {};
    for (const [name, upstream] of [
      ['clearinghouse', clearinghouse.url],
      ['payments', payments.url],
    ] as const) {
      const wanted = options.faultProxies?.[name];
      if (!wanted) continue;
      const proxy = await startFaultProxy({ upstream, ...(wanted === true ? {} : { rules: wanted }) });
      stops.push(() => proxy.stop());
      faults[name] = proxy;
    }
    if (options.onLogLine) {
      setFunctionLogListener(options.onLogLine);
      // Once the functions have stopped (stops run in reverse): what they write while stopping still reaches it.
      stops.push(async () => setFunctionLogListener(undefined));
    }
    // Stopped after the API and Step Functions (stops run in reverse), before the emulators the handlers call.
    stops.push(() => stopFunctions());

    const dynamoClient = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: dynamodb.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sns = new LocalSns((message) => say(`[staff alert] ${message.subject ?? '(no subject)'} ${message.message}`));
    const sfn = new LocalStepFunctions({
      stateMachineName: JOURNEY_STATE_MACHINE_NAME,
      ...journeyStateMachines(),
      ...(options.stateOverrides ? { stateOverrides: options.stateOverrides } : {}),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      ...(options.dataDir ? { persistDir: join(options.dataDir, 'step-functions') } : {}),
      // EventBridge's rule on stopped executions and its queue (JourneyStatusEvents), locally: the same function gets the
      // event as an SQS record, and a failed delivery is retried as the queue would offer it again.
      onStatusChange: async (event) => {
        if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(event.detail.status)) return;
        await invokeFunction('recordExecutionOutcome', {
          Records: [{ messageId: randomUUID(), eventSource: 'aws:sqs', body: JSON.stringify(event) }],
        });
      },
      log: say,
    });
    stops.push(() => sfn.stop());
    // The stack's event bus and its rules (AppointmentEvents): each rule's function gets its events as its queue would give them.
    const events = new LocalEventBus({
      name: LOCAL_EVENT_BUS_NAME,
      rules: APPOINTMENT_EVENT_RULES,
      invoke: (target, event) => invokeFunction(target, event),
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      now: () => localClock.now(),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: Math.max(options.retryDelayMs, 1) } : {}),
      log: say,
    });
    stops.push(() => events.drain());
    const awsEndpoint = await startAwsEndpointServer({ port: await freePort(), sfn, sns, events });
    stops.push(() => awsEndpoint.stop());
    // EventBridge Scheduler's one-time schedules (staff task escalations), fired by the local clock.
    const scheduler = await startLocalScheduler({
      port: await freePort(),
      clock: localClock,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      invoke: async (targetArn, input) => {
        await invokeFunction(functionNameOfArn(targetArn), JSON.parse(input));
      },
      ...(options.dataDir ? { stateFile: join(options.dataDir, 'schedules.json') } : {}),
    });
    stops.push(() => scheduler.stop());
    if (options.dataDir) writeFileSync(join(options.dataDir, SCHEDULER_FILE), `${JSON.stringify({ endpoint: scheduler.endpoint })}\n`);

    setHandlerEnvironment({
      dynamodb: dynamodb.endpoint,
      ses: ses.endpoint,
      s3: s3.endpoint,
      awsEndpoint: awsEndpoint.url,
      scheduler: scheduler.endpoint,
      identityKey: localIdentityKey(options.dataDir),
      clearinghouse: faults.clearinghouse?.url ?? clearinghouse.url,
      payments: faults.payments?.url ?? payments.url,
      stateMachineArn: sfn.stateMachineArn,
      quiet: options.quiet ?? false,
      captureLogs: options.onLogLine !== undefined,
    });

    const table: TableRef = {
      client: DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: LOCAL_TABLE_NAME,
    };
    await ensureTable(dynamoClient, LOCAL_TABLE_NAME, { stream: true });
    // The table's stream into its two readers, as the deployed event source mappings (same filters, same settings, each
    // with its own checkpoints): archiveAuditRecords and publishAppointmentEvents. Stopped before the functions and
    // DynamoDB Local (stops run in reverse).
    const streamInto = (fn: FunctionName, filter: EventFilterPattern, delivery: StreamDeliverySettings, checkpoints: string) => {
      const poller = new DynamoDbStreamPoller({
        dynamodb: dynamoClient,
        streams: new DynamoDBStreamsClient({
          region: LOCAL_REGION,
          endpoint: dynamodb.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
        tableName: LOCAL_TABLE_NAME,
        filter,
        delivery,
        invoke: (event) => invokeFunction(fn, event),
        region: LOCAL_REGION,
        ...(options.retryDelayMs !== undefined ? { retryDelayMs: Math.max(options.retryDelayMs, 1) } : {}),
        ...(options.dataDir ? { checkpointFile: join(options.dataDir, checkpoints) } : {}),
        log: say,
      });
      poller.start();
      stops.push(() => poller.stop());
      return poller;
    };
    const auditStream = streamInto('archiveAuditRecords', AUDIT_ARCHIVE_FILTER, AUDIT_ARCHIVE_DELIVERY, 'dynamodb-streams.json');
    const appointmentStream = streamInto(
      'publishAppointmentEvents',
      APPOINTMENT_STREAM_FILTER,
      APPOINTMENT_STREAM_DELIVERY,
      'dynamodb-streams-appointments.json',
    );
    const apiKey = options.apiKey ?? newApiKey('pa_demo');
    await seedDemoClinic(table, { apiKey });
    // Executions a previous run left in flight go on, as they would have on AWS while this machine was off.
    await sfn.resume();

    const staffPassword = options.staffPassword ?? `Pa-${randomUUID()}-9a`;
    const cognitoDir = options.dataDir ? join(options.dataDir, 'cognito') : mkdtempSync(join(tmpdir(), 'patient-access-cognito-'));
    if (!options.dataDir) stops.push(async () => rmSync(cognitoDir, { recursive: true, force: true }));
    const staff = await startStaffIdentity({
      users: [...DEMO_STAFF.map((user) => ({ ...user, clinicId: DEMO_CLINIC_ID })), ...(options.extraStaff ?? [])],
      password: staffPassword,
      dataDir: cognitoDir,
    });
    stops.push(() => staff.stop());
    const staffIdentity: StaffIdentityConfig = {
      endpoint: staff.endpoint,
      userPoolId: staff.userPoolId,
      clientId: staff.clientId,
      issuer: staff.issuer,
      jwksUri: staff.jwksUri,
    };
    // `npm run token` signs in against the running stack with this.
    if (options.dataDir) writeFileSync(join(options.dataDir, STAFF_IDENTITY_FILE), `${JSON.stringify(staffIdentity, null, 2)}\n`);

    const api = await startApiGateway({
      port: options.port ?? 0,
      onError: (route, error) => say(`[api] ${route} failed: ${error.name}`),
      staffIssuer: { issuer: staff.issuer, jwksUri: staff.jwksUri, audience: [staff.clientId] },
    });
    stops.push(() => api.stop());
    // Links patients open (a waitlist offer's page) point at this API, known only once it listens.
    process.env[ENV.publicApiUrl] = api.url;

    return {
      apiUrl: api.url,
      mailViewerUrl: ses.endpoint,
      apiKey,
      clinicId: DEMO_CLINIC_ID,
      tableName: LOCAL_TABLE_NAME,
      stateMachineArn: sfn.stateMachineArn,
      endpoints: {
        dynamodb: dynamodb.endpoint,
        ses: ses.endpoint,
        sfn: awsEndpoint.url,
        sns: awsEndpoint.url,
        s3: s3.endpoint,
        clearinghouse: clearinghouse.url,
        payments: payments.url,
      },
      sfn,
      sns,
      staffIdentity,
      staffToken: (username) => staff.idToken(username),
      payments,
      table,
      auditArchive: {
        bucket: LOCAL_AUDIT_ARCHIVE_BUCKET,
        drain: (timeoutMs) => auditStream.drain(timeoutMs),
        deadLetters: auditStream.deadLetters,
        stats: auditStream.stats,
      },
      appointmentEvents: {
        /** Waits until the stream's appointment writes so far are published and every delivery has ended. */
        drain: async (timeoutMs) => {
          await appointmentStream.drain(timeoutMs);
          await events.drain();
        },
        delivered: events.delivered,
        deadLetters: events.deadLetters,
      },
      faults,
      dynamodbLocal: dynamodb,
      clock: {
        now: () => localClock.now(),
        advance: (ms) => scheduler.advance(ms),
        schedules: () => scheduler.schedules(),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What the deployed stack gives each function as configuration, with local values; plus the SDK's endpoint variables
 * and dummy credentials, so no request can ever reach a real AWS account.
 */
function setHandlerEnvironment(local: {
  dynamodb: string;
  ses: string;
  s3: string;
  awsEndpoint: string;
  scheduler: string;
  /** The patient identity key (HMAC of match keys and submission IDs): kept with the data, so matches survive restarts. */
  identityKey: string;
  clearinghouse: string;
  payments: string;
  stateMachineArn: string;
  quiet: boolean;
  captureLogs: boolean;
}): void {
  const env = process.env;
  env.AWS_REGION = LOCAL_REGION;
  env.AWS_ACCESS_KEY_ID = 'local';
  env.AWS_SECRET_ACCESS_KEY = 'local';
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  env.AWS_ENDPOINT_URL_DYNAMODB = local.dynamodb;
  env.AWS_ENDPOINT_URL_SESV2 = local.ses;
  env.AWS_ENDPOINT_URL_SES = local.ses;
  env.AWS_ENDPOINT_URL_SFN = local.awsEndpoint;
  env.AWS_ENDPOINT_URL_SNS = local.awsEndpoint;
  env.AWS_ENDPOINT_URL_EVENTBRIDGE = local.awsEndpoint;
  env.AWS_ENDPOINT_URL_S3 = local.s3;
  env.AWS_ENDPOINT_URL_SCHEDULER = local.scheduler;
  env[ENV.tableName] = LOCAL_TABLE_NAME;
  env[ENV.journeyStateMachineArn] = local.stateMachineArn;
  env[ENV.clearinghouseBaseUrl] = local.clearinghouse;
  env[ENV.clearinghouseApiKey] = CLEARINGHOUSE_API_KEY;
  env[ENV.paymentsBaseUrl] = local.payments;
  env[ENV.paymentsApiKey] = PAYMENTS_API_KEY;
  env[ENV.senderEmail] = LOCAL_SENDER_EMAIL;
  env[ENV.staffAlertsTopicArn] = STAFF_ALERTS_TOPIC_ARN;
  env[ENV.sesConfigurationSet] = LOCAL_SES_CONFIGURATION_SET;
  env[ENV.auditArchiveBucket] = LOCAL_AUDIT_ARCHIVE_BUCKET;
  env[ENV.eventBusName] = LOCAL_EVENT_BUS_NAME;
  env[ENV.patientIdentityKey] = local.identityKey;
  delete env[ENV.patientIdentityKeySecretArn];
  env[ENV.escalationScheduleGroup] = LOCAL_ESCALATION_SCHEDULE_GROUP;
  env[ENV.escalationTargetArn] = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:escalateStaffTask`;
  env[ENV.escalationSchedulerRoleArn] = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-task-escalations`;
  env[ENV.appointmentTimerGroup] = LOCAL_APPOINTMENT_TIMER_GROUP;
  env[ENV.appointmentTimerRoleArn] = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-appointment-timers`;
  env[ENV.noShowTargetArn] = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:markNoShow`;
  env[ENV.offerExpiryTargetArn] = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:expireWaitlistOffer`;
  env[ENV.reverifyTargetArn] = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:reverifyEligibility`;
  // Secrets come as plain values locally (functions/shared/secrets.ts).
  delete env[ENV.clearinghouseApiKeySecretArn];
  delete env[ENV.paymentsApiKeySecretArn];
  env.POWERTOOLS_SERVICE_NAME ??= 'patient-access';
  if (local.captureLogs) env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  else if (local.quiet) env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  else env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // The product's metrics (EMF lines on the functions' logs: journey-metrics.ts) where someone reads the log lines;
  // nothing locally turns them into metrics, and on a terminal they would drown the warnings.
  env.POWERTOOLS_METRICS_DISABLED = local.captureLogs ? 'false' : 'true';
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` → the catalog function it names. */
function functionNameOfArn(arn: string): FunctionName {
  const name = arn.split(':function:')[1];
  if (!name || !Object.hasOwn(FUNCTIONS, name)) throw new Error(`No local function for ${arn}`);
  return name as FunctionName;
}

/** A key generated once per data directory (`.local/state`), or per run in memory: match keys must outlive restarts. */
function localIdentityKey(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'patient-identity-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
