import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StaffDecision } from '#contract/journey-workflow.ts';
import { makeDecideStaffTask } from '#functions/journey/decide-staff-task.handler.ts';
import { appointmentIdOf, type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { openedStaffTask, type StaffTask, serviceLevelsOf } from '#model/staff-task.ts';
import { dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine } from '#test/support/fakes/journey-ports.ts';
import { appointment, appointmentRecord } from '#test/support/fixtures/records.ts';
import { inMemoryTable, transactionCancelled } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const now = new Date('2026-12-01T12:00:00Z');
const tableRef = { client, tableName: 't' };
const appointments = dynamoAppointmentStore(tableRef);
let engine: ReturnType<typeof fakeJourneyEngine>;

const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:PatientJourney:j1';
const taskKey = keys.staffTask('c1', 'st-1');
const journeyKey = keys.journey('c1', 'j1');

const openedAt = new Date('2026-12-01T10:00:00Z');
const journeyFields = { clinicId: 'c1', taskId: 'st-1', journeyId: 'j1', patientId: 'p1' };

const openTask: StaffTask = openedStaffTask(
  {
    ...journeyFields,
    kind: 'STAGE_BLOCKED',
    stage: 'ELIGIBILITY',
    reason: 'Coverage is inactive.',
    taskToken: 'token-1',
    checkpoint: 'EligibilityNeedsStaff',
  },
  serviceLevelsOf(undefined),
  'function:parkForStaff',
  openedAt,
);

/** A triage slip of the journey (no token), in clinical triage's queue. */
const triageSlip: StaffTask = openedStaffTask(
  { ...journeyFields, kind: 'TRIAGE', stage: 'INTAKE', reason: 'Fall in the last 30 days.', triageLevel: 'URGENT' },
  serviceLevelsOf(undefined),
  'function:screenIntake',
  openedAt,
);

/** The task's item as the store writes it: in its queue's list (GSI1) under its status. */
const indexed = (task: StaffTask) => ({
  ...task,
  ...keys.staffTaskQueueIndex(task.clinicId, task.queue),
  GSI1SK: keys.staffTaskSortKey(task.status, task.dueAt, task.taskId),
});

/** The journey as parkForStaff leaves it: waiting on `taskId` at `stage`. */
function parkedJourney(stage: StaffTask['stage'] = 'ELIGIBILITY', taskId = 'st-1'): JourneyRecord {
  const journey = newJourneyRecord(
    { clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' },
    new Date('2026-12-01T09:00:00Z'),
  );
  journey.stages.INTAKE = { status: 'COMPLETED', at: '2026-12-01T09:01:00Z' };
  if (stage !== 'ELIGIBILITY') journey.stages.ELIGIBILITY = { status: 'COMPLETED', at: '2026-12-01T09:02:00Z' };
  journey.stages[stage] = { status: 'WAITING_FOR_STAFF', at: '2026-12-01T10:00:00Z', reason: 'Needs staff.', staffTaskId: taskId };
  journey.status = 'WAITING_FOR_STAFF';
  journey.attempt = 3;
  return journey;
}

const decided = (action: StaffDecision['action']) => ({
  status: 'DECIDED',
  decision: { action, decidedBy: 'user:user-frontdesk', decidedAt: '2026-12-01T11:59:00Z' },
});
const NURSE: StaffClaims = { sub: 'user-nurse', username: 'nurse', groups: '[clinical]' };
const awsError = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

let table: ReturnType<typeof inMemoryTable>;
let escalations = fakeEscalations();

function post(body: unknown, taskId = 'st-1', clinicId = 'c1', person?: StaffClaims | null) {
  const decide = makeDecideStaffTask({
    journeys: dynamoJourneyStore(tableRef),
    appointments,
    tasks: dynamoStaffTaskStore(tableRef),
    engine: engine.port,
    escalations: escalations.port,
    metrics: noMetrics,
    now: () => now,
  });
  const event = staffEvent({
    pathParameters: { clinicId, taskId },
    body,
    routeKey: 'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision',
    ...(person !== undefined ? { person } : {}),
  });
  return decide(event, lambdaContext);
}

/** Every write this request sent, as text: for asserting what was never written. */
const writes = () =>
  JSON.stringify([...ddb.commandCalls(UpdateCommand), ...ddb.commandCalls(TransactWriteCommand)].map((call) => call.args[0].input));

describe('Function: decideStaffTask, who may decide', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
    engine = fakeJourneyEngine();
  });

  it.each([
    ['no signed-in person', null, 401],
    ['an access token instead of an ID token', { tokenUse: 'access' as const }, 401],
    ['a person of another clinic', { clinicId: 'c2' }, 403],
    ['a person without a role of the route', { groups: '[unknown-group]' }, 403],
  ])('answers %s with %s and writes nothing', async (_case, person, status) => {
    // Act
    const response = await post({ action: 'RETRY' }, 'st-1', 'c1', person);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(writes()).toBe('[]');
    expect(engine.calls).toEqual([]);
  });
});

