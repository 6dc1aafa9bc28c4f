import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyViewBody, JourneyViewSchema } from '#contract/api/journey-view-schema.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { DEMO_CLINIC_ID, demoClinicCatalog } from '#local/seed/demo-clinic.ts';

/**
 * Corrections that resume the journey, on the local cloud over HTTP: a journey parked at eligibility, the front desk
 * corrects the insurance on file (PATCH …/coverage), then decides RETRY, and the journey runs to its end with what is
 * now true. This file has a cloud of its own.
 */
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ quiet: true });
});

afterAll(async () => {
  await cloud?.stop();
});

type Example = {
  insurance: { memberId: string };
  visit: { appointmentTypeCode: string };
};
const example = (name: string) => JSON.parse(readFileSync(`examples/${name}.json`, 'utf8')) as Example;

const api = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;

async function as(username: string | null, init: RequestInit = {}): Promise<RequestInit> {
  const auth: Record<string, string> = username ? { authorization: `Bearer ${await cloud.staffToken(username)}` } : {};
  return { ...init, headers: { 'content-type': 'application/json', ...auth, ...init.headers } };
}

/**
 * The example as someone else of the same details: a last name of its own, so that a corrected insurance of an earlier
 * journey does not make this submission a possible duplicate of that patient (held at intake instead).
 */
function asNewPerson(body: { patient: { lastName: string } }) {
  const letters = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
  return { ...body, patient: { ...body.patient, lastName: `${body.patient.lastName}-${letters}` } };
}

/** Submits an example as a journey of its own (a fresh Idempotency-Key: the body alone would find an earlier journey). */
async function submitExample(name: string): Promise<string> {
  const response = await fetch(`${api()}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
    body: JSON.stringify(asNewPerson(JSON.parse(readFileSync(`examples/${name}.json`, 'utf8')))),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { journeyId: string }).journeyId;
}

async function journey(journeyId: string): Promise<JourneyViewBody> {
  const response = await fetch(`${api()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } });
  expect(response.status).toBe(200);
  return JourneyViewSchema.parse(await response.json());
}

/** The journey as GET journeys?status= lists it (the ops person's view), if it is listed under that status. */
async function listed(journeyId: string, status: string) {
  const response = await fetch(`${api()}/journeys?status=${status}&limit=100`, await as('ops'));
  expect(response.status).toBe(200);
  const { journeys } = (await response.json()) as { journeys: Array<{ journeyId: string }> };
  return journeys.find((entry) => entry.journeyId === journeyId);
}

const stageOf = (view: JourneyViewBody, name: string) => view.stages.find((stage) => stage.name === name);

/** The journey once it has stopped running: ended, or waiting on a task other than `notTask` (a park after a RETRY). */
async function journeyWhenSettled(journeyId: string, notTask?: string): Promise<JourneyViewBody> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await journey(journeyId);
    const waitingOn = view.stages.find((stage) => stage.status === 'WAITING_FOR_STAFF')?.staffTaskId;
    const settled = view.status !== 'RUNNING' && (view.status !== 'WAITING_FOR_STAFF' || (waitingOn && waitingOn !== notTask));
    if (settled || Date.now() > deadline) return view;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A journey of the example, parked at eligibility: its ID and its task's. */
async function parkedAtEligibility(name: string): Promise<{ journeyId: string; taskId: string; parked: JourneyViewBody }> {
  const journeyId = await submitExample(name);
  const parked = await journeyWhenSettled(journeyId);
  expect(parked.status).toBe('WAITING_FOR_STAFF');
  expect(stageOf(parked, 'ELIGIBILITY')).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: expect.any(String) });
  return { journeyId, taskId: stageOf(parked, 'ELIGIBILITY')?.staffTaskId ?? '', parked };
}

