import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { StaffTaskDetailSchema, StaffTaskPageSchema, StaffTaskSummarySchema } from '#contract/api/staff-task-schema.ts';
import { API_ROUTES } from '#contract/api-routes.ts';
import { STAFF_QUEUES, type StaffQueue } from '#contract/staff-queues.ts';
import { DEMO_STAFF, STAFF_ROLES, type StaffRole } from '#contract/staff-roles.ts';
import { readBenefits } from '#functions/eligibility/read-benefits.ts';
import { makeGetStaffTask } from '#functions/staff-tasks/get-staff-task.handler.ts';
import { makeListStaffTasks } from '#functions/staff-tasks/list-staff-tasks.handler.ts';
import { makeWorkStaffTask } from '#functions/staff-tasks/work-staff-task.handler.ts';
import type { CoverageRecord, PatientRecord } from '#model/patient-records.ts';
import type { StaffTask } from '#model/staff-task.ts';
import { auditRecordOfItem, type StoredAuditRecord } from '#shared/audit.ts';
import type { ApiEvent } from '#shared/handler.ts';
import { keys } from '#shared/keys.ts';
import type { PatientStore } from '#shared/patient-store.ts';
import { MAX_NOTES_PER_TASK } from '#shared/staff-task-store.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';
import { patient as patientFixture } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

const now = new Date('2026-12-01T10:00:00.000Z');

const table = await localTable('staff-task-routes');
const stores = dynamoStores(table, () => now);
/** Patient reads seen by the get handler, with the audit records already stored at the moment of each read. */
const readsSeen: Array<{ patientId: string; auditsAtRead: StoredAuditRecord[] }> = [];
const watchedPatients: PatientStore = {
  ...stores.patients,
  read: (async (ref: Parameters<PatientStore['read']>[0], audit: Parameters<PatientStore['read']>[1], projection?: never) => {
    readsSeen.push({ patientId: ref.patientId, auditsAtRead: await clinicAudits(ref.clinicId) });
    return stores.patients.read(ref, audit, projection);
  }) as PatientStore['read'],
};

const listTasks = makeListStaffTasks({ ...stores, now: () => now });
const getTask = makeGetStaffTask({ ...stores, patients: watchedPatients, now: () => now });
const workTask = makeWorkStaffTask({ ...stores, now: () => now });

/** The route keys API Gateway hands the functions, from the routes the API declares. */
const routeKeyOf = (fn: string, suffix = '') => {
  const route = API_ROUTES.find((r) => r.function === fn && r.path.endsWith(suffix));
  if (!route) throw new Error(`No route of ${fn} ending ${suffix}`);
  return `${route.method} ${route.path}`;
};
const ROUTE = {
  list: routeKeyOf('listStaffTasks'),
  get: routeKeyOf('getStaffTask'),
  claim: routeKeyOf('workStaffTask', '/claim'),
  release: routeKeyOf('workStaffTask', '/release'),
  notes: routeKeyOf('workStaffTask', '/notes'),
} as const;
type Route = keyof typeof ROUTE;

/** The demo staff (one per role), as their ID tokens' claims. */
const PERSON = Object.fromEntries(
  DEMO_STAFF.map(({ username, roles }) => [roles[0], { sub: `u-${username}`, username, groups: `[${roles.join(' ')}]` }]),
) as Record<StaffRole, StaffClaims & { sub: string; username: string }>;
const actorOf = (role: StaffRole) => `user:${PERSON[role].sub}`;

/** Which queues each role works, as the issue describes them. */
const WORKS: Record<StaffRole, readonly StaffQueue[]> = {
  'front-desk': ['front-desk', 'eligibility', 'scheduling', 'billing'],
  clinical: ['clinical-triage'],
  billing: ['eligibility', 'billing'],
  radiology: ['scheduling', 'radiology'],
  ops: ['ops'],
  admin: STAFF_QUEUES,
};

/** A task of each queue as it is routed there. */
const KIND_OF: Record<StaffQueue, Pick<StaffTask, 'kind' | 'stage' | 'priority'>> = {
  'front-desk': { kind: 'STAGE_BLOCKED', stage: 'INTAKE', priority: 'high' },
  eligibility: { kind: 'STAGE_BLOCKED', stage: 'ELIGIBILITY', priority: 'high' },
  scheduling: { kind: 'STAGE_BLOCKED', stage: 'SCHEDULING', priority: 'high' },
  billing: { kind: 'STAGE_BLOCKED', stage: 'PAYMENT', priority: 'high' },
  'clinical-triage': { kind: 'TRIAGE', stage: 'INTAKE', priority: 'urgent' },
  radiology: { kind: 'STAGE_BLOCKED', stage: 'SCHEDULING', priority: 'high' },
  ops: { kind: 'EXECUTION_STOPPED', stage: 'PAYMENT', priority: 'high' },
};

const newClinic = () => `clinic-${randomUUID().slice(0, 8)}`;
const dueIn = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
const PATIENT_ID = 'p-1';

async function put(item: Record<string, unknown>): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

