import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import type { StoredEmail } from '#local/ses-emulator.ts';
import { keys } from '#shared/keys.ts';

/**
 * The product as `npm start` runs it (in memory, free ports), driven over HTTP only: the API, and the SES emulator's
 * store to read the mail that went out.
 */
let cloud: LocalCloud;
const completesText = readFileSync('examples/completes.json', 'utf8');
const completes = JSON.parse(completesText) as {
  patient: { firstName: string; lastName: string; birthDate: string };
  contact: { email: string };
  insurance: { memberId: string };
  medicalHistory: { allergies: string[] };
  visit: { reasonForVisit: string };
};

beforeAll(async () => {
  cloud = await startLocalCloud({
    quiet: true,
    extraStaff: [
      { username: 'otherdesk', clinicId: 'other-clinic', roles: ['front-desk'] },
      { username: 'visitor', clinicId: 'demo-clinic', roles: [] },
    ],
  });
});

afterAll(async () => {
  await cloud?.stop();
});

const submissionsUrl = (clinicId = cloud.clinicId) => `${cloud.apiUrl}/v1/clinics/${clinicId}/intake-submissions`;

function post(body: string, apiKey = cloud.apiKey, clinicId?: string) {
  return fetch(submissionsUrl(clinicId), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body });
}

async function submitExample(name: string): Promise<string> {
  const response = await post(readFileSync(`examples/${name}.json`, 'utf8'));
  expect(response.status).toBe(202);
  return ((await response.json()) as { journeyId: string }).journeyId;
}

