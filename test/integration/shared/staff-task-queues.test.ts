import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StaffQueue } from '#contract/staff-queues.ts';
import { journeyOfTask, type StaffTask } from '#model/staff-task.ts';
import type { AuditAction, AuditEvent } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore, MAX_HISTORY_FOR_CLAIMS, type StaffTaskQuery } from '#shared/staff-task-store.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { journeyWithAppointment } from '#test/support/fixtures/records.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const now = new Date('2026-12-01T10:00:00.000Z');
const later = new Date('2026-12-01T10:05:00.000Z');
const VIA = 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/claim';

const table = await localTable('staff-task-queues');
const tasks = dynamoStaffTaskStore(table);

/** A clinic of the test's own: its queues hold only the test's tasks. */
const newClinic = () => `clinic-${randomUUID().slice(0, 8)}`;

/** The minute `minutes` after 10:00 as an ISO time: tasks due at different times. */
const dueIn = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

/** An open task of a new journey in `queue`, due `dueAt`. */
function newTask(clinicId: string, queue: StaffQueue, dueAt: string, overrides: Partial<StaffTask> = {}): StaffTask {
  const journeyId = `j-${randomUUID()}`;
  return {
    type: 'StaffTask',
    clinicId,
    taskId: `st-${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    journeyId,
    patientId: `p-${randomUUID().slice(0, 8)}`,
    kind: 'TRIAGE',
    stage: 'INTAKE',
    reason: 'Needs a person.',
    status: 'OPEN',
    createdAt: now.toISOString(),
    queue,
    priority: 'high',
    dueAt,
    history: [{ at: now.toISOString(), by: 'function:test', event: 'opened' }],
    ...overrides,
  };
}

async function opened(clinicId: string, queue: StaffQueue, dueAt: string, overrides: Partial<StaffTask> = {}): Promise<StaffTask> {
  const task = newTask(clinicId, queue, dueAt, overrides);
  expect(await tasks.open(task)).toBe(true);
  return task;
}

const query = (clinicId: string, queues: readonly StaffQueue[], rest: Partial<StaffTaskQuery> = {}): StaffTaskQuery => ({
  clinicId,
  queues,
  status: 'OPEN',
  limit: 25,
  ...rest,
});

const idsOf = (list: { tasks: StaffTask[] }) => list.tasks.map((task) => task.taskId);

/** The IDs of tasks in the order a list must give them: due time, then task ID. */
const inListOrder = (list: StaffTask[]) =>
  [...list].sort((a, b) => (a.dueAt === b.dueAt ? (a.taskId < b.taskId ? -1 : 1) : a.dueAt < b.dueAt ? -1 : 1)).map((t) => t.taskId);

/** Every page of a list, following `next`; fails rather than loop for ever. */
async function allPages(q: StaffTaskQuery): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await tasks.list({ ...q, ...(after ? { after } : {}) });
    pages.push(idsOf(page));
    if (!page.next) return pages;
    expect(page.next).not.toBe(after);
    after = page.next;
  }
  throw new Error('The list never ended');
}

const person = (n: string) => ({ actor: `user:${n}`, name: n });

/** The audit event a worker of the task writes with each claim, release or note. */
const auditOf = (task: StaffTask, actor: string, action: AuditAction): AuditEvent => ({
  clinicId: task.clinicId,
  actor,
  action,
  journeyId: task.journeyId,
  patientId: task.patientId,
  via: VIA,
  outcome: 'success',
});

const claim = (task: StaffTask, who: string, at = now) =>
  tasks.claim(task, person(who), at, auditOf(task, `user:${who}`, 'staffTask.claim'));
const release = (task: StaffTask, who: string, anyOwner = false) =>
  tasks.release(task, `user:${who}`, anyOwner, later, auditOf(task, `user:${who}`, 'staffTask.release'));
const note = (task: StaffTask, who: string, text: string, at = later) =>
  tasks.addNote(task, { at: at.toISOString(), by: `user:${who}`, text }, at, auditOf(task, `user:${who}`, 'staffTask.note'));

/** The task's audit records of the test's day. */
const auditsOf = async (task: StaffTask) => auditRecords(await journeyAudits(table, journeyOfTask(task), now));

const decide = (task: StaffTask, by = 'user:nurse') =>
  tasks.recordDecision(task, { action: 'PROCEED', decidedBy: by, decidedAt: later.toISOString() }, undefined, {
    ...auditOf(task, by, 'staffTask.decide'),
  });

describe('Staff task store: lists of the queues on DynamoDB Local', () => {
  it('merges several queues most due first, leaving out other queues and other clinics', async () => {
    // Prepare: interleaved due times across three queues, a queue not asked for, another clinic's same queue
    const clinicId = newClinic();
    const eligibility = await Promise.all([opened(clinicId, 'eligibility', dueIn(30)), opened(clinicId, 'eligibility', dueIn(5))]);
    const billing = await Promise.all([opened(clinicId, 'billing', dueIn(20)), opened(clinicId, 'billing', dueIn(-60))]);
    const scheduling = await Promise.all([opened(clinicId, 'scheduling', dueIn(10)), opened(clinicId, 'scheduling', dueIn(45))]);
    await opened(clinicId, 'ops', dueIn(0));
    await opened(newClinic(), 'billing', dueIn(1));

    // Act
    const list = await tasks.list(query(clinicId, ['eligibility', 'billing', 'scheduling']));

    // Assess
    expect(list.tasks.map((task) => task.dueAt)).toEqual([dueIn(-60), dueIn(5), dueIn(10), dueIn(20), dueIn(30), dueIn(45)]);
    expect(idsOf(list)).toEqual(inListOrder([...eligibility, ...billing, ...scheduling]));
    expect(list.next).toBeUndefined();
  });

  it('gives the tasks back as they were opened, without the table’s keys', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'radiology', dueIn(15));

    // Act
    const list = await tasks.list(query(clinicId, ['radiology']));

    // Assess
    expect(list.tasks).toEqual([task]);
  });

  it('breaks a tie of due times by task ID', async () => {
    // Prepare
    const clinicId = newClinic();
    const same = await Promise.all(
      (['front-desk', 'billing', 'front-desk', 'billing'] as const).map((queue) => opened(clinicId, queue, dueIn(10))),
    );

    // Act
    const list = await tasks.list(query(clinicId, ['front-desk', 'billing']));

    // Assess
    expect(idsOf(list)).toEqual(same.map((t) => t.taskId).sort());
  });

  it('lists nothing for a person who works no queue', async () => {
    // Prepare
    const clinicId = newClinic();
    await opened(clinicId, 'ops', dueIn(1));

    // Act
    const list = await tasks.list(query(clinicId, []));

    // Assess
    expect(list).toEqual({ tasks: [] });
  });

  it('moves a decided task from the OPEN list to the DECIDED list, an expired one to EXPIRED', async () => {
    // Prepare
    const clinicId = newClinic();
    const [stays, decided, expired] = await Promise.all([
      opened(clinicId, 'clinical-triage', dueIn(10)),
      opened(clinicId, 'clinical-triage', dueIn(20)),
      opened(clinicId, 'clinical-triage', dueIn(30)),
    ]);

    // Act
    expect(await decide(decided as StaffTask)).toBe('RECORDED');
    await tasks.expireIfOpen(clinicId, (expired as StaffTask).taskId, 'function:endJourney', later);

    // Assess
    const triage = ['clinical-triage'] as const;
    expect(idsOf(await tasks.list(query(clinicId, triage)))).toEqual([stays?.taskId]);
    expect(await tasks.list(query(clinicId, triage, { status: 'DECIDED' }))).toEqual({
      tasks: [
        expect.objectContaining({
          taskId: decided?.taskId,
          status: 'DECIDED',
          dueAt: dueIn(20),
          decision: { action: 'PROCEED', decidedBy: 'user:nurse', decidedAt: later.toISOString() },
        }),
      ],
    });
    expect(idsOf(await tasks.list(query(clinicId, triage, { status: 'EXPIRED' })))).toEqual([expired?.taskId]);
  });

  it('puts a reopened decision back in the OPEN list', async () => {
    // Prepare: a parked stage decided, its journey RUNNING on it
    const clinicId = newClinic();
    const task = await opened(clinicId, 'ops', dueIn(5), { kind: 'EXECUTION_STOPPED', stage: 'PAYMENT', executionArn: 'arn:x' });
    const journey = journeyWithAppointment({ clinicId, journeyId: task.journeyId, patientId: task.patientId, status: 'WAITING_FOR_STAFF' });
    journey.stages.PAYMENT = { status: 'WAITING_FOR_STAFF', at: now.toISOString(), reason: task.reason, staffTaskId: task.taskId };
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyOfTask(task).journeyId), ...journey } }),
    );
    expect(await decide(task, 'user:ops')).toBe('RECORDED');
    expect(idsOf(await tasks.list(query(clinicId, ['ops'])))).toEqual([]);

    // Act
    const reopened = await tasks.reopenDecided(task, 'PROCEED', 'function:decideStaffTask', later);

    // Assess
    expect(reopened).toBe(true);
    expect(idsOf(await tasks.list(query(clinicId, ['ops'])))).toEqual([task.taskId]);
    expect(idsOf(await tasks.list(query(clinicId, ['ops'], { status: 'DECIDED' })))).toEqual([]);
  });

  it('lists only tasks due before `dueBefore`, a task due exactly then left out', async () => {
    // Prepare
    const clinicId = newClinic();
    const [overdue, dueNow, dueSoon] = await Promise.all([
      opened(clinicId, 'billing', dueIn(-30)),
      opened(clinicId, 'eligibility', dueIn(0)),
      opened(clinicId, 'billing', dueIn(30)),
    ]);

    // Act
    const beforeNow = await tasks.list(query(clinicId, ['billing', 'eligibility'], { dueBefore: now.toISOString() }));
    const beforeAnHour = await tasks.list(query(clinicId, ['billing', 'eligibility'], { dueBefore: dueIn(60) }));

    // Assess
    expect(idsOf(beforeNow)).toEqual([overdue?.taskId]);
    expect(idsOf(beforeAnHour)).toEqual([overdue?.taskId, dueNow?.taskId, dueSoon?.taskId]);
  });

  it.each([1, 2, 3, 5])('walks every task of several queues exactly once, %s to a page, by `next`', async (limit) => {
    // Prepare: queues of different lengths, due times interleaved and some shared across queues
    const clinicId = newClinic();
    const plan: Array<[StaffQueue, number]> = [
      ['front-desk', 0],
      ['front-desk', 10],
      ['front-desk', 10],
      ['front-desk', 40],
      ['front-desk', 41],
      ['front-desk', 42],
      ['eligibility', 10],
      ['eligibility', 15],
      ['scheduling', -5],
      ['scheduling', 10],
      ['scheduling', 50],
      ['billing', 60],
      ['billing', 61],
    ];
    const all = await Promise.all(plan.map(([queue, minutes]) => opened(clinicId, queue, dueIn(minutes))));
    await opened(clinicId, 'ops', dueIn(12));

    // Act
    const pages = await allPages(query(clinicId, ['front-desk', 'eligibility', 'scheduling', 'billing'], { limit }));

    // Assess: no duplicates, no gaps, in order, no page larger than asked
    expect(pages.flat()).toEqual(inListOrder(all));
    expect(pages.every((page) => page.length <= limit)).toBe(true);
    expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
  });

  it('walks every task once when large tasks make DynamoDB stop a queue’s page early (1 MB), before its Limit', async () => {
    // Prepare: 12 eligibility tasks of ~120 KB each (long notes) due first, 12 small billing tasks due later
    const clinicId = newClinic();
    const note = { at: now.toISOString(), by: 'user:u-1', text: 'x'.repeat(2000) };
    const large = await Promise.all(
      Array.from({ length: 12 }, (_, i) => opened(clinicId, 'eligibility', dueIn(i), { notes: Array.from({ length: 60 }, () => note) })),
    );
    const small = await Promise.all(Array.from({ length: 12 }, (_, i) => opened(clinicId, 'billing', dueIn(100 + i))));

    // Act
    const pages = await allPages(query(clinicId, ['eligibility', 'billing'], { limit: 10 }));

    // Assess: every task exactly once, in order, though the first queue's reads stopped early
    expect(pages.flat()).toEqual(inListOrder([...large, ...small]));
  });

  it('walks the pages of one status with `dueBefore` too', async () => {
    // Prepare
    const clinicId = newClinic();
    const overdue = await Promise.all(
      [-50, -40, -30, -20, -10].map((minutes, i) => opened(clinicId, i % 2 ? 'billing' : 'front-desk', dueIn(minutes))),
    );
    await Promise.all([opened(clinicId, 'billing', dueIn(10)), opened(clinicId, 'front-desk', dueIn(20))]);

    // Act
    const pages = await allPages(query(clinicId, ['front-desk', 'billing'], { limit: 2, dueBefore: now.toISOString() }));

    // Assess
    expect(pages.flat()).toEqual(inListOrder(overdue));
  });

  it('continues after a cursor: the task at the cursor is not repeated', async () => {
    // Prepare
    const clinicId = newClinic();
    const [first, second, third] = await Promise.all([
      opened(clinicId, 'billing', dueIn(1)),
      opened(clinicId, 'eligibility', dueIn(2)),
      opened(clinicId, 'billing', dueIn(3)),
    ]);

    // Act
    const page = await tasks.list(query(clinicId, ['billing', 'eligibility'], { after: `${first?.dueAt}#${first?.taskId}` }));

    // Assess
    expect(idsOf(page)).toEqual([second?.taskId, third?.taskId]);
  });
});