/** The clinic's patient and their insurance on file. */
async function seedPatient(clinicId: string): Promise<PatientRecord> {
  const patient = { ...patientFixture, clinicId, patientId: PATIENT_ID };
  const insurance: CoverageRecord = {
    type: 'Coverage',
    clinicId,
    patientId: PATIENT_ID,
    payerId: '60054',
    payerName: 'Aetna',
    memberId: 'W123456789',
    groupNumber: 'GRP-1',
    subscriber: { relationship: 'self', firstName: 'Jordan', lastName: 'Quintero', birthDate: '1984-07-09' },
    updatedAt: now.toISOString(),
  };
  await Promise.all([
    put({ ...keys.patient(clinicId, PATIENT_ID), ...patient }),
    put({ ...keys.coverage(clinicId, PATIENT_ID), ...insurance }),
  ]);
  return patient;
}

/** An open task of the queue, of the clinic's patient, opened through the store. */
async function openTask(clinicId: string, queue: StaffQueue, overrides: Partial<StaffTask> = {}): Promise<StaffTask> {
  const task: StaffTask = {
    type: 'StaffTask',
    clinicId,
    taskId: `st-${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    journeyId: `j-${randomUUID().slice(0, 8)}`,
    patientId: PATIENT_ID,
    ...KIND_OF[queue],
    reason: `Needs someone of ${queue}.`,
    status: 'OPEN',
    createdAt: now.toISOString(),
    queue,
    dueAt: dueIn(30),
    history: [{ at: now.toISOString(), by: 'function:test', event: 'opened' }],
    ...(KIND_OF[queue].kind === 'TRIAGE' ? {} : { taskToken: `token-${randomUUID()}` }),
    ...overrides,
  };
  expect(await stores.tasks.open(task)).toBe(true);
  return task;
}

interface Call {
  clinicId: string;
  taskId?: string;
  /** Claims of the caller: a role's demo person, claims of one's own, or null for none. */
  as?: StaffRole | StaffClaims | null;
  query?: Record<string, string>;
  body?: unknown;
}

/** Calls the route's handler as API Gateway would, and gives the status and the parsed body. */
async function call(route: Route, { clinicId, taskId, as = 'admin', query, body }: Call) {
  const person = typeof as === 'string' ? PERSON[as] : as;
  const event: ApiEvent = staffEvent({
    routeKey: ROUTE[route],
    pathParameters: { clinicId, ...(taskId !== undefined ? { taskId } : {}) },
    ...(body !== undefined ? { body } : {}),
    person: person === null ? null : { clinicId, ...person },
  });
  if (query) event.queryStringParameters = query;
  const handler = route === 'list' ? listTasks : route === 'get' ? getTask : workTask;
  const response = await handler(event, lambdaContext);
  return {
    status: response.statusCode,
    body: JSON.parse(response.body) as Record<string, unknown> & { tasks?: Array<{ taskId: string }> },
  };
}

/** Every audit record of the clinic today, in the order written. */
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

const stored = (task: StaffTask) => stores.tasks.get(task.clinicId, task.taskId);

/** The same items in any order: records written at the same `now` sort by their random suffix, not by when. */
function expectSameItems(actual: unknown[], expected: unknown[]): void {
  expect(actual).toHaveLength(expected.length);
  expect(actual).toEqual(expect.arrayContaining(expected));
}
const listedIds = (body: { tasks?: Array<{ taskId: string }> }) => (body.tasks ?? []).map((task) => task.taskId);

/**
 * Whether the role works a task of this queue (KIND_OF): its queue's people, and for a stopped execution (ops' queue)
 * the people of the stage it stopped in too (payment: the billing queue's), who may also decide it.
 */
const worksTaskOf = (role: StaffRole, queue: StaffQueue) =>
  WORKS[role].includes(queue) || (queue === 'ops' && WORKS[role].includes('billing'));

/** Every (role, queue) pair, and whether the role works that queue's task. */
const MATRIX = STAFF_ROLES.flatMap((role) =>
  STAFF_QUEUES.map((queue) => [role, queue, worksTaskOf(role, queue) ? 200 : 403] as [StaffRole, StaffQueue, 200 | 403]),
);

/** Every (role, queue) pair, and whether the role may list that queue: its people only (a list is of a queue). */
const QUEUE_MATRIX = STAFF_ROLES.flatMap((role) =>
  STAFF_QUEUES.map((queue) => [role, queue, WORKS[role].includes(queue) ? 200 : 403] as [StaffRole, StaffQueue, 200 | 403]),
);

describe('Functions: staff task routes, who may read and work which queue', () => {
  const clinicId = newClinic();
  beforeAll(async () => {
    await seedPatient(clinicId);
  });

  it.each(MATRIX)('GET a task: %s on a %s task answers %s', async (role, queue, status) => {
    // Prepare
    const task = await openTask(clinicId, queue);

    // Act
    const { status: answered, body } = await call('get', { clinicId, taskId: task.taskId, as: role });

    // Assess
    expect(answered).toBe(status);
    if (status === 200) expect(StaffTaskDetailSchema.parse(body)).toMatchObject({ taskId: task.taskId, queue });
    else expect(body).not.toHaveProperty('patient');
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expect(audits.map((a) => a.actor)).toEqual(status === 200 ? [actorOf(role)] : []);
  });

  /** Claims are the queue's, except a triage slip's: only clinicians, who alone may close it, claim it. */
  const CLAIM_MATRIX = MATRIX.map(
    ([role, queue, status]) =>
      [role, queue, queue === 'clinical-triage' && role !== 'clinical' ? 403 : status] as [StaffRole, StaffQueue, 200 | 403],
  );

  it.each(CLAIM_MATRIX)('POST claim: %s on a %s task answers %s', async (role, queue, status) => {
    // Prepare
    const task = await openTask(clinicId, queue);

    // Act
    const { status: answered, body } = await call('claim', { clinicId, taskId: task.taskId, as: role });

    // Assess
    expect(answered).toBe(status);
    if (status === 200) {
      expect(StaffTaskSummarySchema.parse(body).owner).toEqual({ userId: actorOf(role), name: PERSON[role].username });
      expect(await stored(task)).toMatchObject({ owner: actorOf(role) });
    } else expect(await stored(task)).not.toHaveProperty('owner');
  });

  it.each(MATRIX)('POST release: %s on a %s task they hold answers %s', async (role, queue, status) => {
    // Prepare: held by the caller (as the store would let anyone), so only the queue decides
    const task = await openTask(clinicId, queue);
    await stores.tasks.claim(task, { actor: actorOf(role), name: PERSON[role].username }, now, {
      clinicId,
      actor: actorOf(role),
      action: 'staffTask.claim',
      patientId: PATIENT_ID,
      journeyId: task.journeyId,
      outcome: 'success',
    });

    // Act
    const { status: answered, body } = await call('release', { clinicId, taskId: task.taskId, as: role });

    // Assess
    expect(answered).toBe(status);
    if (status === 200) {
      expect(StaffTaskSummarySchema.parse(body)).not.toHaveProperty('owner');
      expect(await stored(task)).not.toHaveProperty('owner');
    } else expect(await stored(task)).toMatchObject({ owner: actorOf(role) });
  });

  it.each(MATRIX)('POST notes: %s on a %s task answers %s', async (role, queue, status) => {
    // Prepare
    const task = await openTask(clinicId, queue);

    // Act
    const { status: answered } = await call('notes', { clinicId, taskId: task.taskId, as: role, body: { text: `From ${role}.` } });

    // Assess
    expect(answered).toBe(status);
    expect((await stored(task))?.notes).toEqual(
      status === 200 ? [{ at: now.toISOString(), by: actorOf(role), text: `From ${role}.` }] : undefined,
    );
  });

  it('lets a person with two roles work the queues of both', async () => {
    // Prepare
    const task = await openTask(clinicId, 'clinical-triage');
    const both: StaffClaims = { sub: 'u-both', username: 'both', groups: '[billing clinical]' };

    // Act
    const answers = [
      (await call('get', { clinicId, taskId: task.taskId, as: both })).status,
      (await call('claim', { clinicId, taskId: task.taskId, as: both })).status,
    ];

    // Assess
    expect(answers).toEqual([200, 200]);
  });

  it('lets a person with an unknown group besides a known one act in the known role only', async () => {
    // Prepare
    const triage = await openTask(clinicId, 'clinical-triage');
    const billing = await openTask(clinicId, 'billing');
    const claims: StaffClaims = { sub: 'u-x', username: 'x', groups: '[superuser billing]' };

    // Act
    const answers = [
      (await call('get', { clinicId, taskId: triage.taskId, as: claims })).status,
      (await call('get', { clinicId, taskId: billing.taskId, as: claims })).status,
    ];

    // Assess
    expect(answers).toEqual([403, 200]);
  });
});

describe('Function: listStaffTasks, who sees which queue', () => {
  const clinicId = newClinic();
  const byQueue = new Map<StaffQueue, StaffTask>();
  beforeAll(async () => {
    // One open task per queue, due in the queues' order, and another clinic's task in every queue
    for (const [i, queue] of STAFF_QUEUES.entries()) byQueue.set(queue, await openTask(clinicId, queue, { dueAt: dueIn(i) }));
    const other = newClinic();
    for (const queue of STAFF_QUEUES) await openTask(other, queue, { dueAt: dueIn(-1) });
  });

  it.each(STAFF_ROLES)('lists to %s the tasks of the queues the role works, most due first', async (role) => {
    // Act
    const { status, body } = await call('list', { clinicId, as: role });

    // Assess
    expect(status).toBe(200);
    const page = StaffTaskPageSchema.parse(body);
    expect(page.tasks.map((t) => t.queue)).toEqual(STAFF_QUEUES.filter((queue) => WORKS[role].includes(queue)));
    expect(page.next).toBeUndefined();
  });

  it.each(QUEUE_MATRIX)('lists to %s the %s queue alone: %s', async (role, queue, status) => {
    // Act
    const { status: answered, body } = await call('list', { clinicId, as: role, query: { queue } });

    // Assess
    expect(answered).toBe(status);
    if (status === 200) expect(listedIds(body)).toEqual([byQueue.get(queue)?.taskId]);
    else expect(body).toEqual({ message: expect.stringContaining(queue) });
  });

  it('lists summaries without the patient’s name, and reads nobody’s record doing so', async () => {
    // Act
    const { body } = await call('list', { clinicId, as: 'admin' });

    // Assess
    const text = JSON.stringify(body);
    expect(text).not.toContain(patientFixture.lastName);
    expect(text).not.toContain(PATIENT_ID);
    expect(await clinicAudits(clinicId)).toEqual([]);
  });
});

describe('Function: listStaffTasks, filters and pages', () => {
  it('lists only overdue tasks with overdue=true, flagged overdue', async () => {
    // Prepare
    const clinicId = newClinic();
    const late = await openTask(clinicId, 'billing', { dueAt: dueIn(-10) });
    const onTime = await openTask(clinicId, 'billing', { dueAt: dueIn(10) });

    // Act
    const overdue = await call('list', { clinicId, as: 'billing', query: { overdue: 'true' } });
    const all = await call('list', { clinicId, as: 'billing' });

    // Assess
    expect(listedIds(overdue.body)).toEqual([late.taskId]);
    expect(StaffTaskPageSchema.parse(all.body).tasks.map((t) => [t.taskId, t.overdue])).toEqual([
      [late.taskId, true],
      [onTime.taskId, false],
    ]);
  });

  it('takes the earlier of overdue=true and dueBefore', async () => {
    // Prepare
    const clinicId = newClinic();
    const early = await openTask(clinicId, 'ops', { dueAt: dueIn(-60) });
    await openTask(clinicId, 'ops', { dueAt: dueIn(-10) });
    await openTask(clinicId, 'ops', { dueAt: dueIn(10) });

    // Act
    const { body } = await call('list', { clinicId, as: 'ops', query: { overdue: 'true', dueBefore: dueIn(-30) } });
    const later = await call('list', { clinicId, as: 'ops', query: { overdue: 'true', dueBefore: dueIn(60) } });

    // Assess
    expect(listedIds(body)).toEqual([early.taskId]);
    expect(listedIds(later.body)).toHaveLength(2);
  });

  it('leaves out a task due after `dueBefore` when dueBefore has no milliseconds', async () => {
    // Prepare: due half a second after 10:00:00
    const clinicId = newClinic();
    const before = await openTask(clinicId, 'ops', { dueAt: '2026-12-01T09:59:59.000Z' });
    await openTask(clinicId, 'ops', { dueAt: '2026-12-01T10:00:00.500Z' });

    // Act
    const { status, body } = await call('list', { clinicId, as: 'ops', query: { dueBefore: '2026-12-01T10:00:00Z' } });
    const offset = await call('list', { clinicId, as: 'ops', query: { dueBefore: '2026-12-01T11:00:00+01:00' } });

    // Assess: the same instant with an offset reads the same
    expect(status).toBe(200);
    expect(listedIds(body)).toEqual([before.taskId]);
    expect(offset.status).toBe(200);
    expect(listedIds(offset.body)).toEqual([before.taskId]);
  });

  it('walks every task across the person’s queues with limit and cursor', async () => {
    // Prepare
    const clinicId = newClinic();
    const mine = [];
    for (const [i, queue] of (['front-desk', 'eligibility', 'scheduling', 'billing'] as const).entries())
      for (const minutes of [i, i + 10, i + 20]) mine.push(await openTask(clinicId, queue, { dueAt: dueIn(minutes) }));
    await openTask(clinicId, 'clinical-triage', { dueAt: dueIn(5) });

    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const { status, body } = await call('list', { clinicId, as: 'front-desk', query: { limit: '5', ...(cursor ? { cursor } : {}) } });
      expect(status).toBe(200);
      seen.push(...listedIds(body));
      cursor = body.next as string | undefined;
      if (!cursor) break;
    }

    // Assess
    expect(seen).toEqual([...mine].sort((a, b) => a.dueAt.localeCompare(b.dueAt)).map((t) => t.taskId));
  });

  it('answers a cursor past dueBefore with an empty page (or a 400), not a 500', async () => {
    // Prepare: a cursor of a later page of the whole list, then the overdue ones asked for with it
    const clinicId = newClinic();
    await openTask(clinicId, 'ops', { dueAt: dueIn(-5) });
    const future = await openTask(clinicId, 'ops', { dueAt: dueIn(30) });

    // Act
    const { status, body } = await call('list', {
      clinicId,
      as: 'ops',
      query: { overdue: 'true', cursor: `${future.dueAt}#${future.taskId}` },
    });

    // Assess: DynamoDB refuses a BETWEEN whose lower bound is above its upper bound (ValidationException)
    expect([200, 400]).toContain(status);
    if (status === 200) expect(body).toEqual({ tasks: [] });
  });

  it('lists my claimed tasks with owner=me, and a colleague’s with owner=user:<id>', async () => {
    // Prepare
    const clinicId = newClinic();
    const mine = await openTask(clinicId, 'billing', { dueAt: dueIn(1) });
    const theirs = await openTask(clinicId, 'eligibility', { dueAt: dueIn(2) });
    await openTask(clinicId, 'billing', { dueAt: dueIn(3) });
    expect((await call('claim', { clinicId, taskId: mine.taskId, as: 'front-desk' })).status).toBe(200);
    expect((await call('claim', { clinicId, taskId: theirs.taskId, as: 'billing' })).status).toBe(200);

    // Act
    const me = await call('list', { clinicId, as: 'front-desk', query: { owner: 'me' } });
    const colleague = await call('list', { clinicId, as: 'front-desk', query: { owner: actorOf('billing') } });
    const nurse = await call('list', { clinicId, as: 'clinical', query: { owner: actorOf('billing') } });

    // Assess
    expect(StaffTaskPageSchema.parse(me.body).tasks.map((t) => [t.taskId, t.owner])).toEqual([
      [mine.taskId, { userId: actorOf('front-desk'), name: 'frontdesk' }],
    ]);
    expect(listedIds(colleague.body)).toEqual([theirs.taskId]);
    expect(listedIds(nurse.body)).toEqual([]);
  });

  it('lists decided tasks with status=DECIDED', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await openTask(clinicId, 'clinical-triage');
    await stores.tasks.recordDecision(
      task,
      { action: 'PROCEED', decidedBy: actorOf('clinical'), decidedAt: now.toISOString() },
      undefined,
      {
        clinicId,
        actor: actorOf('clinical'),
        action: 'staffTask.decide',
        journeyId: task.journeyId,
        outcome: 'success',
      },
    );

    // Act
    const open = await call('list', { clinicId, as: 'clinical' });
    const decided = await call('list', { clinicId, as: 'clinical', query: { status: 'DECIDED' } });

    // Assess
    expect(listedIds(open.body)).toEqual([]);
    expect(StaffTaskPageSchema.parse(decided.body).tasks).toEqual([
      expect.objectContaining({ taskId: task.taskId, status: 'DECIDED', overdue: false }),
    ]);
  });

  it.each([
    ['limit=0', { limit: '0' }, 'limit'],
    ['limit=101', { limit: '101' }, 'limit'],
    ['limit=1.5', { limit: '1.5' }, 'limit'],
    ['limit=ten', { limit: 'ten' }, 'limit'],
    ['an unknown parameter', { sort: 'dueAt' }, 'sort'],
    ['a cursor that is no position', { cursor: 'page-2' }, 'cursor'],
    ['a cursor with a key in it', { cursor: '2026-12-01T10:00:00.000Z#CLINIC#x' }, 'cursor'],
    ['an unknown queue', { queue: 'pharmacy' }, 'queue'],
    ['an unknown status', { status: 'CLAIMED' }, 'status'],
    ['overdue=false', { overdue: 'false' }, 'overdue'],
    ['an owner that is not me or a user', { owner: 'frontdesk' }, 'owner'],
    ['a dueBefore that is no time', { dueBefore: 'tomorrow' }, 'dueBefore'],
  ])('answers 400 for %s, naming the parameter', async (_case, query, path) => {
    // Act
    const { status, body } = await call('list', { clinicId: newClinic(), as: 'admin', query });

    // Assess
    expect(status).toBe(400);
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe('Functions: staff task routes, who is let in at all', () => {
  const clinicId = newClinic();
  let task: StaffTask;
  beforeAll(async () => {
    await seedPatient(clinicId);
    task = await openTask(clinicId, 'billing');
  });

  const ROUTES: Route[] = ['list', 'get', 'claim', 'release', 'notes'];
  const cases = ROUTES.flatMap((route) =>
    (
      [
        ['no signed-in person', null, 401],
        ['an access token instead of an ID token', { ...PERSON.admin, tokenUse: 'access' }, 401],
        ['a token without a subject', { ...PERSON.admin, sub: '' }, 401],
        ['a person of another clinic', { ...PERSON.admin, clinicId: 'clinic-elsewhere' }, 403],
        ['a person without any known role', { ...PERSON.admin, groups: '[superuser]' }, 403],
        ['a person without any group', { ...PERSON.admin, groups: '[]' }, 403],
      ] as Array<[string, StaffClaims | null, number]>
    ).map(([who, claims, status]) => [route, who, claims, status] as const),
  );

  it.each(cases)('%s: answers %s with %s and writes nothing', async (route, _who, claims, status) => {
    // Act
    const { status: answered } = await call(route, { clinicId, taskId: task.taskId, as: claims, body: { text: 'A note.' } });

    // Assess
    expect(answered).toBe(status);
    expect(await stored(task)).toMatchObject({ history: task.history });
    expect(await stored(task)).not.toHaveProperty('owner');
    expect(await stored(task)).not.toHaveProperty('notes');
    expect(await clinicAudits(clinicId)).toEqual([]);
  });

  it.each((['get', 'claim', 'release', 'notes'] as const).flatMap((route) => BAD_PATH_IDS.map(([name, id]) => [route, name, id] as const)))(
    '%s: answers 400 for a task ID with %s',
    async (route, _name, taskId) => {
      // Act
      const { status } = await call(route, { clinicId, taskId, as: 'admin', body: { text: 'A note.' } });

      // Assess
      expect(status).toBe(400);
    },
  );

  it.each(['get', 'claim', 'release', 'notes'] as const)('%s: answers 404 for a task that does not exist', async (route) => {
    // Act
    const { status, body } = await call(route, { clinicId, taskId: 'st-nope', as: 'admin', body: { text: 'A note.' } });

    // Assess
    expect(status).toBe(404);
    expect(body).toEqual({ message: 'Staff task not found' });
  });

  it('answers 404 for another clinic’s task, even to its admin', async () => {
    // Prepare
    const elsewhere = newClinic();
    const theirs = await openTask(elsewhere, 'billing');

    // Act
    const answers = await Promise.all(
      (['get', 'claim', 'release', 'notes'] as const).map(
        async (route) => (await call(route, { clinicId, taskId: theirs.taskId, as: 'admin', body: { text: 'A note.' } })).status,
      ),
    );

    // Assess
    expect(answers).toEqual([404, 404, 404, 404]);
    expect(await stores.tasks.get(elsewhere, theirs.taskId)).not.toHaveProperty('owner');
  });
});

describe('Function: workStaffTask, notes', () => {
  const clinicId = newClinic();

  it.each([
    ['an empty note', { text: '' }],
    ['a note of spaces only', { text: '   \n ' }],
    ['no text', {}],
    ['a text that is not a string', { text: 42 }],
    ['a note over 2,000 characters', { text: 'x'.repeat(2001) }],
    ['an unknown field', { text: 'Hello.', author: 'someone else' }],
    ['a body that is not JSON', '{"text": '],
  ])('answers 400 for %s and writes nothing', async (_case, body) => {
    // Prepare
    const task = await openTask(clinicId, 'billing');

    // Act
    const { status } = await call('notes', { clinicId, taskId: task.taskId, as: 'billing', body });

    // Assess
    expect(status).toBe(400);
    expect(await stored(task)).not.toHaveProperty('notes');
    expect((await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId)).toEqual([]);
  });

  it('takes notes up to 2,000 bytes until the task holds as many as it keeps, then answers 409, never a 500', async () => {
    // Prepare: the longest note in a script of 3 bytes a character (666 characters, 1,998 bytes)
    const task = await openTask(clinicId, 'billing');
    const text = '漢'.repeat(666);

    // Act: as many notes as a task keeps (MAX_NOTES_PER_TASK), and one more
    const statuses: number[] = [];
    for (let i = 0; i <= MAX_NOTES_PER_TASK; i++)
      statuses.push((await call('notes', { clinicId, taskId: task.taskId, as: 'billing', body: { text } })).status);

    // Assess: each note is taken until the task is full; none fails on DynamoDB's 400 KB item limit
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(409);
  });

  it('refuses a note of 2,000 characters that is over 2,000 bytes, with 400 naming the text', async () => {
    const task = await openTask(clinicId, 'billing');
    const { status, body } = await call('notes', { clinicId, taskId: task.taskId, as: 'billing', body: { text: '漢'.repeat(2000) } });
    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ path: 'text' })]);
  });

  it('keeps notes in order, trimmed, and audits each in the writer’s name', async () => {
    // Prepare
    const task = await openTask(clinicId, 'eligibility');

    // Act
    const first = await call('notes', { clinicId, taskId: task.taskId, as: 'billing', body: { text: '  Called the payer.  ' } });
    const second = await call('notes', { clinicId, taskId: task.taskId, as: 'front-desk', body: { text: 'Patient will call back.' } });

    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await stored(task))?.notes).toEqual([
      { at: now.toISOString(), by: actorOf('billing'), text: 'Called the payer.' },
      { at: now.toISOString(), by: actorOf('front-desk'), text: 'Patient will call back.' },
    ]);
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expectSameItems(
      audits.map((a) => [a.actor, a.actions, a.patientId, a.via]),
      [
        [actorOf('billing'), ['staffTask.note'], PATIENT_ID, ROUTE.notes],
        [actorOf('front-desk'), ['staffTask.note'], PATIENT_ID, ROUTE.notes],
      ],
    );
  });
});

