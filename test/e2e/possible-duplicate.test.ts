import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JourneyViewBody, JourneyViewSchema } from '#contract/api/journey-view-schema.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { keys } from '#shared/keys.ts';

/**
 * Patient matching that stops merging strangers silently, on the local cloud over HTTP: a returning patient's
 * submission whose phone and insurance disagree with the patient on file is registered apart and held at intake for
 * the front desk, who merge the two or keep them apart, then RETRY, and the journey runs to its end. This file has a
 * cloud of its own.
 */
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ quiet: true });
});

afterAll(async () => {
  await cloud?.stop();
});

interface Submission {
  patient: { firstName: string; lastName: string; birthDate: string };
  contact: { phone: string; email: string };
  insurance: { memberId: string };
}
const completesText = readFileSync('examples/completes.json', 'utf8');
const completes = () => JSON.parse(completesText) as Submission & Record<string, unknown>;

/** The same person as `body`, reachable on another phone, insured under another (active) member ID. */
const NEW_PHONE = { submitted: '(617) 555-0177', stored: '+16175550177' };
const NEW_MEMBER_ID = 'SIM-DEDUCT-500';
const withNewPhoneAndMember = (body: Submission & Record<string, unknown>) => ({
  ...body,
  contact: { ...body.contact, phone: NEW_PHONE.submitted },
  insurance: { ...body.insurance, memberId: NEW_MEMBER_ID },
});

const api = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;

async function as(username: string, init: RequestInit = {}): Promise<RequestInit> {
  return {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await cloud.staffToken(username)}`, ...init.headers },
  };
}

/** Submits a body as a journey of its own (a fresh Idempotency-Key). */
async function submit(body: unknown): Promise<string> {
  const response = await fetch(`${api()}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { journeyId: string }).journeyId;
}

