import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ContactLogged } from '#contract/api/contact-schema.ts';
import { StaffTaskDetailSchema, StaffTaskPageSchema } from '#contract/api/staff-task-schema.ts';
import { API_ROUTES } from '#contract/api-routes.ts';
import {
  CONTACT_CATEGORIES,
  type ContactCategory,
  DEFAULT_CONTACT_ROUTING,
  DEFAULT_SERVICE_LEVELS,
  type StaffQueue,
} from '#contract/staff-queues.ts';
import { DEMO_STAFF, type StaffRole } from '#contract/staff-roles.ts';
import { makeDecideStaffTask } from '#functions/journey/decide-staff-task.handler.ts';
import { makeDisposeTriageSlip } from '#functions/staff-tasks/dispose-triage-slip.handler.ts';
import { makeGetStaffTask } from '#functions/staff-tasks/get-staff-task.handler.ts';
import { makeListStaffTasks } from '#functions/staff-tasks/list-staff-tasks.handler.ts';
import { makeLogContact } from '#functions/staff-tasks/log-contact.handler.ts';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import type { ClinicProfile } from '#model/clinic-catalog.ts';
import { ClinicCatalogSchema } from '#model/clinic-catalog-schema.ts';
import { newJourneyRecord } from '#model/journey.ts';
import type { StaffTask } from '#model/staff-task.ts';
import { auditRecordOfItem, type StoredAuditRecord } from '#shared/audit.ts';
import type { AuditLog } from '#shared/audit-store.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine, fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { patient as patientFixture } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

/**
 * POST /v1/clinics/{clinicId}/contacts (logContact) against DynamoDB Local: the task it opens (queue, priority, due
 * time), its alert or none, triage slips, the Idempotency-Key, the audit trail, validation and access; then the task as
 * the queue's people list, read and close it. Each test has a clinic of its own: the catalog is cached per process.
 */
const now = new Date('2026-12-01T10:00:00.000Z');
const table = await localTable('log-contact');
const stores = dynamoStores(table, () => now);
const catalogs = dynamoCatalogStore(table);
const alerts = fakeStaffAlerts();
const escalations = fakeEscalations();

const logContact = makeLogContact({
  ...stores,
  alerts: alerts.port,
  escalations: escalations.port,
  now: () => now,
  newId: randomUUID,
});
const listTasks = makeListStaffTasks({ ...stores, now: () => now });
const getTask = makeGetStaffTask({ ...stores, now: () => now });
const decideTask = makeDecideStaffTask({
  ...stores,
  engine: fakeJourneyEngine().port,
  escalations: escalations.port,
  metrics: noMetrics,
  now: () => now,
});
const disposeSlip = makeDisposeTriageSlip({ tasks: stores.tasks, now: () => now });

const routeKeyOf = (fn: string) => {
  const route = API_ROUTES.find((r) => r.function === fn);
  if (!route) throw new Error(`No route of ${fn}`);
  return `${route.method} ${route.path}`;
};
const ROUTE = {
  log: routeKeyOf('logContact'),
  list: routeKeyOf('listStaffTasks'),
  get: routeKeyOf('getStaffTask'),
  decide: routeKeyOf('decideStaffTask'),
  dispose: routeKeyOf('disposeTriageSlip'),
};

/** The demo staff (one per role), as their ID tokens' claims. */
const PERSON = Object.fromEntries(
  DEMO_STAFF.map(({ username, roles }) => [roles[0], { sub: `u-${username}`, username, groups: `[${roles.join(' ')}]` }]),
) as Record<StaffRole, StaffClaims & { sub: string; username: string }>;
const actorOf = (role: StaffRole) => `user:${PERSON[role].sub}`;

const newClinic = () => `clinic-${randomUUID().slice(0, 8)}`;
const minutesFromNow = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

const SUMMARY = 'Caller disputes the October statement; says the copay was charged twice.';
const CALLER = { kind: 'patient', name: 'Jordan Quintero', phone: '+1 617 555 0123' } as const;
/** A call about billing, as the front desk logs it. */
const billingCall = (overrides: Record<string, unknown> = {}) => ({
  channel: 'call',
  from: CALLER,
  category: 'billing',
  summary: SUMMARY,
  ...overrides,
});
const NO_RED_FLAGS = {
  chestPainNow: false,
  shortnessOfBreathNow: false,
  thoughtsOfSelfHarm: false,
  fallInLast30Days: false,
  pregnantOrMayBePregnant: false,
};
/** A clinical concern with the screening answers the caller gave. */
const concern = (yes: Partial<Record<keyof typeof NO_RED_FLAGS, boolean>>, overrides: Record<string, unknown> = {}) => ({
  channel: 'call',
  from: { kind: 'family', name: 'Sam Quintero' },
  category: 'clinical-concern',
  summary: 'Daughter calling: her father has had chest pressure since this morning.',
  screening: { ...NO_RED_FLAGS, ...yes },
  ...overrides,
});

type Who = StaffRole | StaffClaims | null;
const claimsOf = (clinicId: string, as: Who) => {
  const person = typeof as === 'string' ? PERSON[as] : as;
  return person === null ? null : { clinicId, ...person };
};
const parsed = (response: { statusCode: number; body?: string }) => ({
  status: response.statusCode,
  body: JSON.parse(response.body ?? '{}') as Record<string, unknown>,
});

/** POST …/contacts as API Gateway would hand it over. */
async function log(
  clinicId: string,
  body: unknown,
  { as = 'front-desk', idempotencyKey }: { as?: Who; idempotencyKey?: string } = {},
): Promise<{ status: number; body: ContactLogged & Record<string, unknown> }> {
  const event = staffEvent({
    routeKey: ROUTE.log,
    pathParameters: { clinicId },
    body,
    ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    person: claimsOf(clinicId, as),
  });
  return parsed(await logContact(event, lambdaContext)) as { status: number; body: ContactLogged & Record<string, unknown> };
}