describe('Staff task store: a person’s own tasks on DynamoDB Local', () => {
  it('lists only the tasks the person has claimed, in the queues asked for, most due first', async () => {
    // Prepare
    const clinicId = newClinic();
    const [mineLate, mineEarly, mineBilling, theirs] = await Promise.all([
      opened(clinicId, 'front-desk', dueIn(30)),
      opened(clinicId, 'front-desk', dueIn(10)),
      opened(clinicId, 'billing', dueIn(20)),
      opened(clinicId, 'front-desk', dueIn(5)),
    ]);
    await opened(clinicId, 'front-desk', dueIn(1)); // nobody's
    for (const task of [mineLate, mineEarly, mineBilling]) expect(await claim(task as StaffTask, 'ana')).toBe('CLAIMED');
    expect(await claim(theirs as StaffTask, 'ben')).toBe('CLAIMED');

    // Act
    const both = await tasks.list(query(clinicId, ['front-desk', 'billing'], { owner: 'user:ana' }));
    const frontDesk = await tasks.list(query(clinicId, ['front-desk'], { owner: 'user:ana' }));
    const ops = await tasks.list(query(clinicId, ['ops'], { owner: 'user:ana' }));

    // Assess
    expect(idsOf(both)).toEqual([mineEarly?.taskId, mineBilling?.taskId, mineLate?.taskId]);
    expect(both.tasks.every((task) => task.owner === 'user:ana' && task.ownerName === 'ana')).toBe(true);
    expect(idsOf(frontDesk)).toEqual([mineEarly?.taskId, mineLate?.taskId]);
    expect(idsOf(ops)).toEqual([]);
  });

  it('keeps a claimed task in its owner’s list under its new status once decided, and drops it once released', async () => {
    // Prepare
    const clinicId = newClinic();
    const [decided, released] = await Promise.all([
      opened(clinicId, 'clinical-triage', dueIn(1)),
      opened(clinicId, 'clinical-triage', dueIn(2)),
    ]);
    await claim(decided as StaffTask, 'nurse');
    await claim(released as StaffTask, 'nurse');

    // Act
    await decide(decided as StaffTask);
    await release(released as StaffTask, 'nurse');

    // Assess
    const mine = (status: StaffTask['status']) => tasks.list(query(clinicId, ['clinical-triage'], { owner: 'user:nurse', status }));
    expect(idsOf(await mine('OPEN'))).toEqual([]);
    expect(idsOf(await mine('DECIDED'))).toEqual([decided?.taskId]);
  });

  it('walks a person’s tasks page by page, the queue filter applied, each task once', async () => {
    // Prepare: the person's tasks in two queues, only one of which is asked for
    const clinicId = newClinic();
    const asked = await Promise.all([5, 15, 25, 35].map((minutes) => opened(clinicId, 'scheduling', dueIn(minutes))));
    const other = await Promise.all([0, 10, 20, 30].map((minutes) => opened(clinicId, 'radiology', dueIn(minutes))));
    for (const task of [...asked, ...other]) await claim(task, 'rad');

    // Act
    const pages = await allPages(query(clinicId, ['scheduling'], { owner: 'user:rad', limit: 2 }));

    // Assess
    expect(pages.flat()).toEqual(inListOrder(asked));
  });

  it('lists a person’s overdue tasks with `dueBefore`', async () => {
    // Prepare
    const clinicId = newClinic();
    const [overdue, notYet] = await Promise.all([opened(clinicId, 'ops', dueIn(-5)), opened(clinicId, 'ops', dueIn(5))]);
    await claim(overdue as StaffTask, 'ops');
    await claim(notYet as StaffTask, 'ops');

    // Act
    const list = await tasks.list(query(clinicId, ['ops'], { owner: 'user:ops', dueBefore: now.toISOString() }));

    // Assess
    expect(idsOf(list)).toEqual([overdue?.taskId]);
  });
});

