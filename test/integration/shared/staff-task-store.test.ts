import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StageName } from '#contract/journey-workflow.ts';
import type { JourneyRecord, StageState } from '#model/journey.ts';
import { journeyOfTask, openedStaffTask, serviceLevelsOf, stageOfTask } from '#model/staff-task.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore, type StaffTaskStore } from '#shared/staff-task-store.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { journeyWithAppointment } from '#test/support/fixtures/records.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

type StaffTask = Parameters<StaffTaskStore['open']>[0];
type Decision = Parameters<StaffTaskStore['recordDecision']>[1];
type JourneyRef = { clinicId: string; journeyId: string };

const clinicId = 'clinic-tasks';
const now = new Date('2026-12-01T10:00:00.000Z');
const later = new Date('2026-12-01T10:05:00.000Z');

/** Who opens, expires and reopens the tasks here (a function, as in the journey's handlers). */
const system = 'function:test';

const table = await localTable('staff-task-store');
const tasks = dynamoStaffTaskStore(table);
const journeys = dynamoJourneyStore(table);

/** A task of a new journey (its ID unique to the test), opened at `now` in its queue; a TRIAGE slip carries no token. */
function newTask(overrides: Partial<StaffTask> = {}): StaffTask {
  const journeyId = randomUUID();
  const kind = overrides.kind ?? 'STAGE_BLOCKED';
  const opened = openedStaffTask(
    {
      clinicId,
      taskId: `st-${randomUUID()}`,
      journeyId,
      patientId: 'p-1',
      kind,
      stage: overrides.stage ?? 'PAYMENT',
      reason: 'The payment processor did not answer.',
      ...(kind === 'TRIAGE' ? {} : { taskToken: `token-${journeyId}` }),
    },
    serviceLevelsOf(undefined),
    system,
    now,
  );
  return { ...opened, ...overrides };
}

const refOf = (task: StaffTask): JourneyRef => journeyOfTask(task);

/** The journey item, written as-is. */
async function putJourney(journey: JourneyRecord): Promise<void> {
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(journey.clinicId, journey.journeyId), ...journey } }),
  );
}

/** The task's journey, parked on it at the task's stage (as parkForStaff leaves it). */
async function parkJourneyOn(task: StaffTask, stage: StageName = stageOfTask(task)): Promise<JourneyRecord> {
  const journey = journeyWithAppointment({ ...refOf(task), status: 'WAITING_FOR_STAFF', attempt: 2 });
  journey.stages[stage] = { status: 'WAITING_FOR_STAFF', at: now.toISOString(), reason: task.reason, staffTaskId: task.taskId };
  await putJourney(journey);
  return journey;
}

/** The task as the store's `get` reads it, without the item's table and index keys. */
async function stored(task: StaffTask): Promise<StaffTask | undefined> {
  const item = await tasks.get(task.clinicId, task.taskId);
  if (!item) return undefined;
  const {
    PK: _pk,
    SK: _sk,
    GSI1PK: _gsi1pk,
    GSI1SK: _gsi1sk,
    GSI3PK: _gsi3pk,
    GSI3SK: _gsi3sk,
    ...rest
  } = item as StaffTask & Record<string, unknown>;
  return rest as StaffTask;
}

/** Opens the task, parks its journey on it and returns the task as a decider reads it. */
async function openParked(overrides: Partial<StaffTask> = {}): Promise<StaffTask> {
  const task = newTask(overrides);
  await tasks.open(task);
  await parkJourneyOn(task);
  return (await stored(task)) as StaffTask;
}

const decisionBy = (action: Decision['action'], decidedBy = 'staff-1', at = later): Decision => ({
  action,
  decidedBy,
  decidedAt: at.toISOString(),
});

const auditOf = (task: StaffTask) => ({
  clinicId: task.clinicId,
  actor: 'staff-1',
  action: 'staffTask.decide' as const,
  journeyId: task.journeyId,
  outcome: 'success' as const,
});