async function journeyWhenSettled(journeyId: string): Promise<{ text: string; view: Record<string, unknown> }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/journeys/${journeyId}`, {
      headers: { 'x-api-key': cloud.apiKey },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const view = JSON.parse(text) as Record<string, unknown>;
    if (view.status !== 'RUNNING' || Date.now() > deadline) return { text, view };
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Local stack: a submission over HTTP', () => {
  let journeyId: string;
  let settled: { text: string; view: Record<string, unknown> };

  it('accepts examples/completes.json with 202 and a journey ID', async () => {
    // act
    const response = await post(completesText);

    // assess
    expect(response.status).toBe(202);
    const body = (await response.json()) as { journeyId: string; submissionId: string };
    expect(body.journeyId).toMatch(/^[0-9a-f-]{36}$/);
    journeyId = body.journeyId;
  });

  it('completes the journey with an appointment and the amounts, and no clinical or identifying fields', async () => {
    // act
    settled = await journeyWhenSettled(journeyId);

    // assess
    expect(settled.view).toMatchObject({
      journeyId,
      clinicId: cloud.clinicId,
      status: 'COMPLETED',
      appointment: { appointmentId: expect.any(String), start: expect.any(String), timeZone: expect.any(String) },
      amounts: { currency: 'USD', dueCents: expect.any(Number), paidCents: expect.any(Number) },
    });
    for (const secret of [
      completes.patient.birthDate,
      completes.patient.lastName,
      completes.contact.email,
      completes.insurance.memberId,
      completes.visit.reasonForVisit,
      ...completes.medicalHistory.allergies,
      'birthDate',
      'memberId',
      'screening',
      'medicalHistory',
    ]) {
      expect(settled.text, secret).not.toContain(secret);
    }
  });

  it('sent the confirmation email to the patient (SES emulator store)', async () => {
    // act
    const response = await fetch(`${cloud.mailViewerUrl}/store`);

    // assess
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    const toPatient = emails.filter((e) => e.destination.to.some((to) => to.includes(completes.contact.email)));
    expect(toPatient).toHaveLength(1);
    expect(toPatient[0]?.attachments.some((a) => a.contentType.includes('calendar') || a.filename.endsWith('.ics'))).toBe(true);
  });

  it("archived each of the journey's audit records as a JSON line in the local S3, with no patient data", async () => {
    // act: wait until every stream record written so far has gone through archiveAuditRecords
    await cloud.auditArchive.drain(60_000);

    // assess
    const s3 = new S3Client({ endpoint: cloud.endpoints.s3 });
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: cloud.auditArchive.bucket, Prefix: `audit/${cloud.clinicId}/` }),
    );
    const bodies = await Promise.all(
      Contents.map(
        async ({ Key }) =>
          (await s3.send(new GetObjectCommand({ Bucket: cloud.auditArchive.bucket, Key }))).Body?.transformToString() ?? '',
      ),
    );
    const archived = bodies.flatMap((b) => b.trimEnd().split('\n')).map((l) => JSON.parse(l) as Record<string, unknown>);
    // A test may Scan (the product never does): every audit record of this journey, wherever its day.
    const { Items = [] } = await cloud.table.client.send(
      new ScanCommand({
        TableName: cloud.tableName,
        FilterExpression: '#type = :audit AND journeyId = :journeyId',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':audit': 'AuditEvent', ':journeyId': journeyId },
        ConsistentRead: true,
      }),
    );
    expect(Items.length).toBeGreaterThanOrEqual(5);
    const ofJourney = archived.filter((line) => line.journeyId === journeyId);
    expect(ofJourney.map((line) => `${line.PK} ${line.SK}`).sort()).toEqual(Items.map((item) => `${item.PK} ${item.SK}`).sort());
    expect(ofJourney).toEqual(expect.arrayContaining(Items.map((item) => expect.objectContaining(item))));
    for (const secret of [completes.patient.lastName, completes.patient.birthDate, completes.contact.email, completes.insurance.memberId]) {
      expect(bodies.join(''), secret).not.toContain(secret);
    }
    expect(cloud.auditArchive.deadLetters).toEqual([]);
  });

  it('answers a repeated submission with the same journey', async () => {
    // act
    const response = await post(completesText);

    // assess
    expect(response.status).toBe(202);
    expect(((await response.json()) as { journeyId: string }).journeyId).toBe(journeyId);
  });
});

describe('Local stack: a journey that needs staff', () => {
  it('parks inactive coverage for staff and ends CANCELLED when staff cancel over the API', async () => {
    // prepare
    const journeyId = await submitExample('inactive-coverage');
    const parked = await journeyWhenSettled(journeyId);
    const stages = parked.view.stages as Array<{ name: string; status: string; staffTaskId?: string }>;
    const eligibility = stages.find((s) => s.name === 'ELIGIBILITY');

    // act
    const decision = await fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/staff-tasks/${eligibility?.staffTaskId}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await cloud.staffToken('frontdesk')}` },
      body: JSON.stringify({ action: 'CANCEL', note: 'Patient will call back with new insurance' }),
    });
    const after = await journeyWhenSettled(journeyId);

    // assess
    expect(parked.view.status).toBe('WAITING_FOR_STAFF');
    expect(eligibility).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: expect.any(String) });
    expect(decision.status).toBe(200);
    expect(after.view.status).toBe('CANCELLED');
    const stagesAfter = after.view.stages as Array<{ name: string; status: string }>;
    expect(stagesAfter.map((s) => s.status)).toEqual(['COMPLETED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
  });

  it('refuses a second decision on the same task', async () => {
    // prepare
    const journeyId = await submitExample('member-not-found');
    const parked = await journeyWhenSettled(journeyId);
    const taskId = (parked.view.stages as Array<{ name: string; staffTaskId?: string }>).find((s) => s.name === 'ELIGIBILITY')?.staffTaskId;
    const token = await cloud.staffToken('frontdesk');
    const decide = (action: string) =>
      fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/staff-tasks/${taskId}/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ action }),
      });

    // act
    const first = await decide('CANCEL');
    const second = await decide('RETRY');

    // assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect((await journeyWhenSettled(journeyId)).view.status).toBe('CANCELLED');
  });
});

