import { randomUUID } from 'node:crypto';
import { InvalidToken, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StoppedExecutionsPageSchema } from '#contract/api/ops-schema.ts';
import { API_ROUTES } from '#contract/api-routes.ts';
import type { StageName } from '#contract/journey-workflow.ts';
import { STAFF_ROLES, type StaffRole } from '#contract/staff-roles.ts';
import { decideStaffTask } from '#functions/journey/decide-staff-task.ts';
import type { ExecutionListing, ExecutionState, ExecutionStatus, JourneyExecutions } from '#functions/journey/journey-engine-port.ts';
import { makeListStoppedExecutions } from '#functions/journey/list-stopped-executions.handler.ts';
import { recordExecutionOutcome } from '#functions/journey/record-execution-outcome.ts';
import { makeRedriveExecution } from '#functions/journey/redrive-execution.handler.ts';
import { sfnJourneyExecutions } from '#functions/journey/sfn-journey-engine-adapter.ts';
import { type JourneyRecord, newJourneyRecord, STAGES } from '#model/journey.ts';
import { stoppedExecutionTaskId } from '#model/staff-task.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine, fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

/**
 * The ops view of the journey's executions, handler by handler: GET /v1/ops/executions (listStoppedExecutions) and
 * POST /v1/ops/executions/{executionId}/redrive (redriveExecution). DynamoDB Local holds the journeys and their staff
 * tasks; a stop is held for staff by the real recordExecutionOutcome, as its status-change event would. Step Functions
 * is in memory: the fake engine (test/support/fakes) and, over the same executions, a fake of the JourneyExecutions
 * port that lists them.
 */