/** The task item itself, keys included: the store's `get` shows the task, this shows its index entry too. */
async function taskItem(task: StaffTask): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.staffTask(task.clinicId, task.taskId), ConsistentRead: true }),
  );
  return Item;
}

/** The task's entry in its queue's list (GSI1) under `status`. */
const queueEntry = (task: StaffTask, status: StaffTask['status']) => ({
  ...keys.staffTaskQueueIndex(task.clinicId, task.queue),
  GSI1SK: keys.staffTaskSortKey(status, task.dueAt, task.taskId),
});

/** The IDs of the open tasks for this journey in the task's queue, as its list (GSI1, OPEN sort keys) holds them. */
async function openTaskIds(task: StaffTask): Promise<string[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :open)',
      FilterExpression: 'journeyId = :journeyId',
      ExpressionAttributeValues: {
        ':pk': keys.staffTaskQueueIndex(task.clinicId, task.queue).GSI1PK,
        ':open': 'OPEN#',
        ':journeyId': task.journeyId,
      },
    }),
  );
  return Items.map((item) => String(item.taskId));
}

/** A history entry of the task. */
const event = (at: Date, by: string, name: StaffTask['history'][number]['event']) => ({ at: at.toISOString(), by, event: name });

const journeyOf = async (task: StaffTask) => (await journeys.get(refOf(task), { consistent: true })) as JourneyRecord;

describe('Staff task store: opening, tokens and expiry on DynamoDB Local', () => {
  it("opens a task once, open in its queue's list, and keeps the first when it is opened again", async () => {
    // Prepare
    const task = newTask();

    // Act
    const first = await tasks.open(task);
    const again = await tasks.open({ ...task, reason: 'Another reason.', taskToken: 'token-of-a-retry' });

    // Assess
    expect([first, again]).toEqual([true, false]);
    expect(await stored(task)).toEqual(task);
    expect(await taskItem(task)).toMatchObject(queueEntry(task, 'OPEN'));
    expect(await openTaskIds(task)).toEqual([task.taskId]);
  });

  it('points an open task at a new token, and refuses once the task is no longer open', async () => {
    // Prepare
    const open = newTask();
    const expired = newTask();
    await Promise.all([tasks.open(open), tasks.open(expired)]);
    await tasks.expireIfOpen(clinicId, expired.taskId, system, now);

    // Act
    const refreshedOpen = await tasks.refreshToken(clinicId, open.taskId, 'token-retried');
    const refreshedExpired = await tasks.refreshToken(clinicId, expired.taskId, 'token-retried');

    // Assess
    expect([refreshedOpen, refreshedExpired]).toEqual([true, false]);
    expect(await stored(open)).toEqual({ ...open, taskToken: 'token-retried' });
    expect(await stored(expired)).not.toHaveProperty('taskToken');
  });

  it('expires an open task, dropping its token and moving it to the expired part of its list', async () => {
    // Prepare
    const task = newTask();
    await tasks.open(task);

    // Act
    await tasks.expireIfOpen(clinicId, task.taskId, system, later);

    // Assess
    const { taskToken: _dropped, ...rest } = task;
    expect(await stored(task)).toEqual({ ...rest, status: 'EXPIRED', history: [...task.history, event(later, system, 'expired')] });
    expect(await taskItem(task)).toMatchObject(queueEntry(task, 'EXPIRED'));
    expect(await openTaskIds(task)).toEqual([]);
  });

  it('leaves a decided task as it is when asked to expire it', async () => {
    // Prepare
    const task = await openParked();
    await tasks.recordDecision(task, decisionBy('PROCEED'), { status: 'COMPLETED', at: later.toISOString() }, auditOf(task));
    const decided = await stored(task);

    // Act
    await tasks.expireIfOpen(clinicId, task.taskId, system, later);

    // Assess
    expect(await stored(task)).toEqual(decided);
    expect(decided).toMatchObject({ status: 'DECIDED', decision: decisionBy('PROCEED') });
  });

  it('does not expire a task that was never opened, creating nothing', async () => {
    // Prepare
    const task = newTask();

    // Act
    await tasks.expireIfOpen(clinicId, task.taskId, system, later);

    // Assess
    expect(await taskItem(task)).toBeUndefined();
  });
});

