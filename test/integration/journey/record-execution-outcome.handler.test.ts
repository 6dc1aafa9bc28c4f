import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StageName } from '#contract/journey-workflow.ts';
import type { ExecutionState } from '#functions/journey/journey-engine-port.ts';
import { makeRecordExecutionOutcome } from '#functions/journey/record-execution-outcome.handler.ts';
import { type JourneyRecord, newJourneyRecord, STAGES } from '#model/journey.ts';
import { openedStaffTask, type StaffTask, serviceLevelsOf, staffTaskId } from '#model/staff-task.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { recordingMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine, fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-outcome';
const now = new Date('2026-12-01T10:00:00.000Z');
// DynamoDB Local holds the journey and its tasks; the workflow engine and staff alerts are in-memory fakes.
let engine: ReturnType<typeof fakeJourneyEngine>;
let alerts: ReturnType<typeof fakeStaffAlerts>;
let record: ReturnType<typeof makeRecordExecutionOutcome>;
let metrics: ReturnType<typeof recordingMetrics>;

/** The handler over `through`: the test's table, or the same table reached by a client that misbehaves on cue. */
function recorder(through: TableRef) {
  return makeRecordExecutionOutcome({
    journeys: dynamoJourneyStore(through),
    tasks: dynamoStaffTaskStore(through),
    audit: dynamoAuditLog(through),
    catalog: dynamoCatalogStore(through),
    alerts: alerts.port,
    escalations: fakeEscalations().port,
    engine: engine.port,
    metrics: metrics.port,
    now: () => now,
  });
}

const table = await localTable('outcome');
const journeys = dynamoJourneyStore(table);
const tasks = dynamoStaffTaskStore(table);

beforeEach(() => {
  engine = fakeJourneyEngine();
  alerts = fakeStaffAlerts();
  metrics = recordingMetrics();
  record = recorder(table);
});

const journeyOf = (ref: { clinicId: string; journeyId: string }) => journeys.get(ref, { consistent: true });

const arnOf = (journeyId: string) => `arn:aws:states:us-east-1:000000000000:execution:PatientJourney:${journeyId}`;

/** A journey as the workflow leaves it: the stages before `stage` done, `stage` in progress (or parked on `parkTask`). */
async function seedJourney(stage: StageName = 'SCHEDULING', options: { parkTask?: StaffTask; status?: JourneyRecord['status'] } = {}) {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, now);
  for (const earlier of STAGES.slice(0, STAGES.indexOf(stage))) journey.stages[earlier] = { status: 'COMPLETED', at: now.toISOString() };
  journey.stages[stage] = { status: 'IN_PROGRESS', at: now.toISOString() };
  if (options.parkTask) {
    journey.status = 'WAITING_FOR_STAFF';
    journey.stages[stage] = {
      status: 'WAITING_FOR_STAFF',
      at: now.toISOString(),
      reason: 'No slot.',
      staffTaskId: options.parkTask.taskId,
    };
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.staffTask(clinicId, options.parkTask.taskId),
          ...keys.staffTaskQueueIndex(clinicId, options.parkTask.queue),
          GSI1SK: keys.staffTaskSortKey('OPEN', options.parkTask.dueAt, options.parkTask.taskId),
          ...options.parkTask,
          journeyId,
          patientId: journey.patientId,
        },
      }),
    );
  }
  if (options.status) journey.status = options.status;
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return { clinicId, journeyId, executionArn: arnOf(journeyId) };
}

/** The journey's execution as Step Functions describes it (started with the journey's IDs, first run, FAILED). */
function givenExecution(ref: { clinicId: string; journeyId: string; executionArn: string }, described: Partial<ExecutionState>) {
  engine.givenExecution(ref.executionArn, { input: { clinicId: ref.clinicId, journeyId: ref.journeyId }, ...described });
}

/** Step Functions' "Execution Status Change" event as EventBridge delivers it to the rule's target. */
function statusChange(executionArn: string, status: string, detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: now.toISOString(),
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:PatientJourney',
      status,
      redriveCount: 0,
      ...detail,
    },
  };
}

