/**
 * npm run bench — what one demo journey costs: state transitions, DynamoDB capacity (ReturnConsumedCapacity on every
 * call), Lambda invocations and duration, emails and SMS, bundle sizes and cold import times, and the AWS bill per
 * 1,000 journeys at us-east-1 list prices (../shared/NOTES.md). Runs the real local cloud; prints figures, asserts none.
 */
import { readFileSync } from 'node:fs';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { startLocalCloud } from '#local/cloud.ts';
import { DYNAMODB_CAPACITY_PRELOAD, onDynamoDbCapacity } from '#local/lambda-runtime/dynamodb-capacity.ts';
import { functionNameFromArn, invokeFunction, localLambda } from '#local/lambda-runtime.ts';
import { readSentEmails } from '#local/ses-emulator.ts';
import { loadJourneyDefinition, taskStates } from '#local/step-functions/definition.ts';
import type { StateOverride } from '#local/step-functions/service.ts';
import { measureBundles } from './bundles.ts';

const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 20);
/** Each journey's status is read once by the clinic's system (GET journeys/{id}). */
const STATUS_READS_PER_JOURNEY = 1;

const PRICE = {
  stateTransition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  email: 0.1 / 1000,
  smsPart: 0.0058 + 0.0035,
  httpApiRequest: 1 / 1e6,
};

const capacity = { read: 0, write: 0 };
const lambda = { invocations: 0, gbSeconds: 0 };
const READ_COMMANDS = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand', 'TransactGetCommand', 'GetItemCommand', 'QueryCommand']);

/**
 * Lambda tasks run through a timing wrapper (their DynamoDB calls are metered by the handlers' client). The park
 * states (lambda:invoke.waitForTaskToken) are left to the service: the demo journey never parks. Any other kind of
 * Task (a direct service integration) would escape the meters, so the bench refuses it rather than under-report.
 */
function meteredStateOverrides(): Record<string, StateOverride> {
  const overrides: Record<string, StateOverride> = {};
  for (const task of taskStates(loadJourneyDefinition())) {
    if (task.resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') continue;
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
    chargeLambda(name, performance.now() - start);
  }
}

function chargeLambda(name: FunctionName, ms: number) {
  lambda.invocations += 1;
  lambda.gbSeconds += (Math.ceil(ms) / 1000) * (FUNCTIONS[name].memorySize / 1024);
}

async function main() {
  const cloud = await startLocalCloud({ quiet: true, stateOverrides: meteredStateOverrides() });
  try {
    // Each function runs in its own worker with its own clients: a preloaded meter reports their consumed capacity.
    localLambda.setPreload([DYNAMODB_CAPACITY_PRELOAD]);
    onDynamoDbCapacity(({ commandName, units }) => {
      if (READ_COMMANDS.has(commandName)) capacity.read += units;
      else capacity.write += units;
    });
    const body = JSON.parse(readFileSync('examples/completes.json', 'utf8')) as Record<string, unknown>;
    // Warm-up journey: module loading is a cold start, measured separately below.
    await runJourney(cloud, body, 'bench-warmup');
    capacity.read = capacity.write = 0;
    lambda.invocations = lambda.gbSeconds = 0;
    const mailBefore = (await readSentEmails(cloud.endpoints.ses)).length;

    let transitions = 0;
    const started = performance.now();
    for (let i = 0; i < JOURNEYS; i++) transitions += (await runJourney(cloud, body, `bench-journey-${i}`)).transitions;
    const msPerJourney = (performance.now() - started) / JOURNEYS;
    const emails = ((await readSentEmails(cloud.endpoints.ses)).length - mailBefore) / JOURNEYS;
    const perJourney: PerJourney = {
      transitions: transitions / JOURNEYS,
      rcu: capacity.read / JOURNEYS,
      wcu: capacity.write / JOURNEYS,
      lambdaInvocations: lambda.invocations / JOURNEYS + 2 * (1 + STATUS_READS_PER_JOURNEY), // + authorizer and route handler per API call
      lambdaGbSeconds: lambda.gbSeconds / JOURNEYS,
      emails,
      sms: 0,
      apiRequests: 1 + STATUS_READS_PER_JOURNEY,
    };
    report(perJourney, msPerJourney);
  } finally {
    await cloud.stop();
  }
  const bundles = await measureBundles();
  console.log('\nHandler bundles (esbuild, same settings as the house construct, SDK included)');
  for (const b of bundles)
    console.log(
      `  ${b.name.padEnd(20)} ${(b.bytes / 1024).toFixed(0).padStart(6)} KiB   cold import ${b.coldImportMs.toFixed(0).padStart(4)} ms`,
    );
}

async function runJourney(cloud: Awaited<ReturnType<typeof startLocalCloud>>, body: Record<string, unknown>, key: string) {
  const response = await fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`submission answered ${response.status}: ${await response.text()}`);
  const { journeyId } = (await response.json()) as { journeyId: string };
  const executionArn = cloud.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${journeyId}`;
  const done = await cloud.sfn.awaitExecution(executionArn);
  if (done.status !== 'SUCCEEDED') throw new Error(`journey ${journeyId} ended ${done.status}`);
  await fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } });
  // AWS bills one transition per state entered (retries count too; the demo journey has none).
  return { journeyId, transitions: cloud.sfn.enteredStates(executionArn).length };
}

interface PerJourney {
  transitions: number;
  rcu: number;
  wcu: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  emails: number;
  sms: number;
  apiRequests: number;
}

function report(p: PerJourney, msPerJourney: number) {
  const cost = {
    'Step Functions': p.transitions * PRICE.stateTransition,
    'Lambda requests': p.lambdaInvocations * PRICE.lambdaRequest,
    'Lambda duration': p.lambdaGbSeconds * PRICE.lambdaGbSecondArm,
    'DynamoDB writes': p.wcu * PRICE.writeUnit,
    'DynamoDB reads': p.rcu * PRICE.readUnit,
    'SES email': p.emails * PRICE.email,
    SMS: p.sms * PRICE.smsPart,
    'HTTP API': p.apiRequests * PRICE.httpApiRequest,
  };
  console.log(`Demo journey (examples/completes.json), ${JOURNEYS} journeys after one warm-up, local cloud`);
  console.log(`  state transitions        ${p.transitions.toFixed(1)}`);
  console.log(`  DynamoDB RCU / WCU       ${p.rcu.toFixed(1)} / ${p.wcu.toFixed(1)}`);
  console.log(
    `  Lambda invocations       ${p.lambdaInvocations.toFixed(1)} (${p.lambdaGbSeconds.toFixed(4)} GB-s of workflow tasks, in-process timing)`,
  );
  console.log(`  emails / SMS             ${p.emails.toFixed(1)} / ${p.sms}`);
  console.log(`  API requests             ${p.apiRequests}`);
  console.log(`  wall time per journey    ${msPerJourney.toFixed(0)} ms (local, not a Lambda figure)`);
  console.log('\nCost per 1,000 journeys (us-east-1 list prices)');
  let total = 0;
  for (const [name, perJourney] of Object.entries(cost)) {
    total += perJourney * 1000;
    console.log(`  ${name.padEnd(18)} $${(perJourney * 1000).toFixed(4)}`);
  }
  console.log(`  ${'total'.padEnd(18)} $${total.toFixed(4)}`);
}

await main();