describe('Local stack: staff decide as signed-in people', () => {
  /** A parked journey's eligibility task, and a decision on it with the given headers. */
  async function parkedTask() {
    // A journey of its own each time (the body alone would find the same journey again).
    const submitted = await fetch(submissionsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
      body: readFileSync('examples/member-not-found.json', 'utf8'),
    });
    const { journeyId } = (await submitted.json()) as { journeyId: string };
    const parked = await journeyWhenSettled(journeyId);
    const taskId = (parked.view.stages as Array<{ name: string; staffTaskId?: string }>).find((s) => s.name === 'ELIGIBILITY')?.staffTaskId;
    const decide = (headers: Record<string, string>) =>
      fetch(`${cloud.apiUrl}/v1/clinics/${cloud.clinicId}/staff-tasks/${taskId}/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ action: 'CANCEL' }),
      });
    return { journeyId, taskId, decide };
  }
  const bearer = async (username: string) => ({ authorization: `Bearer ${await cloud.staffToken(username)}` });

  it('refuses a decision without a token, with the clinic’s API key, or with a forged token, with 401', async () => {
    // prepare
    const { decide, journeyId } = await parkedTask();
    const [header, payload] = (await cloud.staffToken('admin')).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the issuer’s signature').toString('base64url')}`;

    // act
    const answers = [await decide({}), await decide({ 'x-api-key': cloud.apiKey }), await decide({ authorization: `Bearer ${forged}` })];

    // assess
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401]);
    expect((await journeyWhenSettled(journeyId)).view.status).toBe('WAITING_FOR_STAFF');
  });

  it('refuses a person of another clinic, one without a role, and roles that do not work eligibility, with 403', async () => {
    // prepare
    const { decide, journeyId } = await parkedTask();

    // act
    const otherClinic = await decide(await bearer('otherdesk'));
    const noRole = await decide(await bearer('visitor'));
    const nurse = await decide(await bearer('nurse'));
    const ops = await decide(await bearer('ops'));

    // assess
    expect([otherClinic.status, noRole.status, nurse.status, ops.status]).toEqual([403, 403, 403, 403]);
    expect((await journeyWhenSettled(journeyId)).view.status).toBe('WAITING_FOR_STAFF');
  });

  it('records the person who decided, by their user ID, on the task', async () => {
    // prepare
    const { decide, taskId } = await parkedTask();
    const token = await cloud.staffToken('billing');
    const sub = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;

    // act
    const answer = await decide({ authorization: `Bearer ${token}` });

    // assess
    expect(answer.status).toBe(200);
    const { Item: task } = await cloud.table.client.send(
      new GetCommand({ TableName: cloud.tableName, Key: keys.staffTask(cloud.clinicId, taskId ?? ''), ConsistentRead: true }),
    );
    expect(task?.decision).toMatchObject({ action: 'CANCEL', decidedBy: `user:${sub}` });
  });
});

