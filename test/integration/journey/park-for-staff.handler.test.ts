import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ParkForStaffRequest, StaffDecision } from '#contract/journey-workflow.ts';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { DEMO_CLINIC_ID, demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { newJourneyRecord, type StageState } from '#model/journey.ts';
import { stageAfterDecision } from '#model/staff-decision.ts';
import { type StaffTask, staffTaskId } from '#model/staff-task.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPriorAuthorizations } from '#shared/prior-authorization-store.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { noMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine, fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { stoppedAt } from '#test/support/fixtures/stage-stop.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-park';
const now = new Date('2026-12-01T10:00:00.000Z');
// Staff alerts and the workflow engine are in-memory fakes; the task, its alert mark and the journey live in DynamoDB Local.
let alerts: ReturnType<typeof fakeStaffAlerts>;
let engine: ReturnType<typeof fakeJourneyEngine>;

const table = await localTable('park');
const journeys = dynamoJourneyStore(table);
const tasks = dynamoStaffTaskStore(table);

beforeEach(() => {
  alerts = fakeStaffAlerts();
  engine = fakeJourneyEngine();
});

const park = (request: ParkForStaffRequest) =>
  makeParkForStaff({
    journeys,
    tasks,
    audit: dynamoAuditLog(table),
    catalog: dynamoCatalogStore(table),
    submissions: dynamoSubmissionStore(table),
    authorizations: dynamoPriorAuthorizations(table),
    alerts: alerts.port,
    escalations: fakeEscalations().port,
    engine: engine.port,
    metrics: noMetrics,
    now: () => now,
  })(request, lambdaContext);
const journeyOf = (request: ParkForStaffRequest) => journeys.get(request, { consistent: true });

async function seedJourney(payment?: StageState) {
  const journeyId = randomUUID();
  const journey = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` }, now);
  if (payment) journey.stages.PAYMENT = payment;
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  return { clinicId, journeyId, taskToken: `token-${journeyId}`, stopped: stoppedAt('PaymentNeedsStaff') } satisfies ParkForStaffRequest;
}

const staffTaskAudits = async (journeyId: string) =>
  auditRecords(await journeyAudits(table, { clinicId, journeyId }, now)).filter((audit) => audit.actions.includes('staffTask.create'));

describe('Function: parkForStaff, the queue of a scheduling problem', () => {
  /** A journey of the demo clinic (whose radiology department routes to the radiology queue) parked at scheduling. */
  async function parkedAtScheduling(appointmentTypeCode: string) {
    const journeyId = randomUUID();
    const ids = { clinicId: DEMO_CLINIC_ID, journeyId, submissionId: `s-${journeyId}`, patientId: `p-${journeyId}` };
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(DEMO_CLINIC_ID, journeyId), ...newJourneyRecord(ids, now) } }),
    );
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.submission(DEMO_CLINIC_ID, ids.submissionId), type: 'Submission', ...ids, visit: { appointmentTypeCode } },
      }),
    );
    const request = { clinicId: DEMO_CLINIC_ID, journeyId, taskToken: `token-${journeyId}`, stopped: stoppedAt('SchedulingNeedsStaff') };
    await park(request);
    return tasks.get(DEMO_CLINIC_ID, staffTaskId(request.taskToken));
  }

  it('goes to the queue the appointment type’s department routes to (imaging: radiology), else to scheduling', async () => {
    // Prepare
    await dynamoCatalogStore(table).put(demoClinicCatalog);

    // Act
    const mri = await parkedAtScheduling('MRI_KNEE');
    const visit = await parkedAtScheduling('PRIMARY_CARE_NEW');

    // Assess
    expect(mri).toMatchObject({ queue: 'radiology', priority: 'high' });
    expect(visit).toMatchObject({ queue: 'scheduling' });
  });
});

describe('Function: parkForStaff on DynamoDB Local', () => {
  it('parks even when the alert cannot be sent, alerts on a later park of the task, then never again', async () => {
    // Prepare
    const request = await seedJourney();
    alerts.failNext();

    // Act
    const failed = await park(request);
    const afterFailure = await tasks.get(clinicId, staffTaskId(request.taskToken));
    const retried = await park(request);
    const redriven = await park(request);

    // Assess
    expect(failed.taskId).toBe(staffTaskId(request.taskToken));
    expect(afterFailure).toMatchObject({ status: 'OPEN' });
    expect(afterFailure).not.toHaveProperty('alertedAt');
    expect(redriven).toEqual(retried);
    expect(alerts.sent).toHaveLength(1);
    expect(await tasks.get(clinicId, retried.taskId)).toMatchObject({
      status: 'OPEN',
      taskToken: request.taskToken,
      alertedAt: now.toISOString(),
    });
    expect((await journeyOf(request))?.status).toBe('WAITING_FOR_STAFF');
    // One audit per alert attempt: the failed one and its retry.
    expect(await staffTaskAudits(request.journeyId)).toHaveLength(2);
  });

  it('alerts once when parked and retried', async () => {
    // Prepare
    const request = await seedJourney();

    // Act
    await park(request);
    await park(request);

    // Assess
    expect(alerts.sent).toHaveLength(1);
    expect(await staffTaskAudits(request.journeyId)).toEqual([
      expect.objectContaining({ actor: 'function:parkForStaff', patientId: `p-${request.journeyId}`, outcome: 'success' }),
    ]);
  });

  it('keeps the task staff already see, with the new token, when Step Functions retries the park with a new token', async () => {
    // Prepare
    const request = await seedJourney();
    alerts.failNext();
    await park(request);

    // Act
    const retried = await park({ ...request, taskToken: `${request.taskToken}-retry` });

    // Assess
    expect(retried.taskId).toBe(staffTaskId(request.taskToken));
    expect(await tasks.get(clinicId, retried.taskId)).toMatchObject({ status: 'OPEN', taskToken: `${request.taskToken}-retry` });
    expect(await tasks.get(clinicId, staffTaskId(`${request.taskToken}-retry`))).toBeUndefined();
    expect((await journeyOf(request))?.stages.PAYMENT).toMatchObject({ status: 'WAITING_FOR_STAFF', staffTaskId: retried.taskId });
    expect(alerts.sent).toHaveLength(1);
  });

  describe('after staff chose RETRY on an execution that stopped while parking', () => {
    async function seedRetriedStop(action: StaffDecision['action']) {
      const stopped: StaffTask = {
        type: 'StaffTask',
        clinicId,
        taskId: staffTaskId(`stop-${randomUUID()}`),
        journeyId: 'set below',
        patientId: 'set below',
        kind: 'EXECUTION_STOPPED',
        stage: 'PAYMENT',
        reason: "Payment: the journey's workflow failed (AwsServiceUnavailable). RETRY resumes it where it stopped.",
        status: 'DECIDED',
        createdAt: now.toISOString(),
        queue: 'ops',
        priority: 'high',
        dueAt: new Date(now.getTime() + 120 * 60_000).toISOString(),
        history: [
          { at: now.toISOString(), by: 'function:recordExecutionOutcome', event: 'opened' },
          { at: now.toISOString(), by: 'api-key:k1', event: 'decided' },
        ],
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:journey:j',
        decision: { action, decidedBy: 'api-key:k1', decidedAt: now.toISOString() },
      };
      const request = await seedJourney(stageAfterDecision(stopped, 'RETRY', now.toISOString()));
      await table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            ...keys.staffTask(clinicId, stopped.taskId),
            ...stopped,
            journeyId: request.journeyId,
            patientId: `p-${request.journeyId}`,
          },
        }),
      );
      return { request: { ...request, stopped: stoppedAt('PaymentNeedsStaff', { Error: 'AwsServiceUnavailable' }) }, stopped };
    }

    it('carries out that RETRY at once instead of asking staff again, and only once', async () => {
      // Prepare
      const { request, stopped } = await seedRetriedStop('RETRY');

      // Act
      await park(request);
      const answered = [...engine.resumed];
      const stageAfter = (await journeyOf(request))?.stages.PAYMENT;
      const next = await park({ ...request, taskToken: `${request.taskToken}-next` });

      // Assess: the first park answered its own token with RETRY and opened no task; the next one parks as usual.
      expect(answered).toEqual([
        { taskToken: request.taskToken, output: JSON.stringify({ action: 'RETRY', checkpoint: 'PaymentNeedsStaff' }) },
      ]);
      expect(stageAfter).toEqual({ status: 'IN_PROGRESS', at: now.toISOString(), reason: 'Retried by staff.' });
      expect(await tasks.get(clinicId, staffTaskId(request.taskToken))).toBeUndefined();
      expect(await tasks.get(clinicId, stopped.taskId)).toMatchObject({ status: 'DECIDED' });
      expect(next.taskId).toBe(staffTaskId(`${request.taskToken}-next`));
      expect(await journeyOf(request)).toMatchObject({
        status: 'WAITING_FOR_STAFF',
        stages: {
          PAYMENT: { status: 'WAITING_FOR_STAFF', staffTaskId: next.taskId, reason: expect.stringContaining('AwsServiceUnavailable') },
        },
      });
      expect(engine.resumed).toHaveLength(1);
      expect(alerts.sent).toHaveLength(1);
    });

    it('parks as usual when the stage refers to a task that was not a RETRY of a stopped execution', async () => {
      // Prepare: a CANCEL decision on the stopped execution (not a RETRY) left on the stage.
      const { request } = await seedRetriedStop('CANCEL');

      // Act
      const { taskId } = await park(request);

      // Assess
      expect(engine.calls).toEqual([]);
      expect(taskId).toBe(staffTaskId(request.taskToken));
      expect((await journeyOf(request))?.status).toBe('WAITING_FOR_STAFF');
    });

    it('fails without touching the stage when its own token no longer waits (the execution moved on)', async () => {
      // Prepare
      const { request } = await seedRetriedStop('RETRY');
      const stageBefore = (await journeyOf(request))?.stages.PAYMENT;
      engine.tokenGone(request.taskToken);

      // Act
      const parking = park(request);

      // Assess
      await expect(parking).rejects.toThrow('no longer waiting');
      expect((await journeyOf(request))?.stages.PAYMENT).toEqual(stageBefore);
      expect(await tasks.get(clinicId, staffTaskId(request.taskToken))).toBeUndefined();
      expect(alerts.sent).toEqual([]);
    });
  });
});