describe('Staff task store: claiming on DynamoDB Local', () => {
  it('records a decision made as a claimant only while nobody else holds the task (a claim racing the decision)', async () => {
    // Prepare: ben claims after ana read the task unclaimed
    const clinicId = newClinic();
    const task = await opened(clinicId, 'clinical-triage', dueIn(10));
    await claim(task, 'ben');
    const asClaimant = (by: string) =>
      tasks.recordDecision(
        task,
        { action: 'PROCEED', decidedBy: by, decidedAt: later.toISOString() },
        undefined,
        auditOf(task, by, 'staffTask.decide'),
        by,
      );

    // Act
    const ana = await asClaimant('user:ana');
    const ben = await asClaimant('user:ben');

    // Assess
    expect([ana, ben]).toEqual(['ALREADY_DECIDED', 'RECORDED']);
    expect(await tasks.get(clinicId, task.taskId)).toMatchObject({ status: 'DECIDED', decision: { decidedBy: 'user:ben' } });
  });

  it('refuses a claim once claims and releases have filled the task’s history (WORN), the owner’s repeat writing nothing', async () => {
    // Prepare: a task whose history is at the bound
    const clinicId = newClinic();
    const history = Array.from({ length: MAX_HISTORY_FOR_CLAIMS }, () => ({
      at: now.toISOString(),
      by: 'user:x',
      event: 'released' as const,
    }));
    const task = await opened(clinicId, 'billing', dueIn(10), { history });

    // Act
    const result = await claim(task, 'ana');

    // Assess
    expect(result).toBe('WORN');
    expect((await tasks.get(clinicId, task.taskId))?.owner).toBeUndefined();
    expect(await auditsOf(task)).toEqual([]);
  });

  it('lets exactly one of two people claiming at once have the task', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));

    // Act
    const results = await Promise.all([claim(task, 'ana'), claim(task, 'ben')]);

    // Assess
    expect([...results].sort()).toEqual(['CLAIMED', 'TAKEN']);
    const winner = results[0] === 'CLAIMED' ? 'ana' : 'ben';
    expect(await tasks.get(clinicId, task.taskId)).toMatchObject({ owner: `user:${winner}`, ownerName: winner });
    const audits = await auditsOf(task);
    expect(audits.map((a) => [a.actor, a.actions])).toEqual([[`user:${winner}`, ['staffTask.claim']]]);
  });

  it('lets exactly one of many people claiming at once have each task', async () => {
    // Prepare: several tasks, five people racing for each
    const clinicId = newClinic();
    const racedFor = await Promise.all([1, 2, 3, 4, 5].map((minutes) => opened(clinicId, 'front-desk', dueIn(minutes))));

    // Act
    const results = await Promise.all(
      racedFor.map((task) => Promise.all(['a', 'b', 'c', 'd', 'e'].map((who) => claim(task, `fd-${who}`)))),
    );

    // Assess
    for (const [i, outcome] of results.entries()) {
      expect([...outcome].sort()).toEqual(['CLAIMED', 'TAKEN', 'TAKEN', 'TAKEN', 'TAKEN']);
      expect(await auditsOf(racedFor[i] as StaffTask)).toHaveLength(1);
    }
  });

  it('claims, writing the owner, the owner index and the history, with one audit record', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'eligibility', dueIn(5));

    // Act
    const result = await claim(task, 'ana', later);

    // Assess
    expect(result).toBe('CLAIMED');
    const stored = await tasks.get(clinicId, task.taskId);
    expect(stored).toMatchObject({
      owner: 'user:ana',
      ownerName: 'ana',
      claimedAt: later.toISOString(),
      ...keys.staffTaskOwnerIndex(clinicId, 'user:ana'),
      GSI3SK: keys.staffTaskSortKey('OPEN', task.dueAt, task.taskId),
      history: [...task.history, { at: later.toISOString(), by: 'user:ana', event: 'claimed' }],
    });
    expect(await auditsOf(task)).toEqual([
      {
        clinicId,
        at: later.toISOString(),
        actor: 'user:ana',
        actions: ['staffTask.claim'],
        patientId: task.patientId,
        journeyId: task.journeyId,
        outcome: 'success',
        via: VIA,
      },
    ]);
  });

  it('answers CLAIMED to the owner claiming again', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));
    await claim(task, 'ana');

    // Act
    const again = await claim(task, 'ana');

    // Assess
    expect(again).toBe('CLAIMED');
    expect(await tasks.get(clinicId, task.taskId)).toMatchObject({ owner: 'user:ana' });
  });

  it('answers TAKEN to a second person and writes no audit record for them', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));
    await claim(task, 'ana');

    // Act
    const second = await claim(task, 'ben');

    // Assess
    expect(second).toBe('TAKEN');
    expect(await tasks.get(clinicId, task.taskId)).toMatchObject({ owner: 'user:ana' });
    expect((await auditsOf(task)).map((a) => a.actor)).toEqual(['user:ana']);
  });

  it('answers CLOSED for a decided task and writes nothing', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'clinical-triage', dueIn(5));
    await decide(task);

    // Act
    const result = await claim(task, 'nurse');

    // Assess
    expect(result).toBe('CLOSED');
    expect(await tasks.get(clinicId, task.taskId)).not.toHaveProperty('owner');
    expect((await auditsOf(task)).flatMap((a) => a.actions)).toEqual(['staffTask.decide']);
  });

  it('answers CLOSED for a task that does not exist and creates nothing', async () => {
    // Prepare
    const clinicId = newClinic();
    const ghost = newTask(clinicId, 'billing', dueIn(5));

    // Act
    const result = await claim(ghost, 'ana');

    // Assess
    expect(result).toBe('CLOSED');
    expect(await tasks.get(clinicId, ghost.taskId)).toBeUndefined();
    expect(await auditsOf(ghost)).toEqual([]);
  });
});