describe('Function: decideStaffTask, a claimed task', () => {
  const claimedBy = (owner: string) => ({ ...indexed(openTask), owner, ownerName: owner.slice('user:'.length) });
  const ADMIN: StaffClaims = { sub: 'user-admin', username: 'admin', groups: '[admin]' };

  beforeEach(() => {
    ddb.reset();
    engine = fakeJourneyEngine();
    table = inMemoryTable(ddb);
    table.seed(journeyKey, parkedJourney());
  });

  it('is left to its owner: a colleague is answered 409, naming them, and nothing is written or resumed', async () => {
    // Prepare
    table.seed(taskKey, claimedBy('user:user-billing'));

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body as string).message).toContain('user-billing');
    expect(writes()).toBe('[]');
    expect(engine.calls).toEqual([]);
  });

  it('is decided by its owner, or by an admin stepping in', async () => {
    // Prepare
    table.seed(taskKey, claimedBy('user:user-frontdesk'));

    // Act
    const byOwner = await post({ action: 'RETRY' });
    table.seed(taskKey, claimedBy('user:user-billing'));
    table.seed(journeyKey, parkedJourney());
    const byAdmin = await post({ action: 'RETRY' }, 'st-1', 'c1', ADMIN);

    // Assess
    expect([byOwner.statusCode, byAdmin.statusCode]).toEqual([200, 200]);
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { decidedBy: 'user:user-admin' } });
  });
});

