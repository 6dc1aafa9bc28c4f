import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';

/**
 * Logged contacts over HTTP on the local cloud: the front desk logs a call (POST …/contacts, the staff JWT of the local
 * user pool), the task lands in the queue its category routes to, and the people of that queue find, read and close it;
 * a clinical concern with a red flag becomes a triage slip that alerts clinicians (local SNS) and a nurse disposes.
 */
let cloud: LocalCloud;
const tokens: Record<string, string> = {};
/** Every line the functions wrote (their Powertools JSON entries), to look for what was said in a contact. */
const logLines: Array<{ functionName: string; text: string }> = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ quiet: true, onLogLine: ({ functionName, text }) => void logLines.push({ functionName, text }) });
  for (const username of ['frontdesk', 'billing', 'nurse']) tokens[username] = await cloud.staffToken(username);
});

afterAll(async () => {
  await cloud?.stop();
});

const api = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;
const headers = (username: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${tokens[username]}`,
  'content-type': 'application/json',
  ...extra,
});

async function call(username: string, method: 'GET' | 'POST', path: string, body?: unknown, extra: Record<string, string> = {}) {
  const response = await fetch(`${api()}${path}`, {
    method,
    headers: headers(username, extra),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

interface Logged {
  contactId: string;
  taskId: string;
  queue: string;
  priority: string;
  triage: boolean;
  alerted: boolean;
}
const listed = async (username: string, query = '') =>
  ((await call(username, 'GET', `/staff-tasks${query}`)).body.tasks as Array<{ taskId: string; kind: string; queue: string }>) ?? [];
const alertsOf = (taskId: string) => cloud.sns.published.filter((m) => m.message.includes(taskId));

describe('Local stack: a logged contact goes to its queue, whose people close it', () => {
  it('takes a call about billing from the front desk, which a billing clerk lists, reads and closes', async () => {
    // Prepare
    const summary = `Caller says the copay was charged twice (${randomUUID()}).`;

    // Act
    const logged = await call('frontdesk', 'POST', '/contacts', {
      channel: 'call',
      from: { kind: 'patient', name: 'Jordan Quintero', phone: '+1 617 555 0123' },
      category: 'billing',
      summary,
    });
    const { taskId } = logged.body as unknown as Logged;
    const queueBefore = await listed('billing');
    const detail = await call('billing', 'GET', `/staff-tasks/${taskId}`);
    const closed = await call('billing', 'POST', `/staff-tasks/${taskId}/decision`, { action: 'PROCEED', note: 'Refunded.' });
    const queueAfter = await listed('billing');
    const decidedList = await listed('billing', '?status=DECIDED');

    // Assess
    expect(logged.status).toBe(201);
    expect(logged.body).toEqual({
      contactId: expect.any(String),
      taskId: expect.any(String),
      queue: 'billing',
      priority: 'normal',
      triage: false,
      alerted: false,
    });
    expect(queueBefore).toContainEqual(expect.objectContaining({ taskId, kind: 'CONTACT', queue: 'billing' }));
    expect(JSON.stringify(queueBefore)).not.toContain('copay');
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      taskId,
      kind: 'CONTACT',
      allowedActions: ['PROCEED'],
      contact: { channel: 'call', from: { kind: 'patient', phone: '+16175550123' }, category: 'billing', urgency: 'routine', summary },
    });
    expect(detail.body).not.toHaveProperty('patient');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ taskId, action: 'PROCEED', status: 'DECIDED' });
    expect(queueAfter.map((t) => t.taskId)).not.toContain(taskId);
    expect(decidedList.map((t) => t.taskId)).toContain(taskId);
    expect(alertsOf(taskId)).toEqual([]);
  });

  it('makes a clinical concern with chest pain now a triage slip: clinicians alerted at once, a nurse disposes it', async () => {
    // Prepare
    const key = randomUUID();
    const concern = {
      channel: 'call',
      from: { kind: 'family', name: 'Sam Quintero' },
      category: 'clinical-concern',
      summary: 'Daughter calling: her father has had chest pressure since this morning.',
      screening: {
        chestPainNow: true,
        shortnessOfBreathNow: false,
        thoughtsOfSelfHarm: false,
        fallInLast30Days: false,
        pregnantOrMayBePregnant: false,
      },
    };

    // Act
    const logged = await call('frontdesk', 'POST', '/contacts', concern, { 'idempotency-key': key });
    const repeat = await call('frontdesk', 'POST', '/contacts', concern, { 'idempotency-key': key });
    const { taskId } = logged.body as unknown as Logged;
    const nurseQueue = await listed('nurse');
    const frontDeskQueue = await listed('frontdesk');
    const byFrontDesk = await call('frontdesk', 'POST', `/staff-tasks/${taskId}/disposition`, {
      disposition: 'SENT_TO_ED',
      note: 'Told them to go now.',
    });
    const byNurse = await call('nurse', 'POST', `/staff-tasks/${taskId}/disposition`, {
      disposition: 'SENT_TO_ED',
      note: 'Told the caller to take him to the ED now; she agreed.',
    });
    const detail = await call('nurse', 'GET', `/staff-tasks/${taskId}`);

    // Assess
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ queue: 'clinical-triage', priority: 'urgent', triage: true, alerted: true });
    expect(repeat).toEqual(logged);
    const sent = alertsOf(taskId);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.message ?? '{}')).toMatchObject({ kind: 'TRIAGE', level: 'EMERGENT', clinicId: cloud.clinicId, taskId });
    expect(Object.fromEntries(Object.entries(sent[0]?.messageAttributes ?? {}).map(([name, value]) => [name, value.stringValue]))).toEqual({
      clinicId: cloud.clinicId,
      level: 'EMERGENT',
      queue: 'clinical-triage',
      kind: 'TRIAGE',
    });
    expect(`${sent[0]?.subject} ${sent[0]?.message}`).not.toMatch(/chest pressure|Sam|Quintero|Daughter/);
    expect(nurseQueue).toContainEqual(expect.objectContaining({ taskId, kind: 'TRIAGE', queue: 'clinical-triage' }));
    expect(frontDeskQueue.map((t) => t.taskId)).not.toContain(taskId);
    expect(byFrontDesk.status).toBe(403);
    expect(byNurse.status).toBe(200);
    expect(detail.body).toMatchObject({
      status: 'DECIDED',
      disposition: { code: 'SENT_TO_ED' },
      contact: { category: 'clinical-concern', summary: concern.summary },
    });
  });

  it('alerts the queue of an urgent contact at once over SNS, with its queue as a message attribute', async () => {
    // Act
    const logged = await call('frontdesk', 'POST', '/contacts', {
      channel: 'portal-message',
      from: { kind: 'patient' },
      category: 'appointment',
      urgency: 'urgent',
      summary: 'Needs to move tomorrow’s MRI: surgery was scheduled the same morning.',
    });

    // Assess
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ queue: 'scheduling', priority: 'urgent', triage: false, alerted: true });
    const { taskId } = logged.body as unknown as Logged;
    const sent = alertsOf(taskId);
    expect(sent).toHaveLength(1);
    expect(Object.fromEntries(Object.entries(sent[0]?.messageAttributes ?? {}).map(([name, value]) => [name, value.stringValue]))).toEqual({
      clinicId: cloud.clinicId,
      queue: 'scheduling',
      kind: 'CONTACT',
    });
    expect(sent[0]?.message).not.toMatch(/MRI|surgery/);
  });

  it('refuses a clinical concern without its red-flag answers (400, naming screening) and opens nothing', async () => {
    // Prepare
    const before = (await listed('nurse')).map((t) => t.taskId);

    // Act
    const refused = await call('frontdesk', 'POST', '/contacts', {
      channel: 'call',
      from: { kind: 'family' },
      category: 'clinical-concern',
      urgency: 'urgent',
      summary: 'Daughter calling: her father has had chest pressure since this morning.',
    });

    // Assess
    expect(refused.status).toBe(400);
    expect((refused.body.errors as Array<{ path: string }>).map((e) => e.path)).toContain('screening');
    expect((await listed('nurse')).map((t) => t.taskId)).toEqual(before);
  });

  it('refuses ops (403) and a request without a token (401)', async () => {
    const ops = await cloud.staffToken('ops');
    const body = JSON.stringify({ channel: 'call', from: { kind: 'patient' }, category: 'other', summary: 'Hello.' });
    const asOps = await fetch(`${api()}/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
      body,
    });
    const anonymous = await fetch(`${api()}/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect([asOps.status, anonymous.status]).toEqual([403, 401]);
  });

  it('writes nothing said in a contact, nor who said it, to any function’s log', () => {
    expect(logLines.some((line) => line.functionName === 'logContact')).toBe(true);
    const leaked = logLines.filter((line) => /copay|chest pressure|surgery|Quintero|Jordan|Sam |6175550123|617 555/.test(line.text));
    expect(leaked).toEqual([]);
  });
});