describe('Staff task store: releasing on DynamoDB Local', () => {
  it('releases the owner’s task back to the queue, with one audit record', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));
    await claim(task, 'ana');

    // Act
    const result = await release(task, 'ana');

    // Assess
    expect(result).toBe('RELEASED');
    const stored = (await tasks.get(clinicId, task.taskId)) as StaffTask & Record<string, unknown>;
    for (const gone of ['owner', 'ownerName', 'claimedAt', 'GSI3PK', 'GSI3SK']) expect(stored).not.toHaveProperty(gone);
    expect(stored.history.map((entry) => [entry.by, entry.event])).toEqual([
      ['function:test', 'opened'],
      ['user:ana', 'claimed'],
      ['user:ana', 'released'],
    ]);
    expect(idsOf(await tasks.list(query(clinicId, ['billing'])))).toEqual([task.taskId]);
    expect(idsOf(await tasks.list(query(clinicId, ['billing'], { owner: 'user:ana' })))).toEqual([]);
    expect((await auditsOf(task)).map((a) => [a.actor, a.actions, a.patientId])).toEqual([
      ['user:ana', ['staffTask.claim'], task.patientId],
      ['user:ana', ['staffTask.release'], task.patientId],
    ]);
  });

  it('refuses a release by someone who does not hold the task, and writes nothing', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));
    await claim(task, 'ana');

    // Act
    const result = await release(task, 'ben');

    // Assess
    expect(result).toBe('NOT_OWNER');
    expect(await tasks.get(clinicId, task.taskId)).toMatchObject({ owner: 'user:ana' });
    expect((await auditsOf(task)).map((a) => a.actions)).toEqual([['staffTask.claim']]);
  });

  it('lets anyone release it with anyOwner (an admin handing the work on), in their name', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));
    await claim(task, 'ana');

    // Act
    const result = await release(task, 'admin', true);

    // Assess
    expect(result).toBe('RELEASED');
    const stored = await tasks.get(clinicId, task.taskId);
    expect(stored).not.toHaveProperty('owner');
    expect(stored?.history.at(-1)).toEqual({ at: later.toISOString(), by: 'user:admin', event: 'released' });
    expect((await auditsOf(task)).map((a) => [a.actor, a.actions])).toEqual([
      ['user:ana', ['staffTask.claim']],
      ['user:admin', ['staffTask.release']],
    ]);
    expect(await claim(task, 'ben')).toBe('CLAIMED');
  });

  it('answers RELEASED for a task nobody holds, writing nothing', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'billing', dueIn(5));

    // Act
    const results = [await release(task, 'ana'), await release(task, 'admin', true)];

    // Assess
    expect(results).toEqual(['RELEASED', 'RELEASED']);
    expect((await tasks.get(clinicId, task.taskId))?.history).toEqual(task.history);
    expect(await auditsOf(task)).toEqual([]);
  });
});