async function journey(journeyId: string): Promise<JourneyViewBody> {
  const response = await fetch(`${api()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } });
  expect(response.status).toBe(200);
  return JourneyViewSchema.parse(await response.json());
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

/** A stored item, as the table holds it (a test may read the table; the product's API shows no patient IDs). */
async function stored(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await cloud.table.client.send(new GetCommand({ TableName: cloud.table.tableName, Key: key, ConsistentRead: true }));
  return Item;
}
const patientIdOf = async (journeyId: string) => String((await stored(keys.journey(cloud.clinicId, journeyId)))?.patientId);

/** The first patient: a submission that completes, and the patient it registered. */
async function firstPatient(body: unknown): Promise<{ journeyId: string; patientId: string }> {
  const journeyId = await submit(body);
  const done = await journeyWhenSettled(journeyId);
  expect(done.status).toBe('COMPLETED');
  return { journeyId, patientId: await patientIdOf(journeyId) };
}

/** The same person again with another phone and member ID: held at intake on a staff task. */
async function heldAsPossibleDuplicate(body: unknown): Promise<{ journeyId: string; taskId: string; patientId: string }> {
  const journeyId = await submit(body);
  const held = await journeyWhenSettled(journeyId);
  expect(held.status).toBe('WAITING_FOR_STAFF');
  expect(stageOf(held, 'INTAKE')).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: expect.any(String) });
  return { journeyId, taskId: stageOf(held, 'INTAKE')?.staffTaskId ?? '', patientId: await patientIdOf(journeyId) };
}

async function resolveDuplicate(journeyId: string, resolution: 'MERGE' | 'KEEP_APART', username = 'frontdesk') {
  const response = await fetch(
    `${api()}/journeys/${journeyId}/duplicate-resolution`,
    await as(username, { method: 'POST', body: JSON.stringify({ resolution }) }),
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

async function staffTask(taskId: string, username = 'frontdesk') {
  const response = await fetch(`${api()}/staff-tasks/${taskId}`, await as(username));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Another person than examples/completes.json's, for a scenario that needs a first patient of its own. */
const somebodyElse = (lastName: string, birthDate: string) => {
  const body = completes();
  return { ...body, patient: { ...body.patient, lastName, birthDate } };
};

describe('Local stack: a possible duplicate patient is held for the front desk', () => {
  it('MERGE: the same person again on a new phone and insurance is held, merged into the first patient, and completes as theirs', async () => {
    // Prepare: the first patient, then the same person with another phone and member ID
    const first = await firstPatient(completesText);
    const firstPhone = (await stored(keys.patient(cloud.clinicId, first.patientId)))?.phone;
    const held = await heldAsPossibleDuplicate(withNewPhoneAndMember(completes()));
    const task = await staffTask(held.taskId);

    // Act
    const merged = await resolveDuplicate(held.journeyId, 'MERGE');
    const retried = await decide(held.taskId, 'RETRY');
    const after = await journeyWhenSettled(held.journeyId, held.taskId);

    // Assess
    expect(held.patientId).not.toBe(first.patientId);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ kind: 'STAGE_BLOCKED', stage: 'INTAKE', queue: 'front-desk' });
    // The reason names nobody (the journey's stages are the form system's to read too); the detail shows staff the other.
    expect(task.body.reason).toEqual(expect.stringContaining('Possible duplicate'));
    expect(task.body.reason).not.toContain(first.patientId);
    expect(task.body.possibleDuplicate).toMatchObject({ fields: ['phone', 'insurance'], otherPatient: { patientId: first.patientId } });
    expect(JSON.stringify(task.body.possibleDuplicate)).not.toContain(NEW_MEMBER_ID);
    expect(task.body.allowedActions).toEqual(['RETRY', 'CANCEL']);
    expect(merged).toEqual({ status: 200, body: { journeyId: held.journeyId, resolution: 'MERGE', patientId: first.patientId } });
    expect(retried).toBe(200);
    expect(after.status).toBe('COMPLETED');
    expect(after.appointment).toMatchObject({ appointmentId: expect.any(String) });
    expect(after.stages.map((stage) => stage.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await patientIdOf(held.journeyId)).toBe(first.patientId);
    expect(firstPhone).toBe('+16175550142');
    expect(await stored(keys.patient(cloud.clinicId, first.patientId))).toMatchObject({ phone: NEW_PHONE.stored });
    expect(await stored(keys.coverage(cloud.clinicId, first.patientId))).toMatchObject({ memberId: NEW_MEMBER_ID });
    expect(await stored(keys.patient(cloud.clinicId, held.patientId))).toBeUndefined();
    expect(await stored(keys.coverage(cloud.clinicId, held.patientId))).toBeUndefined();
  });

  it('KEEP_APART: two people of one name and birth date; the second completes as a patient of their own, the first untouched', async () => {
    // Prepare
    const person = somebodyElse('Marlowe', '1979-11-02');
    const first = await firstPatient(person);
    const firstBefore = await stored(keys.patient(cloud.clinicId, first.patientId));
    const firstCoverageBefore = await stored(keys.coverage(cloud.clinicId, first.patientId));
    const held = await heldAsPossibleDuplicate(withNewPhoneAndMember(person));

    // Act
    const keptApart = await resolveDuplicate(held.journeyId, 'KEEP_APART');
    const retried = await decide(held.taskId, 'RETRY');
    const after = await journeyWhenSettled(held.journeyId, held.taskId);

    // Assess
    expect(keptApart).toEqual({ status: 200, body: { journeyId: held.journeyId, resolution: 'KEEP_APART', patientId: held.patientId } });
    expect(retried).toBe(200);
    expect(after.status).toBe('COMPLETED');
    expect(after.appointment).toMatchObject({ appointmentId: expect.any(String) });
    expect(await patientIdOf(held.journeyId)).toBe(held.patientId);
    expect(held.patientId).not.toBe(first.patientId);
    expect(await stored(keys.patient(cloud.clinicId, held.patientId))).toMatchObject({ phone: NEW_PHONE.stored });
    expect(await stored(keys.coverage(cloud.clinicId, held.patientId))).toMatchObject({ memberId: NEW_MEMBER_ID });
    expect(await stored(keys.patient(cloud.clinicId, first.patientId))).toEqual(firstBefore);
    expect(await stored(keys.patient(cloud.clinicId, first.patientId))).toMatchObject({ phone: '+16175550142' });
    expect(await stored(keys.coverage(cloud.clinicId, first.patientId))).toEqual(firstCoverageBefore);
  });

  it('after a MERGE the front desk can still open the task they must RETRY, and it names the journey’s patient now', async () => {
    // Prepare
    const person = somebodyElse('Okafor', '1991-05-23');
    const first = await firstPatient(person);
    const held = await heldAsPossibleDuplicate(withNewPhoneAndMember(person));
    expect((await resolveDuplicate(held.journeyId, 'MERGE')).status).toBe(200);

    // Act
    const task = await staffTask(held.taskId);

    // Assess
    // The merge moved the journey's tasks to the matched patient too: the task opens on them.
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ patient: { patientId: first.patientId } });
  });
});