async function correctCoverage(journeyId: string, body: unknown, username: string | null = 'frontdesk') {
  const response = await fetch(
    `${api()}/journeys/${journeyId}/coverage`,
    await as(username, { method: 'PATCH', body: JSON.stringify(body) }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function decide(taskId: string, action: 'RETRY' | 'CANCEL', username = 'frontdesk') {
  const response = await fetch(
    `${api()}/staff-tasks/${taskId}/decision`,
    await as(username, { method: 'POST', body: JSON.stringify({ action }) }),
  );
  return response.status;
}

/** Every audit record of the journey (a test may Scan; the product never does). */
async function journeyAuditItems(journeyId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await cloud.table.client.send(
    new ScanCommand({
      TableName: cloud.tableName,
      FilterExpression: '#type = :audit AND journeyId = :journeyId',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':audit': 'AuditEvent', ':journeyId': journeyId },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;

describe('Local stack: a correction of the insurance resumes a parked journey', () => {
  it('member not found: the front desk corrects the member ID, decides RETRY, and the journey completes with an appointment', async () => {
    // Prepare
    const { journeyId, taskId } = await parkedAtEligibility('member-not-found');
    const validMemberId = example('completes').insurance.memberId;

    // Act
    const listedWaiting = await listed(journeyId, 'WAITING_FOR_STAFF');
    const corrected = await correctCoverage(journeyId, { memberId: validMemberId });
    const seenByStaff = await fetch(`${api()}/staff-tasks/${taskId}`, await as('frontdesk'));
    const retried = await decide(taskId, 'RETRY');
    const after = await journeyWhenSettled(journeyId);
    const listedCompleted = await listed(journeyId, 'COMPLETED');
    const listedWaitingAfter = await listed(journeyId, 'WAITING_FOR_STAFF');

    // Assess
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ journeyId, coverage: { memberId: validMemberId, subscriberRelationship: 'self' } });
    expect(corrected.body.changedFields).toContain('memberId');
    expect(seenByStaff.status).toBe(200);
    expect(await seenByStaff.json()).toMatchObject({ coverage: { memberId: validMemberId } });
    expect(retried).toBe(200);
    expect(after.status).toBe('COMPLETED');
    expect(after.appointment).toMatchObject({ appointmentId: expect.any(String), start: expect.any(String) });
    expect(stageOf(after, 'ELIGIBILITY')?.status).toBe('COMPLETED');
    expect(after.stages.map((stage) => stage.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    // GET journeys follows it from status to status (the park, the decision, the end each move it)
    expect(listedWaiting).toMatchObject({ status: 'WAITING_FOR_STAFF', stage: 'ELIGIBILITY', staffTaskId: taskId });
    expect(listedCompleted).toMatchObject({ status: 'COMPLETED' });
    expect(listedWaitingAfter).toBeUndefined();
  });

  it('inactive coverage: the front desk confirms self-pay, decides RETRY, and the patient owes the allowed amount', async () => {
    // Prepare
    const { journeyId, taskId } = await parkedAtEligibility('inactive-coverage');
    const code = example('inactive-coverage').visit.appointmentTypeCode;
    const allowed = demoClinicCatalog.appointmentTypes.find((type) => type.code === code)?.allowedAmountCents;
    expect(cloud.clinicId).toBe(DEMO_CLINIC_ID);
    expect(allowed).toEqual(expect.any(Number));

    // Act
    const corrected = await correctCoverage(journeyId, { selfPay: true });
    const retried = await decide(taskId, 'RETRY');
    const after = await journeyWhenSettled(journeyId);

    // Assess
    expect(corrected).toEqual({ status: 200, body: { journeyId, changedFields: ['selfPay'], coverage: { selfPay: true } } });
    expect(retried).toBe(200);
    expect(after.status).toBe('COMPLETED');
    expect(after.appointment).toMatchObject({ appointmentId: expect.any(String) });
    expect(stageOf(after, 'ELIGIBILITY')?.status).toBe('COMPLETED');
    expect(after.amounts).toMatchObject({ currency: 'USD', dueCents: allowed });
  });

  it('member not found: without a correction, RETRY parks the journey at eligibility again, on a new task', async () => {
    // Prepare
    const { journeyId, taskId } = await parkedAtEligibility('member-not-found');

    // Act
    const retried = await decide(taskId, 'RETRY');
    const after = await journeyWhenSettled(journeyId, taskId);

    // Assess
    expect(retried).toBe(200);
    expect(after.status).toBe('WAITING_FOR_STAFF');
    expect(stageOf(after, 'ELIGIBILITY')).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: expect.any(String) });
    expect(stageOf(after, 'ELIGIBILITY')?.staffTaskId).not.toBe(taskId);
    expect(after.appointment).toBeNull();
  });

  it('audits the correction in the person’s name with the changed field names, and never the values', async () => {
    // Prepare
    const { journeyId } = await parkedAtEligibility('member-not-found');
    const token = await cloud.staffToken('billing');
    const secret = 'W-AUDIT-7781';

    // Act
    const response = await fetch(`${api()}/journeys/${journeyId}/coverage`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ memberId: secret }),
    });

    // Assess
    expect(response.status).toBe(200);
    const items = await journeyAuditItems(journeyId);
    const writes = items.filter((item) => (item.actions as string[]).includes('coverage.write') && String(item.actor).startsWith('user:'));
    expect(writes).toEqual([expect.objectContaining({ actor: `user:${subOf(token)}`, fields: expect.arrayContaining(['memberId']) })]);
    expect(JSON.stringify(items)).not.toContain(secret);
  });

  it("answers the admin's question who touched the patient's data through GET audit-events, and nobody else's", async () => {
    // Prepare
    const { journeyId } = await parkedAtEligibility('member-not-found');
    const billing = await cloud.staffToken('billing');
    await correctCoverage(journeyId, { memberId: 'W-AUDIT-7782' }, 'billing');
    const patientKey = String((await journeyAuditItems(journeyId)).find((item) => item.GSI2PK)?.GSI2PK);
    const patientId = patientKey.slice(patientKey.lastIndexOf('#') + 1);

    // Act
    const asked = await fetch(`${api()}/audit-events?patientId=${patientId}`, await as('admin'));
    const refused = await fetch(`${api()}/audit-events?patientId=${patientId}`, await as('billing'));

    // Assess
    expect(asked.status).toBe(200);
    const { events } = (await asked.json()) as { events: Array<{ actor: string; actions: string[]; journeyId?: string }> };
    expect(events).toContainEqual(expect.objectContaining({ actor: `user:${subOf(billing)}`, actions: ['coverage.write'], journeyId }));
    expect(events).toContainEqual(expect.objectContaining({ actor: 'function:screenIntake', actions: ['submission.read'], journeyId }));
    expect(refused.status).toBe(403);
  });

  it('refuses a correction without a token (401), by a clinician (403), and of an ended journey (409)', async () => {
    // Prepare
    const { journeyId, taskId } = await parkedAtEligibility('member-not-found');

    // Act
    const noToken = await correctCoverage(journeyId, { memberId: 'W1' }, null);
    const nurse = await correctCoverage(journeyId, { memberId: 'W1' }, 'nurse');
    const cancelled = await decide(taskId, 'CANCEL');
    const ended = await journeyWhenSettled(journeyId);
    const afterEnd = await correctCoverage(journeyId, { memberId: 'W1' });

    // Assess
    expect(noToken.status).toBe(401);
    expect(nurse.status).toBe(403);
    expect(cancelled).toBe(200);
    expect(ended.status).toBe('CANCELLED');
    expect(afterEnd.status).toBe(409);
  });
});