/** Logs a contact that must be accepted: its answer. */
async function logged(clinicId: string, body: unknown, options: { as?: Who; idempotencyKey?: string } = {}): Promise<ContactLogged> {
  const answer = await log(clinicId, body, options);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

async function list(clinicId: string, as: Who, query?: Record<string, string>) {
  const event = staffEvent({ routeKey: ROUTE.list, pathParameters: { clinicId }, person: claimsOf(clinicId, as) });
  if (query) event.queryStringParameters = query;
  return parsed(await listTasks(event, lambdaContext));
}
const listedIds = (body: Record<string, unknown>) => StaffTaskPageSchema.parse(body).tasks.map((task) => task.taskId);

async function get(clinicId: string, taskId: string, as: Who) {
  return parsed(
    await getTask(staffEvent({ routeKey: ROUTE.get, pathParameters: { clinicId, taskId }, person: claimsOf(clinicId, as) }), lambdaContext),
  );
}

async function decide(clinicId: string, taskId: string, as: Who, body: unknown) {
  return parsed(
    await decideTask(
      staffEvent({ routeKey: ROUTE.decide, pathParameters: { clinicId, taskId }, body, person: claimsOf(clinicId, as) }),
      lambdaContext,
    ),
  );
}

async function dispose(clinicId: string, taskId: string, as: Who) {
  const body = { disposition: 'SENT_TO_ED', note: 'Told the caller to take him to the ED now.' };
  return parsed(
    await disposeSlip(
      staffEvent({ routeKey: ROUTE.dispose, pathParameters: { clinicId, taskId }, body, person: claimsOf(clinicId, as) }),
      lambdaContext,
    ),
  );
}

const stored = (clinicId: string, taskId: string) => stores.tasks.get(clinicId, taskId);
async function storedTask(clinicId: string, taskId: string): Promise<StaffTask> {
  const task = await stored(clinicId, taskId);
  if (!task) throw new Error(`No task ${taskId}`);
  return task;
}

/** Every audit record of the clinic today. */
async function clinicAudits(clinicId: string): Promise<StoredAuditRecord[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.audit(clinicId, now.toISOString().slice(0, 10), '').PK },
      ConsistentRead: true,
    }),
  );
  return Items.map(auditRecordOfItem);
}

/** Every task item of the clinic, whatever its queue or status. */
async function clinicTasks(clinicId: string): Promise<StaffTask[]> {
  const pages = await Promise.all(
    (['front-desk', 'eligibility', 'scheduling', 'billing', 'clinical-triage', 'radiology', 'ops'] as const).flatMap((queue) =>
      (['OPEN', 'DECIDED', 'EXPIRED'] as const).map((status) => stores.tasks.list({ clinicId, queues: [queue], status, limit: 100 })),
    ),
  );
  return pages.flatMap((page) => page.tasks);
}

const alertsOf = (clinicId: string) => alerts.sent.filter((alert) => alert.message.clinicId === clinicId);
const escalationsOf = (clinicId: string) => escalations.scheduled.filter((s) => s.clinicId === clinicId);

/** The clinic's catalog: the demo clinic's, with the given profile settings. */
async function clinicWith(profile: Partial<ClinicProfile>): Promise<string> {
  const clinicId = newClinic();
  await catalogs.put({ ...demoClinicCatalog, profile: { ...demoClinicCatalog.profile, clinicId, ...profile } });
  return clinicId;
}

/** A journey of the patient in the clinic (a contact naming a journey must name one of its patient's). */
async function seedJourneyOf(clinicId: string, patientId: string): Promise<string> {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId }, new Date());
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return journeyId;
}