describe('Staff task store: decisions on DynamoDB Local', () => {
  it('records the decision, resumes the journey with the stage it leaves and writes the audit record, together', async () => {
    // Prepare
    const task = await openParked();
    const stage: StageState = { status: 'COMPLETED', at: later.toISOString(), reason: 'Collected at the desk.' };

    // Act
    const result = await tasks.recordDecision(task, decisionBy('PROCEED'), stage, auditOf(task));

    // Assess
    expect(result).toBe('RECORDED');
    expect(await stored(task)).toEqual({
      ...task,
      status: 'DECIDED',
      decision: decisionBy('PROCEED'),
      history: [...task.history, event(later, 'staff-1', 'decided')],
    });
    expect(await taskItem(task)).toMatchObject(queueEntry(task, 'DECIDED'));
    expect(await openTaskIds(task)).toEqual([]);
    const journey = await journeyOf(task);
    expect(journey).toMatchObject({ status: 'RUNNING', updatedAt: later.toISOString(), attempt: 2 });
    expect(journey.stages.PAYMENT).toEqual(stage);
    const { action, ...recorded } = auditOf(task);
    expect(auditRecords(await journeyAudits(table, refOf(task), later))).toEqual([
      expect.objectContaining({ ...recorded, actions: [action], at: later.toISOString() }),
    ]);
  });

  it('resumes the journey and leaves its stage as it is when the decision brings no stage', async () => {
    // Prepare
    const task = await openParked();
    const parked = (await journeyOf(task)).stages.PAYMENT;

    // Act
    const result = await tasks.recordDecision(task, decisionBy('RETRY'), undefined, auditOf(task));

    // Assess
    expect(result).toBe('RECORDED');
    expect(await journeyOf(task)).toMatchObject({ status: 'RUNNING', stages: { PAYMENT: parked } });
  });

  it('answers ALREADY_DECIDED to the second of two decisions, keeping the first', async () => {
    // Prepare
    const task = await openParked();
    const stage: StageState = { status: 'COMPLETED', at: later.toISOString() };
    await tasks.recordDecision(task, decisionBy('PROCEED', 'staff-1'), stage, auditOf(task));
    const afterFirst = await journeyOf(task);

    // Act
    const second = await tasks.recordDecision(task, decisionBy('RETRY', 'staff-2'), undefined, { ...auditOf(task), actor: 'staff-2' });

    // Assess
    expect(second).toBe('ALREADY_DECIDED');
    expect(await stored(task)).toMatchObject({ status: 'DECIDED', decision: decisionBy('PROCEED', 'staff-1') });
    expect(await journeyOf(task)).toEqual(afterFirst);
    expect(await journeyAudits(table, refOf(task), later)).toHaveLength(1);
  });

  it('answers ALREADY_DECIDED to a decider holding a token a retried park has since replaced, writing nothing', async () => {
    // Prepare
    const read = await openParked();
    await tasks.refreshToken(clinicId, read.taskId, 'token-retried');
    const journeyBefore = await journeyOf(read);

    // Act
    const result = await tasks.recordDecision(read, decisionBy('PROCEED'), undefined, auditOf(read));

    // Assess
    expect(result).toBe('ALREADY_DECIDED');
    expect(await stored(read)).toEqual({ ...read, taskToken: 'token-retried' });
    expect(await journeyOf(read)).toEqual(journeyBefore);
    expect(await journeyAudits(table, refOf(read), later)).toEqual([]);
  });

  it('answers JOURNEY_NOT_WAITING when the journey waits on another task, writing nothing', async () => {
    // Prepare: the journey parked again later, on a newer task.
    const older = await openParked();
    const newer = newTask({ journeyId: older.journeyId });
    await tasks.open(newer);
    await parkJourneyOn(newer);
    const journeyBefore = await journeyOf(older);

    // Act
    const result = await tasks.recordDecision(
      older,
      decisionBy('RETRY'),
      { status: 'IN_PROGRESS', at: later.toISOString() },
      auditOf(older),
    );

    // Assess
    expect(result).toBe('JOURNEY_NOT_WAITING');
    expect(await stored(older)).toEqual(older);
    expect(await openTaskIds(older)).toEqual(expect.arrayContaining([older.taskId, newer.taskId]));
    expect(await journeyOf(older)).toEqual(journeyBefore);
    expect(await journeyAudits(table, refOf(older), later)).toEqual([]);
  });

  it('answers JOURNEY_NOT_WAITING when the journey no longer waits for staff, writing nothing', async () => {
    // Prepare: the journey ended while the task was still open.
    const task = await openParked();
    await putJourney({ ...(await journeyOf(task)), status: 'CANCELLED' });
    const journeyBefore = await journeyOf(task);

    // Act
    const result = await tasks.recordDecision(task, decisionBy('RETRY'), undefined, auditOf(task));

    // Assess
    expect(result).toBe('JOURNEY_NOT_WAITING');
    expect(await stored(task)).toEqual(task);
    expect(await journeyOf(task)).toEqual(journeyBefore);
  });

  it('records the review of a TRIAGE slip without touching its journey', async () => {
    // Prepare: a triage slip is informational; its journey runs on.
    const task = newTask({ kind: 'TRIAGE', stage: 'INTAKE', reason: 'Chest pain mentioned.' });
    await tasks.open(task);
    await putJourney(journeyWithAppointment(refOf(task)));
    const journeyBefore = await journeyOf(task);

    // Act
    const result = await tasks.recordDecision(task, decisionBy('PROCEED'), undefined, auditOf(task));

    // Assess
    expect(result).toBe('RECORDED');
    expect(await stored(task)).toEqual({
      ...task,
      status: 'DECIDED',
      decision: decisionBy('PROCEED'),
      history: [...task.history, event(later, 'staff-1', 'decided')],
    });
    expect(await journeyOf(task)).toEqual(journeyBefore);
    expect(journeyBefore).toMatchObject({ status: 'RUNNING' });
    expect(await journeyAudits(table, refOf(task), later)).toHaveLength(1);
  });
});

