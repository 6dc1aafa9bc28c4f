import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoppedExecutionsPageSchema } from '#contract/api/ops-schema.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { invokeFunction } from '#local/lambda-runtime.ts';

/**
 * The ops view of the journey's executions on the local cloud, over HTTP: a real journey execution FAILS (the
 * clearinghouse is down, so eligibility stops for staff, and the hold cannot be recorded: HoldForStaff fails past its
 * retries, as it would with DynamoDB unreachable), the status-change rule holds the stop for staff (an
 * EXECUTION_STOPPED task in the ops queue), GET /v1/ops/executions lists it for the ops person of ANOTHER clinic, and
 * POST …/redrive resumes it: the redriven hold (the real parkForStaff) carries out the RETRY, eligibility runs again
 * against the healed clearinghouse and the journey COMPLETES. This file has a cloud of its own.
 */
let cloud: LocalCloud;
/** While true, every HoldForStaff call fails as parkForStaff does when it cannot record the hold. */
let holdsFail = true;

beforeAll(async () => {
  cloud = await startLocalCloud({
    quiet: true,
    retryDelayMs: 0,
    faultProxies: { clearinghouse: 'unavailable' },
    stateOverrides: {
      HoldForStaff: (parameters) => {
        if (holdsFail) throw Object.assign(new Error('The table is unreachable'), { name: 'AwsServiceUnavailable' });
        return invokeFunction('parkForStaff', (parameters as { Payload: unknown }).Payload);
      },
    },
    extraStaff: [
      { username: 'elsewhere-ops', clinicId: 'other-clinic', roles: ['ops'] },
      { username: 'elsewhere-admin', clinicId: 'other-clinic', roles: ['admin'] },
    ],
  });
});

afterAll(async () => {
  await cloud?.stop();
});

const OPS_URL = () => `${cloud.apiUrl}/v1/ops/executions`;
const clinicApi = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;
const executionArnOf = (journeyId: string) => `${cloud.stateMachineArn.replace(':stateMachine:', ':execution:')}:${journeyId}`;

async function as(username: string | null, init: RequestInit = {}): Promise<RequestInit> {
  const auth: Record<string, string> = username ? { authorization: `Bearer ${await cloud.staffToken(username)}` } : {};
  return { ...init, headers: { 'content-type': 'application/json', ...auth, ...init.headers } };
}