describe('Function: logContact, where the task goes', () => {
  it.each(CONTACT_CATEGORIES)('routes a routine contact about %s to its default queue, normal priority', async (category) => {
    // Prepare
    const clinicId = newClinic();
    const body =
      category === 'clinical-concern' ? concern({}, { category }) : billingCall({ category, channel: 'voicemail', urgency: 'routine' });

    // Act
    const answer = await logged(clinicId, body);

    // Assess
    const queue = DEFAULT_CONTACT_ROUTING[category];
    expect(answer).toEqual({
      contactId: expect.any(String),
      taskId: expect.stringMatching(/^st-[0-9a-f]{20}$/),
      queue,
      priority: 'normal',
      triage: false,
      alerted: false,
    });
    expect(await storedTask(clinicId, answer.taskId)).toMatchObject({
      type: 'StaffTask',
      clinicId,
      kind: 'CONTACT',
      queue,
      priority: 'normal',
      status: 'OPEN',
      createdAt: now.toISOString(),
      dueAt: minutesFromNow(DEFAULT_SERVICE_LEVELS.normal),
      contact: {
        contactId: answer.contactId,
        category,
        urgency: 'routine',
        loggedBy: actorOf('front-desk'),
        loggedAt: now.toISOString(),
        bodyHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      history: [{ at: now.toISOString(), by: actorOf('front-desk'), event: 'opened' }],
    });
  });

  it('routes by the clinic’s own contact routing where it set one, the defaults elsewhere', async () => {
    // Prepare
    const routing: Partial<Record<ContactCategory, StaffQueue>> = { billing: 'front-desk', appointment: 'radiology', records: 'billing' };
    const clinicId = await clinicWith({ contactRouting: routing });

    // Act: a clinical concern comes with its (all "no") red-flag answers
    const answers = await Promise.all(
      CONTACT_CATEGORIES.map(async (category) => {
        const body = billingCall({ category, ...(category === 'clinical-concern' ? { screening: NO_RED_FLAGS } : {}) });
        return [category, (await logged(clinicId, body)).queue] as const;
      }),
    );

    // Assess
    expect(Object.fromEntries(answers)).toEqual({ ...DEFAULT_CONTACT_ROUTING, ...routing });
    const tasks = await clinicTasks(clinicId);
    expect(tasks).toHaveLength(CONTACT_CATEGORIES.length);
    for (const task of tasks)
      expect(task.queue).toBe({ ...DEFAULT_CONTACT_ROUTING, ...routing }[task.contact?.category as ContactCategory]);
  });

  it('keeps a routine clinical concern without red flags in clinical triage where the clinic reroutes other contacts', async () => {
    // Prepare
    const clinicId = await clinicWith({ contactRouting: { other: 'front-desk', records: 'front-desk' } });

    // Act
    const answer = await logged(clinicId, concern({}));

    // Assess
    expect(answer).toMatchObject({ queue: 'clinical-triage', priority: 'normal', triage: false, alerted: false });
    expect(await storedTask(clinicId, answer.taskId)).toMatchObject({ kind: 'CONTACT', queue: 'clinical-triage' });
    expect(alertsOf(clinicId)).toEqual([]);
  });

  it.each([
    ['results elsewhere', { results: 'front-desk' }, { path: ['profile', 'contactRouting'], keys: ['results'] }],
    [
      'clinical concerns elsewhere',
      { 'clinical-concern': 'front-desk' },
      { path: ['profile', 'contactRouting'], keys: ['clinical-concern'] },
    ],
    [
      'clinical concerns, even to clinical triage',
      { 'clinical-concern': 'clinical-triage' },
      { path: ['profile', 'contactRouting'], keys: ['clinical-concern'] },
    ],
    ['anything to ops', { other: 'ops' }, { path: ['profile', 'contactRouting', 'other'] }],
  ] as const)(
    'refuses a clinic catalog that routes %s (results and clinical concerns stay the clinicians’, none go to ops)',
    (_case, contactRouting, issue) => {
      // Prepare
      const withRouting = (routing: Record<string, string>) => ({
        ...demoClinicCatalog,
        profile: { ...demoClinicCatalog.profile, contactRouting: routing },
      });

      // Act
      const refused = ClinicCatalogSchema.safeParse(withRouting(contactRouting));
      const allowed = ClinicCatalogSchema.safeParse(withRouting({ other: 'front-desk', records: 'billing' }));

      // Assess
      expect(refused.success).toBe(false);
      expect(refused.error?.issues).toEqual([expect.objectContaining(issue)]);
      expect(allowed.success).toBe(true);
    },
  );
});

describe('Function: logContact, priority and due time', () => {
  it.each([
    ['routine', 'normal'],
    ['soon', 'high'],
    ['urgent', 'urgent'],
  ] as const)('gives a %s contact %s priority, due by the default service level', async (urgency, priority) => {
    // Prepare
    const clinicId = newClinic();

    // Act
    const answer = await logged(clinicId, billingCall({ urgency }));

    // Assess
    expect(answer).toMatchObject({ queue: 'billing', priority });
    const task = await storedTask(clinicId, answer.taskId);
    expect(task).toMatchObject({ priority, dueAt: minutesFromNow(DEFAULT_SERVICE_LEVELS[priority]) });
    expect(escalationsOf(clinicId)).toEqual([{ clinicId, taskId: answer.taskId, dueAt: task.dueAt }]);
  });

  it('takes an omitted urgency as routine', async () => {
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall());
    expect(answer.priority).toBe('normal');
    expect((await storedTask(clinicId, answer.taskId)).contact?.urgency).toBe('routine');
  });

  it.each([
    ['routine', 'normal', 240],
    ['soon', 'high', 45],
    ['urgent', 'urgent', 5],
  ] as const)('makes a %s contact (%s) due by the clinic’s own service level, %s minutes', async (urgency, priority, minutes) => {
    // Prepare
    const clinicId = await clinicWith({ serviceLevels: { urgent: 5, high: 45, normal: 240 } });

    // Act
    const answer = await logged(clinicId, billingCall({ urgency }));

    // Assess
    expect(await storedTask(clinicId, answer.taskId)).toMatchObject({ priority, dueAt: minutesFromNow(minutes) });
    expect(escalationsOf(clinicId).map((s) => s.dueAt)).toEqual([minutesFromNow(minutes)]);
  });
});

describe('Function: logContact, alerts', () => {
  it.each(['routine', 'soon'] as const)('opens a %s contact without an alert, its escalation scheduled', async (urgency) => {
    // Prepare
    const clinicId = newClinic();

    // Act
    const answer = await logged(clinicId, billingCall({ urgency }));

    // Assess
    expect(answer.alerted).toBe(false);
    expect(alertsOf(clinicId)).toEqual([]);
    expect(escalationsOf(clinicId)).toHaveLength(1);
    expect(await storedTask(clinicId, answer.taskId)).not.toHaveProperty('alertedAt');
  });

  it('alerts the queue of an urgent contact at once, with IDs only', async () => {
    // Prepare
    const clinicId = newClinic();

    // Act
    const answer = await logged(clinicId, billingCall({ urgency: 'urgent', patientId: 'p-42' }));

    // Assess
    expect(answer.alerted).toBe(true);
    const sent = alertsOf(clinicId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attributes).toEqual({ clinicId, queue: 'billing', kind: 'CONTACT' });
    expect(sent[0]?.message).toMatchObject({ kind: 'CONTACT', clinicId, taskId: answer.taskId, queue: 'billing' });
    for (const value of Object.values(sent[0]?.message ?? {})) expect(typeof value).toBe('string');
    const text = JSON.stringify(sent[0]);
    for (const secret of [SUMMARY, 'copay', 'Jordan', 'Quintero', '617 555', '6175550123', '555 0123', 'p-42'])
      expect(text).not.toContain(secret);
    expect(await storedTask(clinicId, answer.taskId)).toMatchObject({ alertedAt: now.toISOString() });
    expect(escalationsOf(clinicId)).toHaveLength(1);
  });

  it('alerts the queue the clinic routes an urgent contact to', async () => {
    const clinicId = await clinicWith({ contactRouting: { insurance: 'billing' } });
    const answer = await logged(clinicId, billingCall({ category: 'insurance', urgency: 'urgent' }));
    expect(answer).toMatchObject({ queue: 'billing', alerted: true });
    expect(alertsOf(clinicId).map((a) => a.attributes)).toEqual([{ clinicId, queue: 'billing', kind: 'CONTACT' }]);
  });
});