describe('Staff task store: reopening a decision that could not be carried out, on DynamoDB Local', () => {
  /** A stopped execution's task, decided RETRY: the stage carries the task ID while the redrive runs. */
  async function decidedRetry(): Promise<StaffTask> {
    const task = await openParked({ kind: 'EXECUTION_STOPPED', executionArn: 'arn:aws:states:us-east-1:000000000000:execution:x' });
    const retried: StageState = { status: 'IN_PROGRESS', at: later.toISOString(), reason: 'Retried by staff.', staffTaskId: task.taskId };
    expect(await tasks.recordDecision(task, decisionBy('RETRY'), retried, auditOf(task))).toBe('RECORDED');
    return task;
  }

  it("puts the task back in the open part of its queue's list and the journey back to waiting on it", async () => {
    // Prepare
    const task = await decidedRetry();
    const resumed = await journeyOf(task);
    const reopenedAt = new Date('2026-12-01T10:06:00.000Z');

    const listedUnder = async () => {
      const ref = journeyOfTask(task);
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: keys.journey(ref.clinicId, ref.journeyId), ConsistentRead: true }),
      );
      return Item?.GSI4PK;
    };
    const whileRunning = await listedUnder();

    // Act
    const reopened = await tasks.reopenDecided(task, 'RETRY', system, reopenedAt);

    // Assess
    expect(reopened).toBe(true);
    // GET journeys lists it as its status says: running after the decision, waiting again after the reopening
    expect([whileRunning, await listedUnder()]).toEqual([
      keys.journeysByStatus(task.clinicId, 'RUNNING').GSI4PK,
      keys.journeysByStatus(task.clinicId, 'WAITING_FOR_STAFF').GSI4PK,
    ]);
    expect(await stored(task)).toEqual({
      ...task,
      history: [...task.history, event(later, 'staff-1', 'decided'), event(reopenedAt, system, 'reopened')],
    });
    expect(await taskItem(task)).toMatchObject(queueEntry(task, 'OPEN'));
    expect(await openTaskIds(task)).toEqual([task.taskId]);
    expect(await journeyOf(task)).toEqual({
      ...resumed,
      status: 'WAITING_FOR_STAFF',
      updatedAt: reopenedAt.toISOString(),
      attempt: resumed.attempt + 1,
      stages: {
        ...resumed.stages,
        PAYMENT: { status: 'WAITING_FOR_STAFF', at: reopenedAt.toISOString(), reason: task.reason, staffTaskId: task.taskId },
      },
    });
  });

  it('answers false and changes nothing when the journey has moved on', async () => {
    // Prepare: the redrive got through after all and the stage went on.
    const task = await decidedRetry();
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(clinicId, journeyOfTask(task).journeyId),
        UpdateExpression: 'SET stages.PAYMENT = :stage',
        ExpressionAttributeValues: { ':stage': { status: 'COMPLETED', at: later.toISOString() } },
      }),
    );
    const [taskBefore, journeyBefore] = [await stored(task), await journeyOf(task)];

    // Act
    const reopened = await tasks.reopenDecided(task, 'RETRY', system, later);

    // Assess
    expect(reopened).toBe(false);
    expect(await stored(task)).toEqual(taskBefore);
    expect(await openTaskIds(task)).toEqual([]);
    expect(await journeyOf(task)).toEqual(journeyBefore);
  });

  it('answers false and changes nothing when the task holds another decision', async () => {
    // Prepare
    const task = await decidedRetry();
    const [taskBefore, journeyBefore] = [await stored(task), await journeyOf(task)];

    // Act
    const reopened = await tasks.reopenDecided(task, 'PROCEED', system, later);

    // Assess
    expect(reopened).toBe(false);
    expect(await stored(task)).toEqual(taskBefore);
    expect(await journeyOf(task)).toEqual(journeyBefore);
  });
});