async function submitExample(name: string): Promise<string> {
  const response = await fetch(`${clinicApi()}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
    body: readFileSync(`examples/${name}.json`, 'utf8'),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { journeyId: string }).journeyId;
}

async function journeyView(
  journeyId: string,
): Promise<{ status: string; stages: Array<{ name: string; status: string; staffTaskId?: string }> }> {
  const response = await fetch(`${clinicApi()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ status: string; stages: Array<{ name: string; status: string; staffTaskId?: string }> }>;
}

/** The execution once it has closed and its status-change event has reached recordExecutionOutcome. */
async function settled(executionArn: string) {
  const execution = await cloud.sfn.awaitExecution(executionArn, 60_000);
  await cloud.sfn.awaitEventsDelivered(60_000);
  return execution;
}

async function listStopped(username: string | null = 'elsewhere-ops', query = '') {
  const response = await fetch(`${OPS_URL()}${query}`, await as(username));
  return { status: response.status, text: await response.text() };
}

describe('Local stack: ops see a failed journey execution held for staff and redrive it to its end', () => {
  let journeyId: string;
  let executionArn: string;

  it('fails the execution when the hold cannot be recorded, and holds the stop for staff in the ops queue', async () => {
    // prepare
    journeyId = await submitExample('completes');
    executionArn = executionArnOf(journeyId);

    // act
    const execution = await settled(executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'AwsServiceUnavailable', redriveCount: 0 });
    const view = await journeyView(journeyId);
    expect(view.status).toBe('WAITING_FOR_STAFF');
    const taskId = view.stages.find((s) => s.name === 'ELIGIBILITY')?.staffTaskId;
    expect(view.stages.find((s) => s.name === 'ELIGIBILITY')).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      staffTaskId: expect.any(String),
    });
    const queue = await fetch(`${clinicApi()}/staff-tasks?queue=ops`, await as('ops'));
    expect(queue.status).toBe(200);
    const { tasks } = (await queue.json()) as { tasks: Array<{ taskId: string; kind: string; stage: string; queue: string }> };
    expect(tasks.find((t) => t.taskId === taskId)).toMatchObject({ kind: 'EXECUTION_STOPPED', stage: 'ELIGIBILITY', queue: 'ops' });
  });

  it("lists it for another clinic's ops person with its clinic, journey, error name, stage and heldForStaff, nothing of the patient", async () => {
    // act
    const answer = await listStopped(
      'elsewhere-ops',
      `?status=FAILED&since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
    );

    // assess
    expect(answer.status).toBe(200);
    const page = StoppedExecutionsPageSchema.parse(JSON.parse(answer.text));
    expect(page.executions.find((e) => e.executionId === journeyId)).toEqual({
      executionId: journeyId,
      executionArn,
      clinicId: cloud.clinicId,
      journeyId,
      status: 'FAILED',
      error: 'AwsServiceUnavailable',
      stage: 'ELIGIBILITY',
      heldForStaff: true,
      startedAt: expect.any(String),
      stoppedAt: expect.any(String),
    });
    const example = JSON.parse(readFileSync('examples/completes.json', 'utf8')) as {
      patient: { firstName: string; lastName: string; birthDate: string };
      contact: { email: string };
    };
    for (const detail of [example.patient.lastName, example.patient.birthDate, example.contact.email])
      expect(answer.text).not.toContain(detail);
  });

  it('answers 400, not 500, for a cursor Step Functions refuses (InvalidToken)', async () => {
    // act
    const answer = await listStopped('elsewhere-ops', '?cursor=not-a-page-token');

    // assess
    expect(answer.status).toBe(400);
  });

  it('answers 401 without a token and 403 to staff who are not ops (an admin included), over HTTP', async () => {
    // act
    const anonymous = await listStopped(null);
    const frontDesk = await listStopped('frontdesk');
    const admin = await listStopped('elsewhere-admin');
    const redriveByDesk = await fetch(`${OPS_URL()}/${journeyId}/redrive`, await as('frontdesk', { method: 'POST' }));
    const redriveAnonymous = await fetch(`${OPS_URL()}/${journeyId}/redrive`, await as(null, { method: 'POST' }));

    // assess
    expect([anonymous.status, frontDesk.status, admin.status]).toEqual([401, 403, 403]);
    expect([redriveByDesk.status, redriveAnonymous.status]).toEqual([403, 401]);
    expect(cloud.sfn.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 0 });
  });

  it('resumes it on POST …/redrive once the dependency is back: the journey runs on to COMPLETED', async () => {
    // prepare: what made it fail has passed
    holdsFail = false;
    await cloud.faults.clearinghouse?.pass();

    // act
    const response = await fetch(`${OPS_URL()}/${journeyId}/redrive`, await as('elsewhere-ops', { method: 'POST' }));
    const body = await response.json();
    const execution = await settled(executionArn);

    // assess
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ journeyId, action: 'RETRY', status: 'DECIDED', taskId: expect.any(String) });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect((await journeyView(journeyId)).status).toBe('COMPLETED');
    const after = await listStopped();
    expect(after.status).toBe(200);
    expect(StoppedExecutionsPageSchema.parse(JSON.parse(after.text)).executions.map((e) => e.executionId)).not.toContain(journeyId);
  });

  it('answers a repeat of the redrive with 200 and leaves the completed journey as it is', async () => {
    // act
    const repeat = await fetch(`${OPS_URL()}/${journeyId}/redrive`, await as('elsewhere-ops', { method: 'POST' }));

    // assess
    expect(repeat.status).toBe(200);
    expect(cloud.sfn.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect((await journeyView(journeyId)).status).toBe('COMPLETED');
  });
});