describe('Function: logContact, clinical concerns with red flags become triage slips', () => {
  it.each([
    ['chestPainNow', 'EMERGENT', 'urgent', DEFAULT_SERVICE_LEVELS.urgent],
    ['thoughtsOfSelfHarm', 'EMERGENT', 'urgent', DEFAULT_SERVICE_LEVELS.urgent],
    ['shortnessOfBreathNow', 'EMERGENT', 'urgent', DEFAULT_SERVICE_LEVELS.urgent],
    ['fallInLast30Days', 'URGENT', 'high', DEFAULT_SERVICE_LEVELS.high],
    ['pregnantOrMayBePregnant', 'URGENT', 'high', DEFAULT_SERVICE_LEVELS.high],
  ] as const)(
    'makes a "yes" to %s a %s slip (%s) in clinical triage, clinicians alerted at once',
    async (flag, level, priority, minutes) => {
      // Prepare
      const clinicId = newClinic();

      // Act: logged as routine; the red flag decides
      const answer = await logged(clinicId, concern({ [flag]: true }, { urgency: 'routine' }));

      // Assess
      expect(answer).toEqual({
        contactId: expect.any(String),
        taskId: expect.any(String),
        queue: 'clinical-triage',
        priority,
        triage: true,
        alerted: true,
      });
      const slip = await storedTask(clinicId, answer.taskId);
      expect(slip).toMatchObject({ kind: 'TRIAGE', queue: 'clinical-triage', priority, dueAt: minutesFromNow(minutes), status: 'OPEN' });
      expect(slip.reason).toContain(flag);
      const sent = alertsOf(clinicId);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.message).toMatchObject({ kind: 'TRIAGE', level, clinicId, taskId: answer.taskId });
      expect(sent[0]?.attributes).toEqual({ clinicId, level, queue: 'clinical-triage', kind: 'TRIAGE' });
      expect(JSON.stringify(sent[0])).not.toMatch(/chest pressure|Sam|Quintero|Daughter/);
      expect(slip).toMatchObject({ alertedAt: now.toISOString() });
      expect(escalationsOf(clinicId)).toEqual([{ clinicId, taskId: answer.taskId, dueAt: slip.dueAt }]);
    },
  );

  it('makes an emergent and an urgent answer together an emergent slip', async () => {
    const clinicId = newClinic();
    const answer = await logged(clinicId, concern({ fallInLast30Days: true, shortnessOfBreathNow: true }));
    expect(answer).toMatchObject({ triage: true, priority: 'urgent' });
    expect(alertsOf(clinicId)[0]?.message.level).toBe('EMERGENT');
  });

  it('sends a slip to clinical triage in a clinic that reroutes its contacts', async () => {
    const clinicId = await clinicWith({ contactRouting: { other: 'front-desk', appointment: 'front-desk', records: 'billing' } });
    const answer = await logged(clinicId, concern({ chestPainNow: true }, { urgency: 'routine' }));
    expect(answer).toMatchObject({ queue: 'clinical-triage', triage: true, alerted: true });
  });

  it('lets only clinicians dispose of the slip: the front desk and an admin get 403, a decision 409, a nurse closes it', async () => {
    // Prepare
    const clinicId = newClinic();
    const { taskId } = await logged(clinicId, concern({ chestPainNow: true }));

    // Act
    const byFrontDesk = await dispose(clinicId, taskId, 'front-desk');
    const byAdmin = await dispose(clinicId, taskId, 'admin');
    const byBilling = await dispose(clinicId, taskId, 'billing');
    const decided = await decide(clinicId, taskId, 'clinical', { action: 'PROCEED' });
    const byNurse = await dispose(clinicId, taskId, 'clinical');

    // Assess
    expect([byFrontDesk.status, byAdmin.status, byBilling.status, decided.status, byNurse.status]).toEqual([403, 403, 403, 409, 200]);
    expect(byNurse.body).toMatchObject({ taskId, kind: 'TRIAGE', status: 'DECIDED' });
    expect(await storedTask(clinicId, taskId)).toMatchObject({
      status: 'DECIDED',
      disposition: { code: 'SENT_TO_ED', disposedBy: actorOf('clinical') },
    });
  });

  it('shows the slip to a nurse with the contact, and not to the front desk who logged it', async () => {
    // Prepare
    const clinicId = newClinic();
    const { taskId } = await logged(clinicId, concern({ thoughtsOfSelfHarm: true }));

    // Act
    const nurse = await get(clinicId, taskId, 'clinical');
    const frontDesk = await get(clinicId, taskId, 'front-desk');

    // Assess
    expect(nurse.status).toBe(200);
    expect(StaffTaskDetailSchema.parse(nurse.body)).toMatchObject({ kind: 'TRIAGE', contact: { category: 'clinical-concern' } });
    expect(frontDesk.status).toBe(403);
    expect(listedIds((await list(clinicId, 'clinical')).body)).toEqual([taskId]);
    expect(listedIds((await list(clinicId, 'front-desk')).body)).toEqual([]);
  });
});