describe('Function: decideStaffTask', () => {
  beforeEach(() => {
    ddb.reset();
    engine = fakeJourneyEngine();
    table = inMemoryTable(ddb);
    table.seed(taskKey, indexed(openTask));
    table.seed(journeyKey, parkedJourney());
  });

  it('resumes at the task’s own checkpoint', async () => {
    // Prepare
    const confirmation = { ...openTask, stage: 'CONFIRMATION' as const, checkpoint: 'PaymentRequestNeedsStaff' as const };
    table.seed(taskKey, indexed(confirmation));
    table.seed(journeyKey, parkedJourney('CONFIRMATION'));

    // Act
    await post({ action: 'RETRY' });

    // Assess
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: 'RETRY', checkpoint: 'PaymentRequestNeedsStaff' }) },
    ]);
  });

  it('resumes a task that names no checkpoint at its stage’s first', async () => {
    // Prepare
    const { checkpoint: _, ...unnamed } = openTask;
    table.seed(taskKey, indexed(unnamed));

    // Act
    await post({ action: 'RETRY' });

    // Assess
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' }) },
    ]);
  });

  it('records the decision and the stage it leaves, then resumes the journey with it', async () => {
    // Act
    const response = await post({ action: 'PROCEED', note: 'Patient will self-pay' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ taskId: 'st-1', journeyId: 'j1', action: 'PROCEED', status: 'DECIDED' });
    expect(table.get(taskKey)).toMatchObject({
      status: 'DECIDED',
      decision: { action: 'PROCEED', note: 'Patient will self-pay' },
      history: [...openTask.history, { at: now.toISOString(), by: 'user:user-frontdesk', event: 'decided' }],
      ...keys.staffTaskQueueIndex('c1', 'eligibility'),
      GSI1SK: keys.staffTaskSortKey('DECIDED', openTask.dueAt, 'st-1'),
    });
    const journey = table.get(journeyKey) as unknown as JourneyRecord;
    expect(journey.status).toBe('RUNNING');
    expect(journey.stages.ELIGIBILITY).toMatchObject({ status: 'COMPLETED', reason: expect.stringContaining('without verified coverage') });
    expect(JSON.stringify(journey)).not.toContain('self-pay');
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: 'PROCEED', checkpoint: 'EligibilityNeedsStaff' }) },
    ]);
    // The audit record commits with the decision.
    const audit = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[2]?.Put?.Item;
    expect(audit).toMatchObject({ actions: ['staffTask.decide'], actor: 'user:user-frontdesk', journeyId: 'j1' });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 409 when someone else decided otherwise first, without resuming anything', async () => {
    // Prepare: another person's CANCEL commits between this request's read and its write.
    table.beforeNext('TransactWrite', () => {
      table.change(taskKey, (task) => Object.assign(task, decided('CANCEL')));
      table.change(journeyKey, (journey) => Object.assign(journey, { status: 'RUNNING' }));
    });

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('already decided');
    expect(table.get(taskKey)).toMatchObject(decided('CANCEL'));
    expect(engine.callsOf('resume')).toEqual([]);
  });

  it('expires the task and answers 409 when its journey no longer waits on it', async () => {
    // Prepare: the journey ended while the task stayed open.
    table.change(journeyKey, (journey) => Object.assign(journey, { status: 'CANCELLED' }));

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('no longer waiting');
    expect(table.get(taskKey)).toMatchObject({
      status: 'EXPIRED',
      history: [...openTask.history, { at: now.toISOString(), by: 'user:user-frontdesk', event: 'expired' }],
      ...keys.staffTaskQueueIndex('c1', 'eligibility'),
      GSI1SK: keys.staffTaskSortKey('EXPIRED', openTask.dueAt, 'st-1'),
    });
    expect(table.get(taskKey)).not.toHaveProperty('taskToken');
    expect(table.get(journeyKey)).toMatchObject({ status: 'CANCELLED' });
    expect(engine.callsOf('resume')).toEqual([]);
  });

  it('reads again after a transaction conflict and records the decision on the next round', async () => {
    // Prepare
    table.beforeNext('TransactWrite', () => {
      throw transactionCancelled(['TransactionConflict', 'None', 'None']);
    });

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY' } });
    expect(table.get(journeyKey)).toMatchObject({
      status: 'RUNNING',
      stages: { ELIGIBILITY: { status: 'IN_PROGRESS', staffTaskId: 'st-1' } },
    });
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' }) },
    ]);
  });

  it('answers 409 without resuming anything when every round meets a transaction conflict', async () => {
    // Prepare
    for (let round = 0; round < 3; round++) {
      table.beforeNext('TransactWrite', () => {
        throw transactionCancelled(['None', 'TransactionConflict', 'None']);
      });
    }

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    expect(table.get(taskKey)).toMatchObject({ status: 'OPEN' });
    expect(engine.callsOf('resume')).toEqual([]);
  });

  it('keeps the decision and answers 503 when resuming fails for a reason that may pass, then resumes on the repeat', async () => {
    // Prepare
    engine.failNext('resume', awsError('ThrottlingException'));

    // Act
    const first = await post({ action: 'RETRY' });
    const repeat = await post({ action: 'RETRY' });

    // Assess
    expect(first.statusCode).toBe(503);
    expect(repeat.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(engine.callsOf('resume')).toEqual(['token-1', 'token-1']);
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' }) },
    ]);
  });

  it('answers a repeat of the same decision with 200 and sends the token again, recording nothing more', async () => {
    // Prepare
    await post({ action: 'RETRY' });
    ddb.resetHistory();

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ taskId: 'st-1', journeyId: 'j1', action: 'RETRY', status: 'DECIDED' });
    expect(engine.callsOf('resume')).toEqual(['token-1', 'token-1']);
    expect(engine.resumed).toHaveLength(1);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers 200 and leaves the journey to its execution’s status event when Step Functions no longer knows the token', async () => {
    // Prepare: the execution ended (its wait timed out) before the decision arrived.
    engine.tokenGone('token-1');

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY' } });
    expect(table.get(journeyKey)).toMatchObject({ status: 'RUNNING' });
    expect(writes()).not.toContain('FAILED');
    expect(writes()).not.toContain('EXPIRED');
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a different decision on a task already decided', async () => {
    // Prepare
    table.change(taskKey, (task) => Object.assign(task, decided('RETRY')));

    // Act
    const response = await post({ action: 'CANCEL' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(engine.callsOf('resume')).toEqual([]);
  });

  it('answers 409 to a repeat on a task whose journey has parked again on another task, resuming nothing', async () => {
    // Prepare: st-1 was decided RETRY; the retried stage parked again and now waits on st-2.
    table.change(taskKey, (task) => Object.assign(task, decided('RETRY')));
    table.seed(journeyKey, parkedJourney('ELIGIBILITY', 'st-2'));

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('another task');
    expect(engine.callsOf('resume')).toEqual([]);
    expect(table.get(journeyKey)).toMatchObject({ status: 'WAITING_FOR_STAFF', stages: { ELIGIBILITY: { staffTaskId: 'st-2' } } });
  });

  it('answers all of 12 concurrent identical decisions with 200, resuming the journey once and never failing it', async () => {
    // Act
    const responses = await Promise.all(Array.from({ length: 12 }, () => post({ action: 'RETRY' })));

    // Assess
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' }) },
    ]);
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY' } });
    expect(table.get(journeyKey)).toMatchObject({ status: 'RUNNING' });
    expect(writes()).not.toContain('FAILED');
    expect(writes()).not.toContain('EXPIRED');
  });

  it('answers 409 to one of two different decisions sent at once, and resumes with the other only', async () => {
    // Act
    const [retry, cancel] = await Promise.all([post({ action: 'RETRY' }), post({ action: 'CANCEL' })]);

    // Assess
    expect([retry?.statusCode, cancel?.statusCode].sort()).toEqual([200, 409]);
    const winner = retry?.statusCode === 200 ? 'RETRY' : 'CANCEL';
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { action: winner } });
    expect(engine.resumed).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ action: winner, checkpoint: 'EligibilityNeedsStaff' }) },
    ]);
  });

  it('refuses PROCEED for a journey parked at scheduling (there is no booking to go on with)', async () => {
    // Prepare
    table.change(taskKey, (task) => Object.assign(task, { stage: 'SCHEDULING' }));

    // Act
    const response = await post({ action: 'PROCEED' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('RETRY or CANCEL');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('refuses a decision on a triage slip, even a clinician’s: a slip is closed with a clinical disposition', async () => {
    // Prepare
    table.seed(taskKey, indexed(triageSlip));
    const journeyBefore = structuredClone(table.get(journeyKey));

    // Act
    const response = await post({ action: 'PROCEED' }, 'st-1', 'c1', NURSE);

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('disposition');
    expect(writes()).toBe('[]');
    expect(table.get(journeyKey)).toEqual(journeyBefore);
    expect(engine.callsOf('resume')).toEqual([]);
  });

  it('refuses to cancel a journey from a triage slip', async () => {
    // Prepare
    table.seed(taskKey, indexed(triageSlip));

    // Act
    const response = await post({ action: 'CANCEL' }, 'st-1', 'c1', NURSE);

    // Assess
    expect(response.statusCode).toBe(409);
  });

  it.each([
    ['front desk', '[front-desk]'],
    ['billing', '[billing]'],
    ['ops', '[ops]'],
    ['radiology', '[radiology]'],
  ])('refuses a triage slip to %s with 403, writing nothing: only clinicians dispose of it', async (_role, groups) => {
    // Prepare
    table.seed(taskKey, indexed(triageSlip));

    // Act
    const response = await post({ action: 'PROCEED' }, 'st-1', 'c1', { groups });

    // Assess
    expect(response.statusCode).toBe(403);
    expect(writes()).toBe('[]');
  });

  it.each([
    ['a clinician', '[clinical]', 403],
    ['ops', '[ops]', 403],
    ['billing', '[billing]', 200],
    ['an admin', '[admin]', 200],
  ])('lets eligibility be decided by the people who work it: %s gets %s', async (_who, groups, status) => {
    // Act
    const response = await post({ action: 'PROCEED' }, 'st-1', 'c1', { groups });

    // Assess
    expect(response.statusCode).toBe(status);
  });

  it('answers 400 for an unknown action and writes nothing', async () => {
    // Act
    const response = await post({ action: 'MAYBE' });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].path).toBe('action');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers 404 for a task the clinic does not have', async () => {
    // Act
    const response = await post({ action: 'RETRY' }, 'st-other');

    // Assess
    expect(response.statusCode).toBe(404);
  });

  it.each([
    ['2,100 characters', 's'.repeat(2100)],
    ['a slash', 'st-1/../st-2'],
    ['a percent sign', 'st%2D1'],
    ['unicode', 'st-ü1'],
    ['nothing', ''],
  ])('answers 400 for a task ID of %s without reading the table', async (_case, taskId) => {
    // Act
    const response = await post({ action: 'RETRY' }, taskId);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ errors: [{ path: 'path.taskId', message: expect.any(String) }] });
    expect(ddb.calls()).toHaveLength(0);
    expect(engine.calls).toEqual([]);
  });

  it('answers 400 for an over-long clinic ID without reading the table', async () => {
    // Act
    const response = await post({ action: 'RETRY' }, 'st-1', 'c'.repeat(2100));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].path).toBe('path.clinicId');
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('Function: decideStaffTask on a stopped execution (EXECUTION_STOPPED)', () => {
  const stoppedTask: StaffTask = openedStaffTask(
    {
      clinicId: 'c1',
      taskId: 'st-1',
      journeyId: 'j1',
      patientId: 'p1',
      kind: 'EXECUTION_STOPPED',
      stage: 'SCHEDULING',
      reason: "Scheduling: the journey's workflow failed (AwsServiceUnavailable).",
      executionArn,
    },
    serviceLevelsOf(undefined),
    'function:recordExecutionOutcome',
    new Date('2026-12-01T11:00:00Z'),
  );
  beforeEach(() => {
    ddb.reset();
    engine = fakeJourneyEngine();
    escalations = fakeEscalations();
    table = inMemoryTable(ddb);
    table.seed(taskKey, indexed(stoppedTask));
    table.seed(journeyKey, parkedJourney('SCHEDULING'));
    engine.givenExecution(executionArn, { status: 'FAILED' });
  });

  it('redrives the execution on RETRY, without any task token', async () => {
    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(engine.callsOf('redrive')).toEqual([executionArn]);
    expect(engine.callsOf('resume')).toEqual([]);
    expect(table.get(journeyKey)).toMatchObject({
      status: 'RUNNING',
      stages: { SCHEDULING: { status: 'IN_PROGRESS', staffTaskId: 'st-1' } },
    });
  });

  it('ends the journey FAILED on RETRY when the execution can no longer be redriven and is not running', async () => {
    // Prepare
    engine.givenExecution(executionArn, { status: 'FAILED', redrivable: false });

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(engine.callsOf('describe')).toEqual([executionArn]);
    const journey = table.get(journeyKey) as unknown as JourneyRecord;
    expect(journey.status).toBe('FAILED');
    expect(journey.stages.SCHEDULING.status).toBe('FAILED');
    expect(journey.stages.PAYMENT.status).toBe('SKIPPED');
  });

  it('leaves the journey running on RETRY when a repeat of the decision has redriven the execution already', async () => {
    // Prepare
    engine.givenExecution(executionArn, { status: 'RUNNING', redriveCount: 1 });

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(table.get(journeyKey)).toMatchObject({ status: 'RUNNING' });
    expect(writes()).not.toContain('FAILED');
  });

  it('answers 503 and undoes the decision when the redrive fails for a reason that may pass; deciding again resumes it', async () => {
    // Prepare
    engine.failNext('redrive', awsError('ThrottlingException'));

    // Act
    const failed = await post({ action: 'RETRY' });
    const taskAfterFailure = table.get(taskKey);
    const journeyAfterFailure = table.get(journeyKey);
    const again = await post({ action: 'RETRY' });

    // Assess: never RUNNING while the execution stays stopped; the task back in the open queue until decided again.
    expect(failed.statusCode).toBe(503);
    expect(taskAfterFailure).toMatchObject({
      status: 'OPEN',
      ...keys.staffTaskQueueIndex('c1', 'ops'),
      GSI1SK: keys.staffTaskSortKey('OPEN', stoppedTask.dueAt, 'st-1'),
      history: [
        ...stoppedTask.history,
        { at: now.toISOString(), by: 'user:user-frontdesk', event: 'decided' },
        { at: now.toISOString(), by: 'function:decideStaffTask', event: 'reopened' },
      ],
    });
    expect(taskAfterFailure).not.toHaveProperty('decision');
    // Open again: its lead hears of it at its due time (a minute from now had it been overdue already)
    expect(escalations.scheduled).toEqual([{ clinicId: 'c1', taskId: 'st-1', dueAt: stoppedTask.dueAt }]);
    expect(stoppedTask.dueAt > now.toISOString()).toBe(true);
    expect(journeyAfterFailure).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      stages: { SCHEDULING: { status: 'WAITING_FOR_STAFF', staffTaskId: 'st-1', reason: stoppedTask.reason } },
    });
    expect(again.statusCode).toBe(200);
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY' } });
    expect(table.get(journeyKey)).toMatchObject({ status: 'RUNNING' });
    expect(writes()).not.toContain('FAILED');
  });

  it('keeps the decision and answers 503 when the decision cannot be undone either (the repeat carries it out)', async () => {
    // Prepare: the redrive fails, and so does the write that would undo the decision.
    engine.failNext('redrive', awsError('ThrottlingException'));
    table.beforeNext('TransactWrite', () => undefined);
    table.beforeNext('TransactWrite', () => {
      throw awsError('ProvisionedThroughputExceededException');
    });

    // Act
    const response = await post({ action: 'RETRY' });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(table.get(taskKey)).toMatchObject({ status: 'DECIDED', decision: { action: 'RETRY' } });
  });

  it('ends the journey CANCELLED on CANCEL in process, giving its booked time back', async () => {
    // Prepare
    expect((await appointments.book(appointmentRecord({ clinicId: 'c1', journeyId: 'j1', patientId: 'p1' }))).outcome).toBe('BOOKED');
    table.change(journeyKey, (journey) => Object.assign(journey, { appointment }));

    // Act
    const response = await post({ action: 'CANCEL' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(engine.callsOf('redrive')).toEqual([]);
    const journey = table.get(journeyKey) as unknown as JourneyRecord;
    expect(journey.status).toBe('CANCELLED');
    expect(journey.appointment).toBeUndefined();
    expect(journey.stages.SCHEDULING.status).toBe('SKIPPED');
    expect(table.get(keys.appointment('c1', appointmentIdOf('j1')))).toMatchObject({ status: 'CANCELLED', cancelledAt: now.toISOString() });
    const next = appointmentRecord({ clinicId: 'c1', journeyId: 'j2', patientId: 'p2', appointmentId: 'appt-2' });
    expect((await appointments.book(next)).outcome).toBe('BOOKED');
  });

  it('refuses PROCEED: a stopped execution cannot skip the stage it stopped in', async () => {
    // Prepare
    table.change(taskKey, (task) => Object.assign(task, { stage: 'ELIGIBILITY' }));
    table.seed(journeyKey, parkedJourney('ELIGIBILITY'));

    // Act
    const response = await post({ action: 'PROCEED' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toContain('RETRY or CANCEL');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(engine.calls).toEqual([]);
  });

  it('answers a repeated RETRY with 200 once the execution runs again, redriving it once and failing nothing', async () => {
    // Prepare: Step Functions redrives a stopped execution once; while it runs, a redrive is refused.
    await post({ action: 'RETRY' });

    // Act
    const repeat = await post({ action: 'RETRY' });

    // Assess
    expect(repeat.statusCode).toBe(200);
    expect(engine.callsOf('redrive')).toEqual([executionArn, executionArn]);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: journeyKey, ConsistentRead: true });
    expect(table.get(journeyKey)).toMatchObject({ status: 'RUNNING' });
    expect(writes()).not.toContain('FAILED');
  });
});