describe('Function: workStaffTask, claims and releases', () => {
  const clinicId = newClinic();

  it('claims a task, answers with its summary, and audits the claim in the person’s name', async () => {
    // Prepare
    const task = await openTask(clinicId, 'scheduling');

    // Act
    const { status, body } = await call('claim', { clinicId, taskId: task.taskId, as: 'radiology' });

    // Assess
    expect(status).toBe(200);
    expect(StaffTaskSummarySchema.parse(body)).toMatchObject({
      taskId: task.taskId,
      status: 'OPEN',
      owner: { userId: actorOf('radiology'), name: 'radiology' },
    });
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expect(audits).toEqual([
      expect.objectContaining({ actor: actorOf('radiology'), actions: ['staffTask.claim'], patientId: PATIENT_ID, via: ROUTE.claim }),
    ]);
  });

  it('answers 200 to the owner claiming again (writing nothing more), 409 to a colleague, who writes no audit record', async () => {
    // Prepare
    const task = await openTask(clinicId, 'billing');
    await call('claim', { clinicId, taskId: task.taskId, as: 'billing' });

    // Act
    const again = await call('claim', { clinicId, taskId: task.taskId, as: 'billing' });
    const colleague = await call('claim', { clinicId, taskId: task.taskId, as: 'front-desk' });

    // Assess
    expect([again.status, colleague.status]).toEqual([200, 409]);
    expect(colleague.body).toEqual({ message: 'Someone else has claimed this task' });
    expect(await stored(task)).toMatchObject({ owner: actorOf('billing') });
    expect((await stored(task))?.history.map((h) => h.event)).toEqual(['opened', 'claimed']);
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expect(audits.map((a) => a.actor)).toEqual([actorOf('billing')]);
  });

  it('answers 409 to a claim of a decided task', async () => {
    // Prepare
    const task = await openTask(clinicId, 'clinical-triage');
    await stores.tasks.recordDecision(
      task,
      { action: 'PROCEED', decidedBy: actorOf('clinical'), decidedAt: now.toISOString() },
      undefined,
      {
        clinicId,
        actor: actorOf('clinical'),
        action: 'staffTask.decide',
        journeyId: task.journeyId,
        outcome: 'success',
      },
    );

    // Act
    const { status, body } = await call('claim', { clinicId, taskId: task.taskId, as: 'clinical' });

    // Assess
    expect(status).toBe(409);
    expect(body).toEqual({ message: 'The task is no longer open' });
  });

  it('gives two people claiming at once one 200 and one 409', async () => {
    // Prepare
    const task = await openTask(clinicId, 'eligibility');

    // Act
    const answers = await Promise.all([
      call('claim', { clinicId, taskId: task.taskId, as: 'billing' }),
      call('claim', { clinicId, taskId: task.taskId, as: 'front-desk' }),
    ]);

    // Assess
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  });

  it('refuses a colleague’s release with 409, lets an admin release anyone’s', async () => {
    // Prepare
    const task = await openTask(clinicId, 'billing');
    await call('claim', { clinicId, taskId: task.taskId, as: 'billing' });

    // Act
    const colleague = await call('release', { clinicId, taskId: task.taskId, as: 'front-desk' });
    const admin = await call('release', { clinicId, taskId: task.taskId, as: 'admin' });

    // Assess
    expect(colleague.status).toBe(409);
    expect(admin.status).toBe(200);
    expect(await stored(task)).not.toHaveProperty('owner');
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expectSameItems(
      audits.map((a) => [a.actor, a.actions, a.via]),
      [
        [actorOf('billing'), ['staffTask.claim'], ROUTE.claim],
        [actorOf('admin'), ['staffTask.release'], ROUTE.release],
      ],
    );
  });

  it('answers 200 to the release of a task nobody holds', async () => {
    // Prepare
    const task = await openTask(clinicId, 'billing');

    // Act
    const { status, body } = await call('release', { clinicId, taskId: task.taskId, as: 'billing' });

    // Assess
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('owner');
  });
});