describe('Function: logContact, Idempotency-Key', () => {
  it('finds the same task for a repeat of an urgent contact, and alerts once', async () => {
    // Prepare
    const clinicId = newClinic();
    const key = randomUUID();

    // Act
    const first = await logged(clinicId, billingCall({ urgency: 'urgent' }), { idempotencyKey: key });
    const repeat = await logged(clinicId, billingCall({ urgency: 'urgent' }), { idempotencyKey: key });

    // Assess
    expect(first.alerted).toBe(true);
    expect(repeat).toEqual(first);
    expect((await clinicTasks(clinicId)).map((t) => t.taskId)).toEqual([first.taskId]);
    expect(alertsOf(clinicId)).toHaveLength(1);
    expect((await storedTask(clinicId, first.taskId)).history.map((h) => h.event)).toEqual(['opened']);
    expect((await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.create'))).toHaveLength(1);
  });

  it('finds the same task for a repeat of a routine contact, opened and audited once', async () => {
    const clinicId = newClinic();
    const key = `key-${randomUUID()}`;
    const first = await logged(clinicId, billingCall(), { idempotencyKey: key });
    const repeat = await logged(clinicId, billingCall(), { idempotencyKey: key });
    expect(first.alerted).toBe(false);
    expect(repeat).toEqual(first);
    expect(await clinicTasks(clinicId)).toHaveLength(1);
    expect((await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.create'))).toHaveLength(1);
  });

  it('finds the same triage slip for a repeat, and alerts clinicians once', async () => {
    const clinicId = newClinic();
    const key = randomUUID();
    const first = await logged(clinicId, concern({ chestPainNow: true }), { idempotencyKey: key });
    const repeat = await logged(clinicId, concern({ chestPainNow: true }), { idempotencyKey: key });
    expect(first).toMatchObject({ triage: true, alerted: true });
    expect(repeat).toEqual(first);
    expect(await clinicTasks(clinicId)).toHaveLength(1);
    expect(alertsOf(clinicId)).toHaveLength(1);
  });

  it.each(['routine', 'urgent'] as const)(
    'answers a repeat of a %s contact from its task and writes nothing more: no second contact.log or staffTask.create',
    async (urgency) => {
      // Prepare: a contact about a patient's journey (audited), logged once
      const clinicId = newClinic();
      const key = randomUUID();
      const journeyId = await seedJourneyOf(clinicId, 'p-6');
      const body = billingCall({ urgency, patientId: 'p-6', journeyId });
      const first = await logged(clinicId, body, { idempotencyKey: key });
      const taskBefore = await storedTask(clinicId, first.taskId);
      const auditsBefore = await clinicAudits(clinicId);
      const alertsBefore = alertsOf(clinicId).length;

      // Act
      const repeat = await logged(clinicId, body, { idempotencyKey: key });

      // Assess
      expect(repeat).toEqual(first);
      expect(await storedTask(clinicId, first.taskId)).toEqual(taskBefore);
      expect(await clinicTasks(clinicId)).toHaveLength(1);
      expect(await clinicAudits(clinicId)).toEqual(auditsBefore);
      expect(auditsBefore.map((a) => a.actions)).toEqual(expect.arrayContaining([['contact.log'], ['staffTask.create']]));
      expect(auditsBefore).toHaveLength(2);
      expect(alertsOf(clinicId)).toHaveLength(alertsBefore);
      expect(alertsBefore).toBe(urgency === 'urgent' ? 1 : 0);
    },
  );

  it('opens a task per contact without a key, or with different keys; the same key in another clinic is another contact', async () => {
    // Prepare
    const clinicId = newClinic();
    const elsewhere = newClinic();
    const key = randomUUID();

    // Act
    const answers = [
      await logged(clinicId, billingCall()),
      await logged(clinicId, billingCall()),
      await logged(clinicId, billingCall(), { idempotencyKey: key }),
      await logged(clinicId, billingCall(), { idempotencyKey: randomUUID() }),
      await logged(elsewhere, billingCall(), { idempotencyKey: key }),
    ];

    // Assess
    expect(new Set(answers.map((a) => a.taskId)).size).toBe(5);
    expect(new Set(answers.map((a) => a.contactId)).size).toBe(5);
    expect(await clinicTasks(clinicId)).toHaveLength(4);
  });

  it('alerts nobody when a routine contact’s key comes again marked urgent (no alert of a billing task to the front desk)', async () => {
    // Prepare: a routine billing call (no alert), then the same key with another category and urgency
    const clinicId = newClinic();
    const key = randomUUID();
    const first = await logged(clinicId, billingCall(), { idempotencyKey: key });

    // Act
    const repeat = await log(clinicId, billingCall({ category: 'records', urgency: 'urgent' }), { idempotencyKey: key });

    // Assess: refused, and still the one routine billing task, which nobody is alerted of
    expect(repeat.status).toBe(409);
    expect(await storedTask(clinicId, first.taskId)).toMatchObject({ queue: 'billing', priority: 'normal' });
    expect(await clinicTasks(clinicId)).toHaveLength(1);
    expect(alertsOf(clinicId)).toEqual([]);
    expect((await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.create'))).toHaveLength(1);
  });

  it('refuses a repeat of the key with a different body (409, as intake does), never answering another queue than the task’s', async () => {
    // Prepare
    const clinicId = newClinic();
    const key = randomUUID();
    const first = await logged(clinicId, billingCall(), { idempotencyKey: key });

    // Act
    const repeat = await log(clinicId, billingCall({ category: 'records', urgency: 'soon' }), { idempotencyKey: key });

    // Assess
    expect(await storedTask(clinicId, first.taskId)).toMatchObject({ queue: 'billing', priority: 'normal' });
    expect(repeat.body).not.toMatchObject({ taskId: first.taskId, queue: 'front-desk' });
    expect(repeat.status).toBe(409);
  });

  it.each([
    ['another screening answer (a red flag added)', async () => [concern({}), concern({ chestPainNow: true })]],
    ['another screening answer (a red flag withdrawn)', async () => [concern({ fallInLast30Days: true }), concern({})]],
    ['another patient', async () => [billingCall({ patientId: 'p-1' }), billingCall({ patientId: 'p-2' })]],
    [
      'another journey of the patient',
      async (clinicId: string) => [
        billingCall({ patientId: 'p-1', journeyId: await seedJourneyOf(clinicId, 'p-1') }),
        billingCall({ patientId: 'p-1', journeyId: await seedJourneyOf(clinicId, 'p-1') }),
      ],
    ],
    [
      'a journey named the second time',
      async (clinicId: string) => [
        billingCall({ patientId: 'p-1' }),
        billingCall({ patientId: 'p-1', journeyId: await seedJourneyOf(clinicId, 'p-1') }),
      ],
    ],
  ] as const)('answers 409 for %s under the same key, and writes nothing', async (_case, bodies) => {
    // Prepare
    const clinicId = newClinic();
    const key = randomUUID();
    const [firstBody, secondBody] = await bodies(clinicId);
    const first = await logged(clinicId, firstBody, { idempotencyKey: key });
    const taskBefore = await storedTask(clinicId, first.taskId);
    const auditsBefore = await clinicAudits(clinicId);
    const alertsBefore = alertsOf(clinicId).length;
    const escalationsBefore = escalationsOf(clinicId).length;

    // Act
    const repeat = await log(clinicId, secondBody, { idempotencyKey: key });

    // Assess
    expect(repeat.status).toBe(409);
    expect(repeat.body).not.toHaveProperty('taskId');
    expect((await clinicTasks(clinicId)).map((task) => task.taskId)).toEqual([first.taskId]);
    expect(await storedTask(clinicId, first.taskId)).toEqual(taskBefore);
    expect(await clinicAudits(clinicId)).toEqual(auditsBefore);
    expect(alertsOf(clinicId)).toHaveLength(alertsBefore);
    expect(escalationsOf(clinicId)).toHaveLength(escalationsBefore);
  });

  it('answers 503 (send again) when the alert of an urgent contact could not go out; the repeat alerts, on the same task', async () => {
    // Prepare: SNS refuses the next publish
    const clinicId = newClinic();
    const key = randomUUID();
    alerts.failNext();

    // Act
    const first = await log(clinicId, billingCall({ urgency: 'urgent' }), { idempotencyKey: key });
    const repeat = await log(clinicId, billingCall({ urgency: 'urgent' }), { idempotencyKey: key });

    // Assess: the first answer tells the client to send it again, which alerts the queue of the one task
    expect(repeat.status).toBe(201);
    expect(repeat.body).toMatchObject({ alerted: true, triage: false });
    expect(alertsOf(clinicId).map((a) => a.message.taskId)).toEqual([repeat.body.taskId]);
    expect(await storedTask(clinicId, repeat.body.taskId)).toMatchObject({ status: 'OPEN', alertedAt: now.toISOString() });
    expect(await clinicTasks(clinicId)).toHaveLength(1);
    expect(first.status).toBe(503);
  });

  it.each([
    ['an urgent contact', billingCall({ urgency: 'urgent' }), { queue: 'billing', priority: 'urgent', triage: false }],
    ['a triage slip', concern({ chestPainNow: true }), { queue: 'clinical-triage', priority: 'urgent', triage: true }],
  ] as const)(
    'answers 201 with alerted: false when the alert of %s without a key could not go out; the task stands, open',
    async (_case, body, expected) => {
      // Prepare: SNS refuses the next publish
      const clinicId = newClinic();
      alerts.failNext();

      // Act: no Idempotency-Key, so a resend would open another task
      const answer = await log(clinicId, body);

      // Assess: one open task, unalerted, its escalation scheduled; the refused publish was the one failure
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ contactId: expect.any(String), taskId: expect.any(String), ...expected, alerted: false });
      const task = await storedTask(clinicId, answer.body.taskId);
      expect(task).toMatchObject({ status: 'OPEN', queue: expected.queue, priority: expected.priority });
      expect(task).not.toHaveProperty('alertedAt');
      expect(await clinicTasks(clinicId)).toHaveLength(1);
      expect(alertsOf(clinicId)).toEqual([]);
      expect(escalationsOf(clinicId)).toEqual([{ clinicId, taskId: task.taskId, dueAt: task.dueAt }]);
      expect((await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.create'))).toHaveLength(1);
      expect(await logged(clinicId, billingCall({ urgency: 'urgent' }))).toMatchObject({ alerted: true });
    },
  );

  it('answers 400 for a malformed Idempotency-Key and opens nothing', async () => {
    const clinicId = newClinic();
    const { status, body } = await log(clinicId, billingCall(), { idempotencyKey: 'bad key!' });
    expect(status).toBe(400);
    expect(body).toEqual({ errors: [expect.objectContaining({ path: 'Idempotency-Key' })] });
    expect(await clinicTasks(clinicId)).toEqual([]);
  });
});

describe('Function: logContact, the audit trail', () => {
  it('records contact.log in the person’s name for the patient named, and the task’s creation', async () => {
    // Prepare
    const clinicId = newClinic();
    const journeyId = await seedJourneyOf(clinicId, 'p-7');

    // Act
    const answer = await logged(clinicId, billingCall({ patientId: 'p-7', journeyId }), { as: 'billing' });

    // Assess
    const audits = await clinicAudits(clinicId);
    expect(audits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: actorOf('billing'),
          actions: ['contact.log'],
          patientId: 'p-7',
          journeyId,
          via: ROUTE.log,
          outcome: 'success',
        }),
        expect.objectContaining({ actor: actorOf('billing'), actions: ['staffTask.create'], patientId: 'p-7', outcome: 'success' }),
      ]),
    );
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain('copay');
    expect(await storedTask(clinicId, answer.taskId)).toMatchObject({ patientId: 'p-7', journeyId });
  });

  it('records contact.log for the patient of a triage slip too, and the slip’s creation', async () => {
    const clinicId = newClinic();
    await logged(clinicId, concern({ chestPainNow: true }, { patientId: 'p-8' }), { as: 'clinical' });
    const audits = await clinicAudits(clinicId);
    expect(audits.map((a) => [a.actor, a.actions, a.patientId])).toEqual(
      expect.arrayContaining([
        [actorOf('clinical'), ['contact.log'], 'p-8'],
        [actorOf('clinical'), ['staffTask.create'], 'p-8'],
      ]),
    );
  });

  it('leaves the task’s staffTask.create record even when writing it failed once and the client sent the request again', async () => {
    // Prepare: the audit log throttles the task's creation record once (the task itself is written)
    const clinicId = newClinic();
    const key = randomUUID();
    let failures = 1;
    const flakyAudit: AuditLog = {
      record: async (event, at) => {
        if (event.action === 'staffTask.create' && failures-- > 0)
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
        return stores.audit.record(event, at);
      },
      append: (record, at) => stores.audit.append(record, at),
    };
    const flakyLog = makeLogContact({
      ...stores,
      audit: flakyAudit,
      alerts: alerts.port,
      escalations: escalations.port,
      now: () => now,
      newId: randomUUID,
    });
    const send = async () =>
      (
        await flakyLog(
          staffEvent({
            routeKey: ROUTE.log,
            pathParameters: { clinicId },
            body: billingCall({ patientId: 'p-5' }),
            headers: { 'idempotency-key': key },
            person: claimsOf(clinicId, 'front-desk'),
          }),
          lambdaContext,
        )
      ).statusCode;

    // Act: the first attempt fails (503: send it again), the client sends it again
    const first = await send();
    const again = await send();

    // Assess: one task, and the record of its creation (it holds what was said about p-5)
    expect([first, again]).toEqual([503, 201]);
    expect(await clinicTasks(clinicId)).toHaveLength(1);
    const creations = (await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.create'));
    expect(creations).toEqual([expect.objectContaining({ patientId: 'p-5', actor: actorOf('front-desk') })]);
  });

  it('records no patient’s audit for a contact about no patient', async () => {
    const clinicId = newClinic();
    await logged(clinicId, billingCall({ urgency: 'urgent' }));
    await logged(clinicId, concern({ fallInLast30Days: true }));
    const audits = await clinicAudits(clinicId);
    expect(audits.filter((a) => a.patientId !== undefined)).toEqual([]);
    expect(audits.filter((a) => a.actions.includes('contact.log'))).toEqual([]);
  });
});

describe('Function: logContact, what it refuses', () => {
  const { screening: _unasked, ...concernWithoutAnswers } = concern({});
  it.each([
    ['a summary over 2,000 bytes (2,000 characters or fewer)', billingCall({ summary: '漢'.repeat(667) }), 'summary'],
    ['a summary over 2,000 characters', billingCall({ summary: 'x'.repeat(2001) }), 'summary'],
    ['an empty summary', billingCall({ summary: '   ' }), 'summary'],
    ['no summary', { channel: 'call', from: { kind: 'patient' }, category: 'billing' }, 'summary'],
    ['screening answers with another category', billingCall({ screening: { ...NO_RED_FLAGS, chestPainNow: true } }), 'screening'],
    ['a journey without its patient', billingCall({ journeyId: randomUUID() }), 'patientId'],
    ['an unknown field', billingCall({ priority: 'urgent' }), 'priority'],
    ['an unknown field of the caller', billingCall({ from: { kind: 'patient', email: 'a@b.example' } }), 'from.email'],
    ['an unknown category', billingCall({ category: 'complaint' }), 'category'],
    ['an unknown channel', billingCall({ channel: 'fax' }), 'channel'],
    ['an unknown urgency', billingCall({ urgency: 'asap' }), 'urgency'],
    ['an invalid phone number', billingCall({ from: { kind: 'patient', phone: '12' } }), 'from.phone'],
    ['a journey ID that is not a UUID', billingCall({ patientId: 'p-1', journeyId: 'j-1' }), 'journeyId'],
    ['incomplete screening answers', concern({}, { screening: { chestPainNow: true } }), 'screening.shortnessOfBreathNow'],
    ['a clinical concern without screening answers', concernWithoutAnswers, 'screening'],
    ['an urgent clinical concern without screening answers', { ...concernWithoutAnswers, urgency: 'urgent' }, 'screening'],
  ])('answers 400 for %s, naming the field, and opens nothing', async (_case, body, path) => {
    // Prepare
    const clinicId = newClinic();

    // Act
    const { status, body: answer } = await log(clinicId, body);

    // Assess
    expect(status).toBe(400);
    expect((answer.errors as Array<{ path: string }>).map((e) => e.path)).toContain(path);
    expect(await clinicTasks(clinicId)).toEqual([]);
    expect(await clinicAudits(clinicId)).toEqual([]);
    expect(alertsOf(clinicId)).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const clinicId = newClinic();
    const { status } = await log(clinicId, '{"channel": ');
    expect(status).toBe(400);
  });

  it('takes a summary of exactly 2,000 bytes, trimmed', async () => {
    const clinicId = newClinic();
    const summary = `${'漢'.repeat(666)}ok`;
    const answer = await logged(clinicId, billingCall({ summary: `  ${summary}  ` }));
    expect((await storedTask(clinicId, answer.taskId)).contact?.summary).toBe(summary);
  });

  it.each([
    ['ops', PERSON.ops, 403],
    ['a person of another clinic', { ...PERSON['front-desk'], clinicId: 'clinic-elsewhere' }, 403],
    ['a person with no known role', { sub: 'u-x', username: 'x', groups: '[interpreter]' }, 403],
    ['an access token', { ...PERSON['front-desk'], tokenUse: 'access' }, 401],
    ['no one signed in', null, 401],
  ] as const)('refuses %s (%s) and opens nothing', async (_who, person, status) => {
    // Prepare
    const clinicId = newClinic();

    // Act
    const answer = await log(clinicId, billingCall({ urgency: 'urgent', patientId: 'p-1' }), { as: person });

    // Assess
    expect(answer.status).toBe(status);
    expect(await clinicTasks(clinicId)).toEqual([]);
    expect(await clinicAudits(clinicId)).toEqual([]);
    expect(alertsOf(clinicId)).toEqual([]);
  });

  it.each(['front-desk', 'clinical', 'billing', 'radiology', 'admin'] as const)('lets %s log a contact', async (role) => {
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall(), { as: role });
    expect((await storedTask(clinicId, answer.taskId)).contact?.loggedBy).toBe(actorOf(role));
  });
});

describe('Functions: a logged contact in its queue, read and closed', () => {
  it('shows the contact in the task’s detail to someone of its queue, without a patient section', async () => {
    // Prepare
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall({ urgency: 'soon', patientId: 'p-9' }));

    // Act
    const { status, body } = await get(clinicId, answer.taskId, 'billing');

    // Assess
    expect(status).toBe(200);
    const detail = StaffTaskDetailSchema.parse(body);
    expect(detail).toMatchObject({
      taskId: answer.taskId,
      kind: 'CONTACT',
      queue: 'billing',
      priority: 'high',
      status: 'OPEN',
      allowedActions: ['PROCEED'],
      contact: {
        contactId: answer.contactId,
        channel: 'call',
        from: { kind: 'patient', name: 'Jordan Quintero', phone: '+16175550123' },
        category: 'billing',
        urgency: 'soon',
        summary: SUMMARY,
        patientId: 'p-9',
        loggedBy: actorOf('front-desk'),
        loggedAt: now.toISOString(),
      },
    });
    expect(detail).not.toHaveProperty('patient');
    expect(detail).not.toHaveProperty('journeyId');
    expect(detail).not.toHaveProperty('stage');
    expect(detail.reason).not.toContain('copay');
  });

  it('shows a contact about no patient without a patient ID', async () => {
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall({ from: { kind: 'payer' }, category: 'insurance' }));
    const { status, body } = await get(clinicId, answer.taskId, 'front-desk');
    expect(status).toBe(200);
    const detail = StaffTaskDetailSchema.parse(body);
    expect(detail.contact).toEqual({
      contactId: answer.contactId,
      channel: 'call',
      from: { kind: 'payer' },
      category: 'insurance',
      urgency: 'routine',
      summary: SUMMARY,
      loggedBy: actorOf('front-desk'),
      loggedAt: now.toISOString(),
    });
    expect(detail).not.toHaveProperty('patient');
  });

  it('shows the patient of a contact about their journey, the read audited in the reader’s name', async () => {
    // Prepare: the clinic's patient, and a contact about their journey
    const clinicId = newClinic();
    const journeyId = await seedJourneyOf(clinicId, 'p-1');
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.patient(clinicId, 'p-1'), ...patientFixture, clinicId, patientId: 'p-1' },
      }),
    );
    const answer = await logged(clinicId, billingCall({ patientId: 'p-1', journeyId }));

    // Act
    const { status, body } = await get(clinicId, answer.taskId, 'billing');

    // Assess
    expect(status).toBe(200);
    expect(StaffTaskDetailSchema.parse(body)).toMatchObject({
      journeyId,
      patient: { patientId: 'p-1', lastName: 'Quintero' },
      contact: { patientId: 'p-1', summary: SUMMARY },
    });
    const reads = (await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.read'));
    expect(reads).toEqual([
      expect.objectContaining({ actor: actorOf('billing'), actions: ['staffTask.read', 'patient.read'], patientId: 'p-1', journeyId }),
    ]);
  });

  it('never leaves a task whose detail cannot be read: a contact naming a patient and journey the clinic has no record of', async () => {
    // Prepare: a mistyped patient ID, with a journey ID (neither exists in the clinic)
    const clinicId = newClinic();

    // Act
    const answer = await log(clinicId, billingCall({ patientId: 'p-typo', journeyId: randomUUID() }));

    // Assess: refused up front, or logged and readable by its queue
    if (answer.status === 201) expect((await get(clinicId, answer.body.taskId, 'billing')).status).toBe(200);
    else expect([answer.status, await clinicTasks(clinicId)]).toEqual([expect.any(Number), []]);
  });

  it('refuses the detail to someone who does not work the task’s queue', async () => {
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall());
    expect((await get(clinicId, answer.taskId, 'radiology')).status).toBe(403);
    expect((await get(clinicId, answer.taskId, 'clinical')).status).toBe(403);
  });

  it('lists the task for the people of its queue, and for nobody else', async () => {
    // Prepare
    const clinicId = newClinic();
    const billing = await logged(clinicId, billingCall());
    const results = await logged(clinicId, billingCall({ category: 'results', from: { kind: 'patient' } }));

    // Act
    const seen = Object.fromEntries(
      await Promise.all(
        (['front-desk', 'billing', 'clinical', 'radiology', 'ops', 'admin'] as const).map(
          async (role) => [role, listedIds((await list(clinicId, role)).body).sort()] as const,
        ),
      ),
    );
    const billingQueue = await list(clinicId, 'billing', { queue: 'billing' });

    // Assess
    expect(seen).toEqual({
      'front-desk': [billing.taskId],
      billing: [billing.taskId],
      clinical: [results.taskId],
      radiology: [],
      ops: [],
      admin: [billing.taskId, results.taskId].sort(),
    });
    expect(StaffTaskPageSchema.parse(billingQueue.body).tasks).toEqual([
      expect.objectContaining({ taskId: billing.taskId, kind: 'CONTACT', queue: 'billing', priority: 'normal', status: 'OPEN' }),
    ]);
    expect(JSON.stringify(billingQueue.body)).not.toMatch(/copay|Jordan/);
  });

  it('is closed by a PROCEED of someone of its queue; RETRY and CANCEL answer 409', async () => {
    // Prepare
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall({ patientId: 'p-3' }));

    // Act
    const retry = await decide(clinicId, answer.taskId, 'billing', { action: 'RETRY' });
    const cancel = await decide(clinicId, answer.taskId, 'billing', { action: 'CANCEL' });
    const proceed = await decide(clinicId, answer.taskId, 'billing', { action: 'PROCEED', note: 'Refunded the second copay.' });
    const again = await decide(clinicId, answer.taskId, 'billing', { action: 'PROCEED' });

    // Assess
    expect([retry.status, cancel.status, proceed.status, again.status]).toEqual([409, 409, 200, 200]);
    expect(proceed.body).toEqual({ taskId: answer.taskId, action: 'PROCEED', status: 'DECIDED' });
    expect(await storedTask(clinicId, answer.taskId)).toMatchObject({
      status: 'DECIDED',
      decision: { action: 'PROCEED', decidedBy: actorOf('billing'), decidedAt: now.toISOString(), note: 'Refunded the second copay.' },
    });
    expect((await storedTask(clinicId, answer.taskId)).history.map((h) => h.event)).toEqual(['opened', 'decided']);
    expect(listedIds((await list(clinicId, 'billing')).body)).toEqual([]);
    expect(listedIds((await list(clinicId, 'billing', { status: 'DECIDED' })).body)).toEqual([answer.taskId]);
    const decisions = (await clinicAudits(clinicId)).filter((a) => a.actions.includes('staffTask.decide'));
    expect(decisions).toEqual([
      expect.objectContaining({ actor: actorOf('billing'), patientId: 'p-3', via: ROUTE.decide, outcome: 'success' }),
    ]);
  });

  it('lets the front desk close a billing contact (they work billing), not radiology or a nurse (403)', async () => {
    // Prepare
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall());

    // Act
    const radiology = await decide(clinicId, answer.taskId, 'radiology', { action: 'PROCEED' });
    const nurse = await decide(clinicId, answer.taskId, 'clinical', { action: 'PROCEED' });
    const frontDesk = await decide(clinicId, answer.taskId, 'front-desk', { action: 'PROCEED' });

    // Assess
    expect([radiology.status, nurse.status, frontDesk.status]).toEqual([403, 403, 200]);
    expect((await storedTask(clinicId, answer.taskId)).decision?.decidedBy).toBe(actorOf('front-desk'));
  });

  it('leaves a closed contact unescalated: its escalation finds it decided', async () => {
    const clinicId = newClinic();
    const answer = await logged(clinicId, billingCall({ urgency: 'urgent' }));
    await decide(clinicId, answer.taskId, 'billing', { action: 'PROCEED' });
    const state = await stores.tasks.escalationState(clinicId, answer.taskId);
    expect(state).toMatchObject({ status: 'DECIDED', queue: 'billing' });
  });
});