describe('Local stack: what API Gateway and the handlers refuse', () => {
  it('refuses a wrong API key with 403', async () => {
    // act
    const response = await post(completesText, 'pa_demo_not-the-key');

    // assess
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it("refuses the demo key on another clinic's path with 403", async () => {
    // act
    const response = await post(completesText, cloud.apiKey, 'another-clinic');

    // assess
    expect(response.status).toBe(403);
  });

  it('refuses a request without an API key with 401', async () => {
    // act
    const response = await fetch(submissionsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: completesText,
    });

    // assess
    expect(response.status).toBe(401);
  });

  it('serves the OpenAPI document without an API key', async () => {
    // act
    const response = await fetch(`${cloud.apiUrl}/openapi.json`);

    // assess
    expect(response.status).toBe(200);
    expect(((await response.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty(
      '/v1/clinics/{clinicId}/intake-submissions',
    );
  });

  it('answers an invalid body with 400 and every field error', async () => {
    // prepare
    const invalid = { ...JSON.parse(completesText), patient: { ...completes.patient, birthDate: '31/12/1990' }, unexpected: true };

    // act
    const response = await post(JSON.stringify(invalid));

    // assess
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ path: string; message: string }> };
    expect(body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['patient.birthDate', 'unexpected']));
  });
});

describe('Local stack: the front desk works its queue', () => {
  const api = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;
  const as = async (username: string, init: RequestInit = {}) => ({
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await cloud.staffToken(username)}`, ...init.headers },
  });
  type Page = { tasks: Array<{ taskId: string; queue: string; owner?: { name?: string }; status: string }>; next?: string };
  /** Every task of a list, following its cursor. */
  async function listAll(username: string, query: string): Promise<Page['tasks']> {
    const tasks: Page['tasks'] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const response = await fetch(
        `${api()}/staff-tasks?${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        await as(username),
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page;
      tasks.push(...page.tasks);
      cursor = page.next;
    }
    return tasks;
  }

  it('lists a parked journey in the eligibility queue, opens it, claims it, notes it and decides it, as the person', async () => {
    // prepare: a journey of its own, parked at eligibility (member not found)
    const submitted = await fetch(submissionsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
      body: readFileSync('examples/member-not-found.json', 'utf8'),
    });
    const { journeyId } = (await submitted.json()) as { journeyId: string };
    const parked = await journeyWhenSettled(journeyId);
    const taskId = (parked.view.stages as Array<{ name: string; staffTaskId?: string }>).find((s) => s.name === 'ELIGIBILITY')?.staffTaskId;
    const example = JSON.parse(readFileSync('examples/member-not-found.json', 'utf8')) as typeof completes;

    // act
    const frontDeskQueue = await listAll('frontdesk', 'queue=eligibility');
    const nurseList = await listAll('nurse', 'status=OPEN');
    const nurseAsksEligibility = await fetch(`${api()}/staff-tasks?queue=eligibility`, await as('nurse'));
    const nurseOpens = await fetch(`${api()}/staff-tasks/${taskId}`, await as('nurse'));
    const opened = await fetch(`${api()}/staff-tasks/${taskId}`, await as('frontdesk'));
    const claimed = await fetch(`${api()}/staff-tasks/${taskId}/claim`, await as('frontdesk', { method: 'POST' }));
    const billingClaims = await fetch(`${api()}/staff-tasks/${taskId}/claim`, await as('billing', { method: 'POST' }));
    const noted = await fetch(
      `${api()}/staff-tasks/${taskId}/notes`,
      await as('frontdesk', { method: 'POST', body: JSON.stringify({ text: 'Left a voicemail about the member ID' }) }),
    );
    const mine = await listAll('frontdesk', 'owner=me');
    const decided = await fetch(
      `${api()}/staff-tasks/${taskId}/decision`,
      await as('frontdesk', { method: 'POST', body: JSON.stringify({ action: 'CANCEL' }) }),
    );
    await journeyWhenSettled(journeyId);
    const openAfter = await listAll('frontdesk', 'queue=eligibility');
    const decidedList = await listAll('frontdesk', 'queue=eligibility&status=DECIDED');
    const detail = (await (await fetch(`${api()}/staff-tasks/${taskId}`, await as('admin'))).json()) as Record<string, unknown>;

    // assess
    expect(frontDeskQueue.find((t) => t.taskId === taskId)).toMatchObject({ queue: 'eligibility', status: 'OPEN' });
    expect(nurseList.map((t) => t.taskId)).not.toContain(taskId);
    expect(nurseAsksEligibility.status).toBe(403);
    expect(nurseOpens.status).toBe(403);
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({
      taskId,
      patient: { firstName: example.patient.firstName, lastName: example.patient.lastName },
      coverage: { memberId: example.insurance.memberId },
      allowedActions: expect.arrayContaining(['RETRY', 'CANCEL']),
    });
    expect(claimed.status).toBe(200);
    expect(await claimed.json()).toMatchObject({ owner: { name: 'frontdesk' } });
    expect(billingClaims.status).toBe(409);
    expect(noted.status).toBe(200);
    expect(mine.map((t) => t.taskId)).toContain(taskId);
    expect(decided.status).toBe(200);
    expect(openAfter.map((t) => t.taskId)).not.toContain(taskId);
    expect(decidedList.map((t) => t.taskId)).toContain(taskId);
    expect(detail).toMatchObject({ status: 'DECIDED', notes: [{ text: 'Left a voicemail about the member ID' }] });
    expect((detail.history as Array<{ event: string }>).map((h) => h.event)).toEqual(['opened', 'claimed', 'noted', 'decided']);
  });
});