describe('Function: getStaffTask, the detail and its audit', () => {
  const clinicId = newClinic();
  beforeAll(async () => {
    await seedPatient(clinicId);
  });

  it('shows an eligibility task with the patient and the coverage on file, audited in one record before the read', async () => {
    // Prepare
    const task = await openTask(clinicId, 'eligibility');
    readsSeen.length = 0;

    // Act
    const { status, body } = await call('get', { clinicId, taskId: task.taskId, as: 'billing' });

    // Assess
    expect(status).toBe(200);
    const detail = StaffTaskDetailSchema.parse(body);
    expect(detail).toMatchObject({
      taskId: task.taskId,
      queue: 'eligibility',
      allowedActions: expect.arrayContaining(['RETRY']),
      patient: {
        patientId: PATIENT_ID,
        firstName: 'Jordan',
        lastName: 'Quintero',
        birthDate: '1984-07-09',
        phone: '+16175550123',
        email: 'jordan.quintero@example.com',
      },
      coverage: { payerId: '60054', payerName: 'Aetna', memberId: 'W123456789', groupNumber: 'GRP-1', subscriberRelationship: 'self' },
      notes: [],
      history: [{ at: now.toISOString(), by: { userId: 'function:test' }, event: 'opened' }],
    });
    expect(detail).not.toHaveProperty('decision');
    const expected = {
      clinicId,
      at: now.toISOString(),
      actor: actorOf('billing'),
      actions: ['staffTask.read', 'patient.read', 'coverage.read'],
      patientId: PATIENT_ID,
      journeyId: task.journeyId,
      outcome: 'success',
      via: ROUTE.get,
    };
    expect((await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId)).toEqual([expected]);
    expect(readsSeen).toEqual([{ patientId: PATIENT_ID, auditsAtRead: expect.arrayContaining([expected]) }]);
  });

  it("shows an eligibility task with the payer's answer as a specialist reads it, the payer's messages verbatim", async () => {
    // Prepare: the stage read a 271 whose copays disagree, and recorded the reading.
    const task = await openTask(clinicId, 'eligibility');
    const reading = readBenefits(
      {
        planStatus: [],
        errors: [],
        benefitsInformation: [
          { code: '1', serviceTypeCodes: ['30'] },
          { code: 'B', serviceTypeCodes: ['98'], amountCents: 2500, inPlanNetworkIndicatorCode: 'Y' },
          { code: 'B', serviceTypeCodes: ['98'], amountCents: 4000, inPlanNetworkIndicatorCode: 'Y', messages: ['PER VISIT'] },
          { code: 'C', serviceTypeCodes: ['30'], amountCents: 50_000, timeQualifierCode: '29', coverageLevelCode: 'IND' },
        ],
      },
      { serviceTypeCode: '98' },
    );
    await put({
      ...keys.eligibility(clinicId, task.journeyId ?? ''),
      type: 'EligibilityCheck',
      clinicId,
      journeyId: task.journeyId,
      appointmentTypeCode: 'PRIMARY_CARE_NEW',
      serviceTypeCode: '98',
      payerId: '60054',
      summary: {
        outcome: 'NEEDS_REVIEW',
        serviceTypeCode: '98',
        coverageActive: true,
        priorAuthorizationRequired: false,
        reason: 'x',
        benefits: reading,
      },
      checkedAt: now.toISOString(),
    });

    // Act
    const { body } = await call('get', { clinicId, taskId: task.taskId, as: 'billing' });

    // Assess
    const { eligibility } = StaffTaskDetailSchema.parse(body);
    expect(eligibility).toMatchObject({
      payerId: '60054',
      status: 'ACTIVE',
      network: 'IN',
      deductible: { individual: { remainingCents: 50_000 } },
      payerMessages: ['PER VISIT'],
      uncertain: [expect.stringContaining('$25.00, $40.00')],
    });
    expect(eligibility?.copayCents).toBeUndefined();
  });

  it('shows a task of another stage without coverage, audited as a task and patient read', async () => {
    // Prepare
    const task = await openTask(clinicId, 'billing');

    // Act
    const { status, body } = await call('get', { clinicId, taskId: task.taskId, as: 'front-desk' });

    // Assess
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('coverage');
    expect(body).toMatchObject({ patient: { lastName: 'Quintero' } });
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expect(audits.map((a) => [a.actor, a.actions])).toEqual([[actorOf('front-desk'), ['staffTask.read', 'patient.read']]]);
  });

  it('shows a triage slip to a nurse without coverage', async () => {
    // Prepare
    const task = await openTask(clinicId, 'clinical-triage');

    // Act
    const { status, body } = await call('get', { clinicId, taskId: task.taskId, as: 'clinical' });

    // Assess
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('coverage');
    expect(body).toMatchObject({ kind: 'TRIAGE', priority: 'urgent', allowedActions: expect.any(Array) });
  });

  it('shows the notes, the owner, the history and the decision of a decided task, with no actions left', async () => {
    // Prepare
    const task = await openTask(clinicId, 'clinical-triage');
    await call('claim', { clinicId, taskId: task.taskId, as: 'clinical' });
    await call('notes', { clinicId, taskId: task.taskId, as: 'clinical', body: { text: 'Spoke to the patient.' } });
    const current = (await stored(task)) as StaffTask;
    await stores.tasks.recordDecision(
      current,
      { action: 'PROCEED', decidedBy: actorOf('clinical'), decidedAt: now.toISOString(), note: 'Fine to book.' },
      undefined,
      { clinicId, actor: actorOf('clinical'), action: 'staffTask.decide', journeyId: task.journeyId, outcome: 'success' },
    );

    // Act
    const { status, body } = await call('get', { clinicId, taskId: task.taskId, as: 'admin' });

    // Assess
    expect(status).toBe(200);
    expect(StaffTaskDetailSchema.parse(body)).toMatchObject({
      status: 'DECIDED',
      overdue: false,
      allowedActions: [],
      owner: { userId: actorOf('clinical'), name: 'nurse' },
      notes: [{ at: now.toISOString(), by: { userId: actorOf('clinical') }, text: 'Spoke to the patient.' }],
      history: ['opened', 'claimed', 'noted', 'decided'].map((event) => expect.objectContaining({ event })),
      decision: { action: 'PROCEED', decidedBy: { userId: actorOf('clinical') }, decidedAt: now.toISOString(), note: 'Fine to book.' },
    });
  });

  it('shows the task without its patient when the patient is not found, the read audited before it is made and its failure too', async () => {
    // Prepare: a task of a patient with no record (merged away since, say)
    const task = await openTask(clinicId, 'billing', { patientId: 'p-missing' });
    readsSeen.length = 0;

    // Act
    const { status, body } = await call('get', { clinicId, taskId: task.taskId, as: 'billing' });

    // Assess: the detail, without a patient section
    expect(status).toBe(200);
    const detail = StaffTaskDetailSchema.parse(body);
    expect(detail).toMatchObject({ taskId: task.taskId, queue: 'billing', status: 'OPEN' });
    expect(detail).not.toHaveProperty('patient');
    const audits = (await clinicAudits(clinicId)).filter((a) => a.journeyId === task.journeyId);
    expectSameItems(
      audits.map((a) => [a.actions, a.outcome, a.patientId]),
      [
        [['staffTask.read', 'patient.read'], 'success', 'p-missing'],
        [['patient.read'], 'failure', 'p-missing'],
      ],
    );
    expect(readsSeen.map((read) => read.auditsAtRead.filter((a) => a.journeyId === task.journeyId).map((a) => a.actions))).toEqual([
      [['staffTask.read', 'patient.read']],
    ]);
  });
});