const stoppedTaskId = (executionArn: string, redriveCount = 0) => staffTaskId(`${executionArn}#${redriveCount}`);

const auditsOf = (journeyId: string) => journeyAudits(table, { clinicId, journeyId }, now);

/** The event changed nothing: the journey as it was before, no task for the stop, no alert. */
async function expectUntouched(ref: { clinicId: string; journeyId: string; executionArn: string }, before: JourneyRecord | undefined) {
  expect(await journeyOf(ref)).toEqual(before);
  expect(await tasks.get(clinicId, stoppedTaskId(ref.executionArn))).toBeUndefined();
  expect(alerts.sent).toEqual([]);
}

describe('Function: recordExecutionOutcome on DynamoDB Local', () => {
  it('holds a journey whose execution failed for staff, with an EXECUTION_STOPPED task and an alert', async () => {
    // Prepare
    const ref = await seedJourney('SCHEDULING');
    givenExecution(ref, { status: 'FAILED' });

    // Act
    const result = await record(
      statusChange(ref.executionArn, 'FAILED', { error: 'AwsServiceUnavailable', cause: 'DynamoDB down for Maria' }),
    );

    // Assess
    const taskId = stoppedTaskId(ref.executionArn);
    expect(result).toEqual({ outcome: 'HELD_FOR_STAFF' });
    expect(metrics.emitted).toEqual([{ metric: 'stopped', stage: 'SCHEDULING' }]);
    const journey = await journeyOf(ref);
    expect(journey).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      attempt: 1,
      stages: {
        SCHEDULING: { status: 'WAITING_FOR_STAFF', staffTaskId: taskId, reason: expect.stringContaining('AwsServiceUnavailable') },
      },
    });
    expect(journey?.stages.SCHEDULING.reason).toContain('RETRY');
    expect(journey?.stages.SCHEDULING.reason).not.toContain('Maria');
    expect(await tasks.get(clinicId, taskId)).toMatchObject({
      kind: 'EXECUTION_STOPPED',
      stage: 'SCHEDULING',
      status: 'OPEN',
      executionArn: ref.executionArn,
      journeyId: ref.journeyId,
      alertedAt: now.toISOString(),
      patientId: `p-${ref.journeyId}`,
      // In ops' queue, high priority: due within the default 2 hours.
      queue: 'ops',
      priority: 'high',
      dueAt: '2026-12-01T12:00:00.000Z',
      history: [{ at: now.toISOString(), by: 'function:recordExecutionOutcome', event: 'opened' }],
      ...keys.staffTaskQueueIndex(clinicId, 'ops'),
      GSI1SK: keys.staffTaskSortKey('OPEN', '2026-12-01T12:00:00.000Z', taskId),
    });
    expect(alerts.sent).toEqual([
      {
        subject: 'Journey stopped: SCHEDULING',
        message: { kind: 'EXECUTION_STOPPED', clinicId, journeyId: ref.journeyId, taskId, stage: 'SCHEDULING', status: 'FAILED' },
        attributes: { clinicId },
      },
    ]);
    expect(auditRecords(await auditsOf(ref.journeyId))).toEqual([
      expect.objectContaining({ actions: ['staffTask.create'], actor: 'function:recordExecutionOutcome', patientId: `p-${ref.journeyId}` }),
    ]);
  });

  it.each([
    ['TIMED_OUT', 'timed out'],
    ['ABORTED', 'was stopped'],
  ])('holds a journey whose execution ended %s, saying so', async (status, words) => {
    // Prepare
    const ref = await seedJourney('ELIGIBILITY');
    givenExecution(ref, { status: status as ExecutionState['status'] });

    // Act
    const result = await record(statusChange(ref.executionArn, status));

    // Assess
    expect(result).toEqual({ outcome: 'HELD_FOR_STAFF' });
    const journey = await journeyOf(ref);
    expect(journey?.stages.ELIGIBILITY.reason).toContain(words);
    expect(journey?.stages.ELIGIBILITY.reason).toContain('CANCEL'); // eligibility allows a cancel
  });

  it('opens one task, alerts and counts once when the same event is delivered again', async () => {
    // Prepare
    const ref = await seedJourney('PAYMENT');
    givenExecution(ref, { status: 'FAILED' });
    const event = statusChange(ref.executionArn, 'FAILED', { error: 'States.Timeout' });
    await record(event);

    // Act
    const again = await record(event);

    // Assess
    const taskId = stoppedTaskId(ref.executionArn);
    expect(again).toEqual({ outcome: 'HELD_FOR_STAFF' });
    expect(alerts.sent).toHaveLength(1);
    expect(metrics.emitted).toEqual([{ metric: 'stopped', stage: 'PAYMENT' }]);
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :open)',
        FilterExpression: 'journeyId = :journeyId',
        ExpressionAttributeValues: {
          ':pk': keys.staffTaskQueueIndex(clinicId, 'ops').GSI1PK,
          ':open': 'OPEN#',
          ':journeyId': ref.journeyId,
        },
      }),
    );
    expect(Items.map((i) => i.taskId)).toEqual([taskId]);
    expect(await tasks.get(clinicId, taskId)).toMatchObject({ status: 'OPEN', alertedAt: now.toISOString() });
    const payment = (await journeyOf(ref))?.stages.PAYMENT;
    expect(payment).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: taskId });
    expect(payment?.reason).not.toContain('CANCEL'); // payment allows no cancel
  });

  it('alerts again on a repeated event when the first alert could not be published', async () => {
    // Prepare
    const ref = await seedJourney('PAYMENT');
    givenExecution(ref, { status: 'FAILED' });
    alerts.failNext();
    const event = statusChange(ref.executionArn, 'FAILED');
    await expect(record(event)).rejects.toMatchObject({ name: 'MessagingUnavailable' });

    // Act
    const again = await record(event);

    // Assess
    expect(again).toEqual({ outcome: 'HELD_FOR_STAFF' });
    expect(alerts.sent).toHaveLength(1);
    expect(await tasks.get(clinicId, stoppedTaskId(ref.executionArn))).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('ignores an event the execution has outrun: it runs again (redriven since)', async () => {
    // Prepare
    const ref = await seedJourney('SCHEDULING');
    givenExecution(ref, { status: 'RUNNING', redriveCount: 1 });
    const before = await journeyOf(ref);

    // Act
    const result = await record(statusChange(ref.executionArn, 'FAILED'));

    // Assess
    expect(result).toEqual({ outcome: 'IGNORED' });
    await expectUntouched(ref, before);
  });

  it('ignores an event of an earlier run when the execution was redriven and stopped again since', async () => {
    // Prepare: the event is of run 0; the execution is now FAILED after its first redrive (run 1).
    const ref = await seedJourney('SCHEDULING');
    givenExecution(ref, { status: 'FAILED', redriveCount: 1 });

    // Act
    const result = await record(statusChange(ref.executionArn, 'FAILED', { redriveCount: 0 }));

    // Assess
    expect(result).toEqual({ outcome: 'IGNORED' });
    expect(await tasks.get(clinicId, stoppedTaskId(ref.executionArn, 0))).toBeUndefined();
  });

  it('opens a task of its own for each stop of a redriven execution', async () => {
    // Prepare: run 0 stopped and was held; staff retried; run 1 stopped too.
    const ref = await seedJourney('SCHEDULING');
    givenExecution(ref, { status: 'FAILED', redriveCount: 0 });
    await record(statusChange(ref.executionArn, 'FAILED', { redriveCount: 0 }));
    givenExecution(ref, { status: 'FAILED', redriveCount: 1 });

    // Act
    const result = await record(statusChange(ref.executionArn, 'FAILED', { redriveCount: 1 }));

    // Assess
    expect(result).toEqual({ outcome: 'HELD_FOR_STAFF' });
    expect(stoppedTaskId(ref.executionArn, 1)).not.toBe(stoppedTaskId(ref.executionArn, 0));
    expect((await journeyOf(ref))?.stages.SCHEDULING.staffTaskId).toBe(stoppedTaskId(ref.executionArn, 1));
    expect(await tasks.get(clinicId, stoppedTaskId(ref.executionArn, 1))).toMatchObject({ status: 'OPEN' });
    expect(alerts.sent).toHaveLength(2);
  });

  it.each(['COMPLETED', 'CANCELLED', 'FAILED'] as const)('leaves a journey already %s alone', async (status) => {
    // Prepare
    const ref = await seedJourney('CONFIRMATION', { status });
    givenExecution(ref, { status: 'FAILED' });
    const before = await journeyOf(ref);

    // Act
    const result = await record(statusChange(ref.executionArn, 'FAILED'));

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_ENDED' });
    await expectUntouched(ref, before);
  });

  it('answers ALREADY_ENDED for a journey that does not exist, writing nothing', async () => {
    // Prepare
    const ref = { clinicId, journeyId: randomUUID(), executionArn: arnOf('gone') };
    givenExecution(ref, { status: 'FAILED' });

    // Act
    const result = await record(statusChange(ref.executionArn, 'FAILED'));

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_ENDED' });
    expect(await journeyOf(ref)).toBeUndefined();
    expect(alerts.sent).toEqual([]);
  });

  it.each(['SUCCEEDED', 'RUNNING', 'PENDING_REDRIVE'])('ignores a %s event without asking Step Functions', async (status) => {
    // Prepare
    const ref = await seedJourney('SCHEDULING');

    // Act
    const result = await record(statusChange(ref.executionArn, status));

    // Assess
    expect(result).toEqual({ outcome: 'IGNORED' });
    expect(engine.callsOf('describe')).toEqual([]);
    expect((await journeyOf(ref))?.status).toBe('RUNNING');
  });

  it('expires the park task the stopped execution waited on, so staff cannot resume a dead token', async () => {
    // Prepare: the journey waited on a park task whose wait timed out.
    const parkTask = openedStaffTask(
      {
        clinicId,
        taskId: `st-park-${randomUUID().slice(0, 8)}`,
        journeyId: '',
        patientId: '',
        kind: 'STAGE_BLOCKED',
        stage: 'SCHEDULING',
        reason: 'No slot.',
        taskToken: 'token-park',
      },
      serviceLevelsOf(undefined),
      'function:parkForStaff',
      now,
    );
    const ref = await seedJourney('SCHEDULING', { parkTask });
    givenExecution(ref, { status: 'FAILED' });

    // Act
    const result = await record(statusChange(ref.executionArn, 'FAILED', { error: 'States.Timeout' }));

    // Assess
    expect(result).toEqual({ outcome: 'HELD_FOR_STAFF' });
    const expired = await tasks.get(clinicId, parkTask.taskId);
    expect(expired).toMatchObject({
      status: 'EXPIRED',
      ...keys.staffTaskQueueIndex(clinicId, 'scheduling'),
      GSI1SK: keys.staffTaskSortKey('EXPIRED', parkTask.dueAt, parkTask.taskId),
    });
    expect(expired?.history.at(-1)).toEqual({ at: now.toISOString(), by: 'function:recordExecutionOutcome', event: 'expired' });
    expect(expired).not.toHaveProperty('taskToken');
    expect(await tasks.get(clinicId, stoppedTaskId(ref.executionArn))).toMatchObject({
      status: 'OPEN',
      kind: 'EXECUTION_STOPPED',
    });
    expect((await journeyOf(ref))?.stages.SCHEDULING.staffTaskId).toBe(stoppedTaskId(ref.executionArn));
  });

  it('fences the stage attempt that was still running when the execution stopped', async () => {
    // Prepare: a stage call claims the journey, then its execution fails (e.g. the state timed out) and is held.
    const ref = await seedJourney('SCHEDULING');
    const running = await journeys.beginAttempt(ref);
    givenExecution(ref, { status: 'FAILED' });
    await record(statusChange(ref.executionArn, 'FAILED', { error: 'States.Timeout' }));

    // Act
    const lateWrite = journeys.updateStage(running, 'SCHEDULING', { status: 'COMPLETED' }, now);

    // Assess
    await expect(lateWrite).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(await journeyOf(ref)).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      attempt: 2,
      stages: { SCHEDULING: { status: 'WAITING_FOR_STAFF', staffTaskId: stoppedTaskId(ref.executionArn) } },
    });
  });

  it('keeps the end of a journey that ends between its read and the hold, leaving no open task and alerting nobody', async () => {
    // Prepare: CompleteJourney's retry closes the journey just before the hold is written.
    const ref = await seedJourney('CONFIRMATION');
    givenExecution(ref, { status: 'FAILED' });
    const racing = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    racing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (input.UpdateExpression?.startsWith('SET #status = :waiting')) {
          await journeys.close(ref, { status: 'COMPLETED', stages: {}, removeAppointment: false }, now);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const recordRacing = recorder({ ...table, client: racing });

    // Act
    const result = await recordRacing(statusChange(ref.executionArn, 'FAILED'));

    // Assess
    expect(result).toEqual({ outcome: 'ALREADY_ENDED' });
    expect(await journeyOf(ref)).toMatchObject({
      status: 'COMPLETED',
      stages: { CONFIRMATION: { status: 'IN_PROGRESS' } },
    });
    expect(await tasks.get(clinicId, stoppedTaskId(ref.executionArn))).toMatchObject({ status: 'EXPIRED' });
    expect(alerts.sent).toEqual([]);
  });

  it('holds no journey on a task that could not be written: the redelivered event opens the task, then holds', async () => {
    // Prepare: DynamoDB refuses the task's write once.
    const ref = await seedJourney('SCHEDULING');
    givenExecution(ref, { status: 'FAILED' });
    const failing = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    let refused = false;
    failing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Item?: { type?: string } };
        if (!refused && input.Item?.type === 'StaffTask') {
          refused = true;
          throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $fault: 'server' });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const recordFailing = recorder({ ...table, client: failing });
    const event = statusChange(ref.executionArn, 'FAILED');

    // Act
    const first = recordFailing(event);
    await first.catch(() => undefined);
    const journeyAfterFailure = await journeyOf(ref);
    const again = await recordFailing(event);

    // Assess
    await expect(first).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect(journeyAfterFailure?.status).toBe('RUNNING');
    expect(again).toEqual({ outcome: 'HELD_FOR_STAFF' });
    expect(await journeyOf(ref)).toMatchObject({
      status: 'WAITING_FOR_STAFF',
      stages: { SCHEDULING: { staffTaskId: stoppedTaskId(ref.executionArn) } },
    });
  });

  it('leaves a journey alone when staff have already decided its stop and the event comes again', async () => {
    // Prepare: the stop was held; staff decided RETRY (the journey RUNNING again) but the redrive has not happened yet.
    const ref = await seedJourney('SCHEDULING');
    givenExecution(ref, { status: 'FAILED' });
    const event = statusChange(ref.executionArn, 'FAILED');
    await record(event);
    const taskId = stoppedTaskId(ref.executionArn);
    const held = (await tasks.get(clinicId, taskId)) as StaffTask;
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(clinicId, taskId),
        UpdateExpression: 'SET #status = :decided, decision = :decision, GSI1SK = :sortKey',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':decided': 'DECIDED',
          ':sortKey': keys.staffTaskSortKey('DECIDED', held.dueAt, taskId),
          ':decision': { action: 'RETRY', decidedBy: 'api-key:k', decidedAt: now.toISOString() },
        },
      }),
    );
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(clinicId, ref.journeyId),
        UpdateExpression: 'SET #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'RUNNING' },
      }),
    );

    // Act
    await record(event);

    // Assess
    expect((await journeyOf(ref))?.status).toBe('RUNNING');
  });

  it('refuses an event whose execution input names no journey', async () => {
    // Prepare
    const executionArn = arnOf(`bad-${randomUUID()}`);
    engine.givenExecution(executionArn, { status: 'FAILED', input: { clinicId: 'a/b', journeyId: 'x' } });

    // Act
    const recording = record(statusChange(executionArn, 'FAILED'));

    // Assess
    await expect(recording).rejects.toMatchObject({ name: 'ZodError' });
    expect(alerts.sent).toEqual([]);
  });
});