describe('Staff task store: alerts on DynamoDB Local', () => {
  it('has an alert pending for an open task until one is recorded', async () => {
    // Prepare
    const task = newTask();
    await tasks.open(task);
    const before = await tasks.alertPending(task);

    // Act
    await tasks.markAlerted(task, now);

    // Assess
    expect(before).toBe(true);
    expect(await tasks.alertPending(task)).toBe(false);
    expect(await stored(task)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it("keeps the first alert's time when a second is recorded", async () => {
    // Prepare
    const task = newTask();
    await tasks.open(task);
    await tasks.markAlerted(task, now);

    // Act
    await tasks.markAlerted(task, later);

    // Assess
    expect(await stored(task)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('has no alert pending for a task somebody has dealt with, or one that does not exist', async () => {
    // Prepare
    const decided = await openParked();
    await tasks.recordDecision(decided, decisionBy('PROCEED'), undefined, auditOf(decided));
    const expired = newTask();
    await tasks.open(expired);
    await tasks.expireIfOpen(clinicId, expired.taskId, system, now);
    const missing = newTask();

    // Act
    const pending = await Promise.all([decided, expired, missing].map((task) => tasks.alertPending(task)));

    // Assess
    expect(pending).toEqual([false, false, false]);
  });

  it('records no alert for a task that does not exist, creating nothing', async () => {
    // Prepare
    const task = newTask();

    // Act
    await tasks.markAlerted(task, now);

    // Assess
    expect(await taskItem(task)).toBeUndefined();
  });
});