const now = new Date('2026-12-01T10:00:00.000Z');
const MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:PatientJourney';
const arnOf = (name: string) => `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

const table = await localTable('ops-routes');
const stores = dynamoStores(table, () => now);

const routeKeyOf = (fn: string) => {
  const route = API_ROUTES.find((r) => r.function === fn);
  if (!route) throw new Error(`No route of ${fn}`);
  return `${route.method} ${route.path}`;
};
const LIST_ROUTE = routeKeyOf('listStoppedExecutions');
const REDRIVE_ROUTE = routeKeyOf('redriveExecution');

/** Clinics of this file's own: the ops people of one look after the executions of every other. */
const clinicA = `clinic-a-${randomUUID().slice(0, 6)}`;
const clinicB = `clinic-b-${randomUUID().slice(0, 6)}`;

/** A person of `clinicId` with these roles, as their ID token's claims. */
const person = (roles: readonly StaffRole[], clinicId = clinicB, sub = `u-${roles.join('-')}-${clinicId}`): StaffClaims => ({
  sub,
  username: sub,
  clinicId,
  groups: `[${roles.join(' ')}]`,
});
const OPS_B = person(['ops'], clinicB, 'u-ops-b');

let engine: ReturnType<typeof fakeJourneyEngine>;
let executions: ReturnType<typeof fakeExecutions>;

/**
 * The PatientJourney executions as ListExecutions pages them (newest first, `limit` a page, the offset as cursor),
 * each described by the fake engine, whose redrive moves it on (RUNNING, redriveCount + 1).
 */
function fakeExecutions(describe: (arn: string) => Promise<ExecutionState>) {
  const listings: Array<Omit<ExecutionListing, 'status'>> = [];
  const lists: Array<{ status: ExecutionStatus; limit: number; cursor?: string }> = [];
  const port: JourneyExecutions = {
    async list(query) {
      lists.push(query);
      const all: ExecutionListing[] = [];
      for (const listing of listings) {
        const { status } = await describe(listing.executionArn);
        if (status === query.status) all.push({ ...listing, status });
      }
      const start = query.cursor ? Number(query.cursor) : 0;
      const end = start + query.limit;
      return { executions: all.slice(start, end), ...(end < all.length ? { next: String(end) } : {}) };
    },
    describe,
    executionArnOf: arnOf,
  };
  return {
    port,
    lists,
    /** An execution started (newest first in the list). */
    add: (listing: Omit<ExecutionListing, 'status'>) => void listings.unshift(listing),
  };
}

beforeEach(() => {
  engine = fakeJourneyEngine();
  executions = fakeExecutions((arn) => engine.port.describe(arn));
});

const alerts = fakeStaffAlerts();
const outcomeDeps = () => ({
  ...stores,
  alerts: alerts.port,
  escalations: fakeEscalations().port,
  engine: engine.port,
  metrics: noMetrics,
  now: () => now,
});
const listHandler = () => makeListStoppedExecutions({ ...stores, executions: executions.port });
const redriveHandler = () =>
  makeRedriveExecution({
    ...stores,
    engine: engine.port,
    executions: executions.port,
    escalations: fakeEscalations().port,
    metrics: noMetrics,
    now: () => now,
  });

/** A journey of `clinicId` as the workflow leaves it when its execution stops: the stages before `stage` done. */
async function seedJourney(clinicId: string, stage: StageName) {
  const journeyId = randomUUID();
  const patientId = `p-${journeyId.slice(0, 8)}`;
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId }, now);
  for (const earlier of STAGES.slice(0, STAGES.indexOf(stage))) journey.stages[earlier] = { status: 'COMPLETED', at: now.toISOString() };
  journey.stages[stage] = { status: 'IN_PROGRESS', at: now.toISOString() };
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return { clinicId, journeyId, patientId, executionArn: arnOf(journeyId) };
}

type Seeded = Awaited<ReturnType<typeof seedJourney>>;

interface StopOptions {
  stage?: StageName;
  status?: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  error?: string;
  /** The stop's status-change event has been handled: the journey waits on its EXECUTION_STOPPED task. */
  held?: boolean;
  startedAt?: string;
  stoppedAt?: string;
}

/** A journey whose execution stopped, listed by Step Functions and (unless `held: false`) held for staff. */
async function stoppedJourney(clinicId: string, options: StopOptions = {}): Promise<Seeded> {
  const { stage = 'SCHEDULING', status = 'FAILED', error = 'AwsServiceUnavailable', held = true } = options;
  const ref = await seedJourney(clinicId, stage);
  engine.givenExecution(ref.executionArn, {
    status,
    error,
    input: { clinicId, journeyId: ref.journeyId, resume: { action: 'START' } },
  });
  executions.add({
    executionArn: ref.executionArn,
    name: ref.journeyId,
    startedAt: options.startedAt ?? '2026-12-01T09:00:00.000Z',
    stoppedAt: options.stoppedAt ?? '2026-12-01T09:30:00.000Z',
  });
  if (held) {
    const outcome = await recordExecutionOutcome(outcomeDeps(), { executionArn: ref.executionArn, status, error, redriveCount: 0 });
    expect(outcome).toEqual({ outcome: 'HELD_FOR_STAFF' });
  }
  return ref;
}

async function list(query: Record<string, string> = {}, as: StaffClaims | null = OPS_B, handler = listHandler()) {
  const event = staffEvent({ routeKey: LIST_ROUTE, pathParameters: {}, person: as });
  const response = await handler({ ...event, queryStringParameters: query }, lambdaContext);
  return { status: response.statusCode, body: JSON.parse(response.body ?? '{}'), text: response.body ?? '' };
}

async function redrive(executionId: string, as: StaffClaims | null = OPS_B) {
  const event = staffEvent({ routeKey: REDRIVE_ROUTE, pathParameters: { executionId }, person: as });
  const response = await redriveHandler()(event, lambdaContext);
  return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') };
}

const taskOf = (ref: Seeded, run = 0) => stores.tasks.get(ref.clinicId, stoppedExecutionTaskId(ref.executionArn, run));
const journeyOf = (ref: Seeded) => stores.journeys.get(ref, { consistent: true }) as Promise<JourneyRecord>;
const listedIds = (body: { executions: Array<{ executionId: string }> }) => body.executions.map((e) => e.executionId);

describe('Function: listStoppedExecutions (GET /v1/ops/executions)', () => {
  it("lists each stopped execution with its clinic, journey, error name, stage and whether staff hold it, for another clinic's ops", async () => {
    // prepare
    const held = await stoppedJourney(clinicA, { stage: 'SCHEDULING', stoppedAt: '2026-12-01T09:40:00.000Z' });
    const notYetHeld = await stoppedJourney(clinicB, {
      stage: 'PAYMENT',
      error: 'States.Timeout',
      held: false,
      startedAt: '2026-12-01T09:10:00.000Z',
      stoppedAt: '2026-12-01T09:50:00.000Z',
    });

    // act
    const answer = await list({}, person(['ops'], 'some-third-clinic'));

    // assess
    expect(answer.status).toBe(200);
    expect(StoppedExecutionsPageSchema.parse(answer.body)).toEqual(answer.body);
    expect(answer.body).toEqual({
      executions: [
        {
          executionId: notYetHeld.journeyId,
          executionArn: notYetHeld.executionArn,
          clinicId: clinicB,
          journeyId: notYetHeld.journeyId,
          status: 'FAILED',
          error: 'States.Timeout',
          heldForStaff: false,
          startedAt: '2026-12-01T09:10:00.000Z',
          stoppedAt: '2026-12-01T09:50:00.000Z',
        },
        {
          executionId: held.journeyId,
          executionArn: held.executionArn,
          clinicId: clinicA,
          journeyId: held.journeyId,
          status: 'FAILED',
          error: 'AwsServiceUnavailable',
          stage: 'SCHEDULING',
          heldForStaff: true,
          startedAt: '2026-12-01T09:00:00.000Z',
          stoppedAt: '2026-12-01T09:40:00.000Z',
        },
      ],
    });
    expect(executions.lists).toEqual([{ status: 'FAILED', limit: 20 }]);
  });

  it('reads nothing of the patient: no patient ID, task reason or notes in the answer, and no audit record written', async () => {
    // prepare
    const ref = await stoppedJourney(clinicA);
    const task = await taskOf(ref);
    await stores.tasks.addNote(
      task as NonNullable<typeof task>,
      { at: now.toISOString(), by: 'user:u-ops-b', text: 'Called Jordan Quintero on +16175550123' },
      now,
      {
        clinicId: clinicA,
        actor: 'user:u-ops-b',
        action: 'staffTask.note',
        journeyId: ref.journeyId,
        patientId: ref.patientId,
        outcome: 'success',
      },
    );

    const auditsBefore = await journeyAudits(table, ref, now);

    // act
    const answer = await list();

    // assess
    expect(answer.status).toBe(200);
    expect(await journeyAudits(table, ref, now)).toEqual(auditsBefore);
    expect(task?.reason).toBeTruthy();
    expect(answer.text).not.toContain(ref.patientId);
    expect(answer.text).not.toContain(task?.reason ?? 'no reason');
    expect(answer.text).not.toContain('Quintero');
    expect(answer.text).not.toContain(task?.taskId ?? 'no task');
    const ALLOWED = [
      'executionId',
      'executionArn',
      'clinicId',
      'journeyId',
      'status',
      'error',
      'stage',
      'heldForStaff',
      'startedAt',
      'stoppedAt',
    ];
    expect(answer.body.executions).toHaveLength(1);
    for (const execution of answer.body.executions) expect(Object.keys(execution).filter((key) => !ALLOWED.includes(key))).toEqual([]);
  });

  it('shows a stop that staff have decided (CANCEL: the execution stays FAILED) with its stage, no longer held', async () => {
    // prepare
    const ref = await stoppedJourney(clinicA, { stage: 'ELIGIBILITY' });
    await decideStaffTask(
      { ...stores, engine: engine.port, escalations: fakeEscalations().port, metrics: noMetrics, now: () => now },
      { clinicId: clinicA, taskId: stoppedExecutionTaskId(ref.executionArn, 0), actor: 'user:u-ops-b', roles: ['ops'], action: 'CANCEL' },
    );

    // act
    const answer = await list();

    // assess
    expect(answer.status).toBe(200);
    expect(answer.body.executions).toEqual([
      expect.objectContaining({ executionId: ref.journeyId, stage: 'ELIGIBILITY', heldForStaff: false, status: 'FAILED' }),
    ]);
    expect((await journeyOf(ref)).status).toBe('CANCELLED');
  });

  it('keeps the executions that stopped at or after `since` (an offset is read as the instant it names)', async () => {
    // prepare
    const early = await stoppedJourney(clinicA, { held: false, stoppedAt: '2026-12-01T09:00:00.000Z' });
    const atSince = await stoppedJourney(clinicA, { held: false, stoppedAt: '2026-12-01T10:00:00.000Z' });
    const late = await stoppedJourney(clinicA, { held: false, stoppedAt: '2026-12-01T11:00:00.000Z' });

    // act
    const utc = await list({ since: '2026-12-01T10:00:00Z' });
    const offset = await list({ since: '2026-12-01T12:00:00+02:00' });
    const fractional = await list({ since: '2026-12-01T09:59:59.999Z' });
    const all = await list();

    // assess
    expect(utc.status).toBe(200);
    expect(listedIds(utc.body)).toEqual([late.journeyId, atSince.journeyId]);
    expect(listedIds(offset.body)).toEqual([late.journeyId, atSince.journeyId]);
    expect(listedIds(fractional.body)).toEqual([late.journeyId, atSince.journeyId]);
    expect(listedIds(all.body)).toEqual([late.journeyId, atSince.journeyId, early.journeyId]);
  });

  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('lists only the %s executions when asked for that status', async (status) => {
    // prepare
    const byStatus = {
      FAILED: await stoppedJourney(clinicA, { status: 'FAILED', held: false }),
      TIMED_OUT: await stoppedJourney(clinicA, { status: 'TIMED_OUT', error: 'States.Timeout', held: false }),
      ABORTED: await stoppedJourney(clinicA, { status: 'ABORTED', held: false }),
    };
    const running = await seedJourney(clinicA, 'INTAKE');
    engine.givenExecution(running.executionArn, { status: 'RUNNING', input: { clinicId: clinicA, journeyId: running.journeyId } });
    executions.add({ executionArn: running.executionArn, name: running.journeyId, startedAt: '2026-12-01T09:55:00.000Z' });

    // act
    const answer = await list({ status });

    // assess
    expect(answer.status).toBe(200);
    expect(listedIds(answer.body)).toEqual([byStatus[status].journeyId]);
    expect(answer.body.executions[0]?.status).toBe(status);
    expect(executions.lists).toEqual([{ status, limit: 20 }]);
  });

  it('passes `limit` and `cursor` to Step Functions and answers its next page token as `next`', async () => {
    // prepare
    const oldest = await stoppedJourney(clinicA, { held: false });
    const middle = await stoppedJourney(clinicA, { held: false });
    const newest = await stoppedJourney(clinicA, { held: false });

    // act
    const first = await list({ limit: '2' });
    const second = await list({ limit: '2', cursor: first.body.next });

    // assess
    expect(first.status).toBe(200);
    expect(listedIds(first.body)).toEqual([newest.journeyId, middle.journeyId]);
    expect(first.body.next).toEqual(expect.any(String));
    expect(listedIds(second.body)).toEqual([oldest.journeyId]);
    expect(second.body.next).toBeUndefined();
    expect(executions.lists).toEqual([
      { status: 'FAILED', limit: 2 },
      { status: 'FAILED', limit: 2, cursor: first.body.next },
    ]);
  });

  it('answers 400, not 500, for a cursor Step Functions refuses (expired after 24 hours, or not one of its tokens)', async () => {
    // prepare: the real adapter over an SDK client that answers ListExecutions as Step Functions does for such a token
    const client = new SFNClient({});
    mockClient(client)
      .on(ListExecutionsCommand)
      .rejects(new InvalidToken({ message: 'Invalid Token: the token has expired', $metadata: { httpStatusCode: 400 } }));
    const handler = makeListStoppedExecutions({ ...stores, executions: sfnJourneyExecutions(client, MACHINE_ARN) });

    // act
    const answer = await list({ cursor: 'eyJleHBpcmVkIjp0cnVlfQ' }, OPS_B, handler);

    // assess
    expect(answer.status).toBe(400);
  });

  it('leaves out an execution that ListExecutions (eventually consistent) still lists as FAILED but that runs again since', async () => {
    // prepare: the stop is redriven; the list Step Functions answers has not caught up
    const ref = await stoppedJourney(clinicA);
    expect((await redrive(ref.journeyId)).status).toBe(200);
    const stale: JourneyExecutions = {
      ...executions.port,
      list: async () => ({
        executions: [
          {
            executionArn: ref.executionArn,
            name: ref.journeyId,
            status: 'FAILED',
            startedAt: '2026-12-01T09:00:00.000Z',
            stoppedAt: '2026-12-01T09:30:00.000Z',
          },
        ],
      }),
    };

    // act
    const answer = await list({}, OPS_B, makeListStoppedExecutions({ ...stores, executions: stale }));

    // assess: the execution is RUNNING (redriveCount 1): it is not a FAILED execution to show ops
    expect(await engine.port.describe(ref.executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect(answer.status).toBe(200);
    expect(answer.body.executions).toEqual([]);
  });

  it.each([
    ['status of a running execution', { status: 'RUNNING' }],
    ['status that succeeded', { status: 'SUCCEEDED' }],
    ['status in lower case', { status: 'failed' }],
    ['limit 0', { limit: '0' }],
    ['limit above 50', { limit: '51' }],
    ['limit not a number', { limit: 'ten' }],
    ['limit not whole', { limit: '1.5' }],
    ['since not a time', { since: 'yesterday' }],
    ['since a date without a time', { since: '2026-12-01' }],
    ['since without an offset', { since: '2026-12-01T10:00:00' }],
    ['empty cursor', { cursor: '' }],
    ['unknown parameter', { clinicId: clinicA }],
  ])('answers 400 for a %s, without asking Step Functions', async (_, query) => {
    // act
    const answer = await list(query);

    // assess
    expect(answer.status).toBe(400);
    expect(executions.lists).toEqual([]);
  });
});

describe('Function: redriveExecution (POST /v1/ops/executions/{executionId}/redrive)', () => {
  it("makes the RETRY of the stop's task as the ops person: task decided, journey RUNNING, execution redriven once", async () => {
    // prepare
    const ref = await stoppedJourney(clinicA, { stage: 'SCHEDULING' });
    const taskId = stoppedExecutionTaskId(ref.executionArn, 0);

    // act
    const answer = await redrive(ref.journeyId);

    // assess
    expect(answer).toEqual({ status: 200, body: { taskId, journeyId: ref.journeyId, action: 'RETRY', status: 'DECIDED' } });
    expect(await taskOf(ref)).toMatchObject({
      kind: 'EXECUTION_STOPPED',
      status: 'DECIDED',
      decision: { action: 'RETRY', decidedBy: 'user:u-ops-b', decidedAt: now.toISOString() },
    });
    expect(await journeyOf(ref)).toMatchObject({
      status: 'RUNNING',
      stages: { SCHEDULING: { status: 'IN_PROGRESS', staffTaskId: taskId } },
    });
    expect(engine.callsOf('redrive')).toEqual([ref.executionArn]);
    expect(await engine.port.describe(ref.executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    const decisions = auditRecords(await journeyAudits(table, ref, now)).filter((r) => r.actions.includes('staffTask.decide'));
    expect(decisions).toEqual([
      expect.objectContaining({ actor: 'user:u-ops-b', journeyId: ref.journeyId, via: REDRIVE_ROUTE, outcome: 'success' }),
    ]);
  });

  it.each(['TIMED_OUT', 'ABORTED'] as const)('redrives a %s execution held for staff the same way', async (status) => {
    // prepare
    const ref = await stoppedJourney(clinicA, { status, error: status === 'TIMED_OUT' ? 'States.Timeout' : 'Aborted' });

    // act
    const answer = await redrive(ref.journeyId);

    // assess
    expect(answer.status).toBe(200);
    expect(engine.callsOf('redrive')).toEqual([ref.executionArn]);
    expect((await journeyOf(ref)).status).toBe('RUNNING');
  });

  it('answers a repeat after the redrive with 200, without redriving the running execution a second time', async () => {
    // prepare
    const ref = await stoppedJourney(clinicA);
    const first = await redrive(ref.journeyId);

    // act
    const repeat = await redrive(ref.journeyId);

    // assess
    expect(first.status).toBe(200);
    expect(repeat).toEqual(first);
    expect(await engine.port.describe(ref.executionArn)).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect((await journeyOf(ref)).status).toBe('RUNNING');
    expect(await taskOf(ref)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY', decidedBy: 'user:u-ops-b' } });
  });

  it('answers a repeat after the redriven execution has succeeded with 200, and leaves the completed journey alone', async () => {
    // prepare
    const ref = await stoppedJourney(clinicA, { stage: 'CONFIRMATION' });
    await redrive(ref.journeyId);
    engine.givenExecution(ref.executionArn, {
      status: 'SUCCEEDED',
      redriveCount: 1,
      input: { clinicId: clinicA, journeyId: ref.journeyId, resume: { action: 'START' } },
    });
    await stores.journeys.close(ref, { status: 'COMPLETED', stages: (await journeyOf(ref)).stages, removeAppointment: false }, now);

    // act
    const repeat = await redrive(ref.journeyId);

    // assess
    expect(repeat.status).toBe(200);
    expect((await journeyOf(ref)).status).toBe('COMPLETED');
  });

  it('answers 404 for an execution Step Functions does not know, and for one that is not a journey', async () => {
    // prepare
    const stranger = randomUUID();
    engine.givenExecution(arnOf(stranger), { status: 'FAILED', input: { something: 'else' } });

    // act
    const unknown = await redrive(randomUUID());
    const notAJourney = await redrive(stranger);

    // assess
    expect(unknown.status).toBe(404);
    expect(notAJourney.status).toBe(404);
    expect(engine.callsOf('redrive')).toEqual([]);
  });

  it.each(['RUNNING', 'SUCCEEDED'] as const)('answers 409 for a %s execution never redriven, deciding nothing', async (status) => {
    // prepare
    const ref = await seedJourney(clinicA, 'SCHEDULING');
    engine.givenExecution(ref.executionArn, { status, input: { clinicId: clinicA, journeyId: ref.journeyId } });

    // act
    const answer = await redrive(ref.journeyId);

    // assess
    expect(answer.status).toBe(409);
    expect(engine.callsOf('redrive')).toEqual([]);
    expect((await journeyOf(ref)).status).toBe('RUNNING');
  });

  it('answers 409 for a stop not held for staff yet (no task), opening none and redriving nothing', async () => {
    // prepare
    const ref = await stoppedJourney(clinicA, { held: false });

    // act
    const answer = await redrive(ref.journeyId);

    // assess
    expect(answer.status).toBe(409);
    expect(answer.body.message).toMatch(/not held for staff/);
    expect(await taskOf(ref)).toBeUndefined();
    expect(engine.callsOf('redrive')).toEqual([]);
    expect(await engine.port.describe(ref.executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 0 });
  });

  it('answers 400 for an execution ID that cannot be an execution name, asking Step Functions nothing', async () => {
    // act
    const bad = await Promise.all(['a:b', 'x'.repeat(101), '-leading', 'a/b', ''].map((id) => redrive(id)));

    // assess
    expect(bad.map((b) => b.status)).toEqual([400, 400, 400, 400, 400]);
    expect(engine.calls).toEqual([]);
  });
});

describe('Ops routes: who may call them (ops of any clinic only, deployment-wide)', () => {
  const OTHERS = STAFF_ROLES.filter((role) => role !== 'ops');

  it.each([
    ['the clinic of the execution', person(['ops'], clinicA, 'u-ops-a')],
    ['another clinic', person(['ops'], clinicB, 'u-ops-other')],
    ['another clinic, ops among other roles', person(['front-desk', 'ops'], 'third-clinic', 'u-desk-ops')],
  ])('lets an ops person of %s list and redrive (200)', async (_, claims) => {
    // prepare
    const ref = await stoppedJourney(clinicA);

    // act
    const listed = await list({}, claims);
    const redriven = await redrive(ref.journeyId, claims);

    // assess
    expect(listed.status).toBe(200);
    expect(listedIds(listed.body)).toContain(ref.journeyId);
    expect(redriven.status).toBe(200);
    expect(await taskOf(ref)).toMatchObject({ decision: { decidedBy: `user:${claims.sub}` } });
  });

  it.each(OTHERS)("refuses %s staff (403), even of the execution's clinic, deciding and redriving nothing", async (role) => {
    // prepare
    const ref = await stoppedJourney(clinicA);
    engine.calls.splice(0);

    // act
    const listed = await list({}, person([role], clinicA));
    const redriven = await redrive(ref.journeyId, person([role], clinicA));

    // assess
    expect(listed.status).toBe(403);
    expect(redriven.status).toBe(403);
    expect(executions.lists).toEqual([]);
    expect(engine.calls).toEqual([]);
    expect(await taskOf(ref)).toMatchObject({ status: 'OPEN' });
  });

  it.each([
    ['no token', null],
    ['an access token', { ...person(['ops']), tokenUse: 'access' as const }],
  ])('answers 401 with %s, before reading the query or the path', async (_, claims) => {
    // prepare
    const ref = await stoppedJourney(clinicA);
    engine.calls.splice(0);

    // act
    const listed = await list({ status: 'RUNNING' }, claims);
    const redriven = await redrive(ref.journeyId, claims);

    // assess
    expect(listed.status).toBe(401);
    expect(redriven.status).toBe(401);
    expect(engine.calls).toEqual([]);
    expect(await taskOf(ref)).toMatchObject({ status: 'OPEN' });
  });

  it('refuses an ops person whose token names no clinic (403)', async () => {
    // act
    const listed = await list({}, { ...person(['ops']), clinicId: '' });

    // assess
    expect(listed.status).toBe(403);
  });
});