describe('Staff task store: notes on DynamoDB Local', () => {
  it('appends notes in order, each with its history entry and one audit record', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'eligibility', dueIn(5));
    const first = new Date('2026-12-01T10:01:00.000Z');
    const second = new Date('2026-12-01T10:02:00.000Z');

    // Act
    const written = [await note(task, 'ana', 'Called the payer.', first), await note(task, 'ben', 'Left a message.', second)];

    // Assess
    expect(written).toEqual([true, true]);
    const stored = await tasks.get(clinicId, task.taskId);
    expect(stored?.notes).toEqual([
      { at: first.toISOString(), by: 'user:ana', text: 'Called the payer.' },
      { at: second.toISOString(), by: 'user:ben', text: 'Left a message.' },
    ]);
    expect(stored?.history).toEqual([
      ...task.history,
      { at: first.toISOString(), by: 'user:ana', event: 'noted' },
      { at: second.toISOString(), by: 'user:ben', event: 'noted' },
    ]);
    expect((await auditsOf(task)).map((a) => [a.actor, a.actions, a.patientId, a.journeyId])).toEqual([
      ['user:ana', ['staffTask.note'], task.patientId, task.journeyId],
      ['user:ben', ['staffTask.note'], task.patientId, task.journeyId],
    ]);
  });

  it('takes a note on a decided task too, leaving it decided', async () => {
    // Prepare
    const clinicId = newClinic();
    const task = await opened(clinicId, 'clinical-triage', dueIn(5));
    await decide(task);

    // Act
    const written = await note(task, 'nurse', 'Patient called back.');

    // Assess
    expect(written).toBe(true);
    expect(await tasks.get(clinicId, task.taskId)).toMatchObject({
      status: 'DECIDED',
      notes: [expect.objectContaining({ by: 'user:nurse' })],
    });
  });

  it('refuses a note on a task that does not exist, creating nothing', async () => {
    // Prepare
    const clinicId = newClinic();
    const ghost = newTask(clinicId, 'billing', dueIn(5));

    // Act
    const written = await note(ghost, 'ana', 'Hello?');

    // Assess
    expect(written).toBe(false);
    expect(await tasks.get(clinicId, ghost.taskId)).toBeUndefined();
    expect(await auditsOf(ghost)).toEqual([]);
  });
});
