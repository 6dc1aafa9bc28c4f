import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ESCALATION_NOT_SCHEDULED_MESSAGE, type ParkForStaffRequest, UNEXPECTED_STOP_MESSAGE } from '#contract/journey-workflow.ts';
import { makeParkForStaff } from '#functions/journey/park-for-staff.handler.ts';
import { parkForStaff } from '#functions/journey/park-for-staff.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { staffTaskId } from '#model/staff-task.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { logger } from '#shared/observability.ts';
import { dynamoPriorAuthorizations } from '#shared/prior-authorization-store.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { recordingMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeEscalations, fakeJourneyEngine, fakeStaffAlerts, noCatalog } from '#test/support/fakes/journey-ports.ts';
import { stoppedAt } from '#test/support/fixtures/stage-stop.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';
import { captureLogLines } from '#test/support/log-lines.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const tableRef = { client, tableName: 't' };
const now = new Date('2026-12-01T10:00:00Z');
let table: ReturnType<typeof inMemoryTable>;
let alerts: ReturnType<typeof fakeStaffAlerts>;
let engine: ReturnType<typeof fakeJourneyEngine>;
let metrics: ReturnType<typeof recordingMetrics>;
let escalations: ReturnType<typeof fakeEscalations>;

const deps = () => ({
  journeys: dynamoJourneyStore(tableRef),
  tasks: dynamoStaffTaskStore(tableRef),
  audit: dynamoAuditLog(tableRef),
  catalog: noCatalog,
  submissions: dynamoSubmissionStore(tableRef),
  authorizations: dynamoPriorAuthorizations(tableRef),
  alerts: alerts.port,
  escalations: escalations.port,
  engine: engine.port,
  metrics: metrics.port,
  now: () => now,
});
const park = (input: unknown) => makeParkForStaff(deps())(input, lambdaContext);
/** The use case without the handler: Powertools' middleware resets the log level each invocation, past the capture. */
const parkCapturingLogs = async (input: ParkForStaffRequest) => {
  const logs = captureLogLines({ logger });
  try {
    return { result: await parkForStaff(deps(), input), logs };
  } finally {
    logs.restore();
  }
};

const journey = newJourneyRecord(
  { clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' },
  new Date('2026-12-01T09:00:00Z'),
);
journey.stages.ELIGIBILITY = { status: 'WAITING_FOR_STAFF', at: '2026-12-01T09:59:00Z', reason: 'Coverage is inactive (plan status 6).' };

const request: ParkForStaffRequest = { clinicId: 'c1', journeyId: 'j1', taskToken: 'token-1', stopped: stoppedAt('EligibilityNeedsStaff') };
const taskKey = keys.staffTask('c1', staffTaskId('token-1'));

describe('Function: parkForStaff', () => {
  beforeEach(() => {
    ddb.reset();
    alerts = fakeStaffAlerts();
    engine = fakeJourneyEngine();
    metrics = recordingMetrics();
    escalations = fakeEscalations();
    table = inMemoryTable(ddb);
    table.seed(keys.journey('c1', 'j1'), journey);
  });

  it('opens a task holding the token, marks the journey waiting and alerts staff with IDs only', async () => {
    // Act
    const result = await park(request);

    // Assess
    expect(result.taskId).toBe(staffTaskId('token-1'));
    expect(table.get(taskKey)).toMatchObject({
      kind: 'STAGE_BLOCKED',
      stage: 'ELIGIBILITY',
      taskId: result.taskId,
      taskToken: 'token-1',
      checkpoint: 'EligibilityNeedsStaff',
      status: 'OPEN',
      reason: 'Coverage is inactive (plan status 6).',
      patientId: 'p1',
      // The eligibility queue, high priority: due within the default 2 hours.
      queue: 'eligibility',
      priority: 'high',
      dueAt: '2026-12-01T12:00:00.000Z',
      history: [{ at: now.toISOString(), by: 'function:parkForStaff', event: 'opened' }],
      ...keys.staffTaskQueueIndex('c1', 'eligibility'),
      GSI1SK: keys.staffTaskSortKey('OPEN', '2026-12-01T12:00:00.000Z', result.taskId),
    });
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({ status: 'WAITING_FOR_STAFF' });
    expect(alerts.sent).toEqual([
      {
        subject: 'Journey needs staff: ELIGIBILITY',
        message: { kind: 'STAGE_BLOCKED', clinicId: 'c1', journeyId: 'j1', taskId: result.taskId, stage: 'ELIGIBILITY' },
        attributes: { clinicId: 'c1' },
      },
    ]);
    expect(engine.calls).toEqual([]);
  });

  describe('a booking held for its prior authorization', () => {
    const visit = { appointmentId: 'appt-j1', start: '2026-12-10T14:00:00.000Z', timeZone: 'America/New_York' };
    const held = {
      ...journey,
      appointment: {
        ...visit,
        end: '2026-12-10T15:00:00.000Z',
        location: { name: 'L', address: 'A' },
        department: { name: 'D' },
        provider: { name: 'P' },
      },
      stages: {
        ...journey.stages,
        SCHEDULING: { status: 'WAITING_FOR_STAFF' as const, at: '2026-12-01T09:59:00Z', reason: 'Prior authorization required' },
      },
    };
    const approved = (validTo: string) => ({
      type: 'PriorAuthorization',
      clinicId: 'c1',
      appointmentId: 'appt-j1',
      patientId: 'p1',
      payerId: '60054',
      requiredBy: 'payer-rule',
      request: { diagnosisCodes: [], appointmentTypeCode: 'MRI_KNEE_CONTRAST', serviceDate: '2026-12-10', locationId: 'boston' },
      status: 'APPROVED',
      approval: { authorizationNumber: 'A1', validFrom: '2026-12-01', validTo, units: 1 },
      history: [],
      revision: 1,
      openedAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    const scheduling = { ...request, stopped: stoppedAt('SchedulingNeedsStaff') };

    it('retries scheduling at once when an approval covering the visit was recorded before the park', async () => {
      // Prepare
      table.seed(keys.journey('c1', 'j1'), held);
      table.seed(keys.appointmentAuthorization('c1', 'appt-j1'), approved('2026-12-10'));

      // Act
      await park(scheduling);

      // Assess
      expect(engine.resumed).toEqual([
        { taskToken: 'token-1', output: JSON.stringify({ action: 'RETRY', checkpoint: 'SchedulingNeedsStaff' }) },
      ]);
      expect(table.get(taskKey)).toBeUndefined();
      expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({
        stages: { SCHEDULING: { status: 'IN_PROGRESS', reason: 'Prior authorization approved.' } },
      });
    });

    it('parks as usual while the approval does not cover the visit’s day', async () => {
      // Prepare
      table.seed(keys.journey('c1', 'j1'), held);
      table.seed(keys.appointmentAuthorization('c1', 'appt-j1'), approved('2026-12-09'));
      table.seed(keys.submission('c1', 's1'), {
        type: 'Submission',
        clinicId: 'c1',
        submissionId: 's1',
        visit: { appointmentTypeCode: 'MRI_KNEE_CONTRAST' },
      });

      // Act
      await park(scheduling);

      // Assess
      expect(engine.resumed).toEqual([]);
      expect(table.get(taskKey)).toMatchObject({ kind: 'STAGE_BLOCKED', stage: 'SCHEDULING', reason: 'Prior authorization required' });
    });
  });

  it('holds a run that ended without naming its checkpoint at the current stage, and logs it for the ops alarm', async () => {
    // Prepare: the stages timed out (no checkpoint); the fixture journey has not completed intake.
    const timedOut = { Error: 'States.TaskFailed', Cause: JSON.stringify({ Status: 'TIMED_OUT', Error: 'States.Timeout' }) };

    // Act
    const { result, logs } = await parkCapturingLogs({ ...request, stopped: timedOut });

    // Assess
    expect(table.get(keys.staffTask('c1', result.taskId))).toMatchObject({ stage: 'INTAKE', checkpoint: 'IntakeNeedsStaff' });
    expect(logs).toHaveLogged({ level: 'ERROR', message: UNEXPECTED_STOP_MESSAGE, errorName: 'States.Timeout', stage: 'INTAKE' });
  });

  it('still parks when the escalation cannot be scheduled, and logs it for the ops alarm', async () => {
    // Prepare
    escalations.failNext();

    // Act
    const { result, logs } = await parkCapturingLogs(request);

    // Assess
    expect(table.get(keys.staffTask('c1', result.taskId))).toMatchObject({ status: 'OPEN' });
    expect(alerts.sent).toHaveLength(1);
    expect(escalations.scheduled).toEqual([]);
    expect(logs).toHaveLogged({
      level: 'ERROR',
      message: ESCALATION_NOT_SCHEDULED_MESSAGE,
      taskId: result.taskId,
      errorName: 'ThrottlingException',
    });
  });

  it('logs no ops error for a run that stopped at its checkpoint', async () => {
    // Act
    const { logs } = await parkCapturingLogs(request);

    // Assess
    expect(logs).not.toHaveLogged({ message: UNEXPECTED_STOP_MESSAGE });
  });

  it('names the error when the stage failed after its retries', async () => {
    // Act
    await park({ ...request, stopped: stoppedAt('EligibilityNeedsStaff', { Error: 'ClearinghouseUnavailable', Cause: 'member W123 …' }) });

    // Assess
    const reason = table.get(taskKey)?.reason;
    expect(reason).toContain('ClearinghouseUnavailable');
    expect(reason).not.toContain('W123');
  });

  it('publishes once and records when the alert was sent', async () => {
    // Act
    await park(request);

    // Assess
    expect(alerts.sent).toHaveLength(1);
    expect(table.get(taskKey)).toMatchObject({ status: 'OPEN', alertedAt: now.toISOString() });
    expect(auditRecords(table.audits())).toEqual([
      expect.objectContaining({ actions: ['staffTask.create'], actor: 'function:parkForStaff', journeyId: 'j1', patientId: 'p1' }),
    ]);
  });

  it('does not publish again when retried after a successful alert', async () => {
    // Prepare
    const first = await park(request);

    // Act
    const again = await park(request);

    // Assess
    expect(again.taskId).toBe(first.taskId);
    expect(alerts.sent).toHaveLength(1);
    expect(table.audits()).toHaveLength(1);
    expect(metrics.emitted).toEqual([{ metric: 'parked', stage: 'ELIGIBILITY' }]);
  });

  it('publishes on a later park of the task when the first could not publish', async () => {
    // Prepare
    alerts.failNext();
    await park(request);

    // Act
    await park(request);

    // Assess
    expect(alerts.sent).toHaveLength(1);
    expect(table.get(taskKey)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('still parks the journey, leaving the alert unrecorded, when the alert cannot be sent', async () => {
    // Prepare
    alerts.failNext(Number.POSITIVE_INFINITY);

    // Act
    const result = await park(request);

    // Assess
    expect(result.taskId).toBe(staffTaskId('token-1'));
    expect(table.get(taskKey)).toMatchObject({ status: 'OPEN' });
    expect(table.get(taskKey)).not.toHaveProperty('alertedAt');
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({ status: 'WAITING_FOR_STAFF' });
  });

  it('claims the journey for the park and writes the stage with that claim', async () => {
    // Act
    await park(request);

    // Assess
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({
      attempt: 1,
      status: 'WAITING_FOR_STAFF',
      stages: { ELIGIBILITY: { status: 'WAITING_FOR_STAFF', staffTaskId: staffTaskId('token-1') } },
    });
  });

  it('throws StaleAttempt and opens no task when a newer attempt claims the journey before the park writes it', async () => {
    // Prepare: right after this park's claim, the journey moves on (e.g. the execution stopped and was held for staff).
    table.beforeNext('Update', () =>
      table.beforeNext('Update', () =>
        table.change(keys.journey('c1', 'j1'), (item) => Object.assign(item, { attempt: (item.attempt as number) + 1, status: 'FAILED' })),
      ),
    );

    // Act
    const parking = park(request);

    // Assess
    await expect(parking).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({ status: 'FAILED', attempt: 2 });
    expect(table.get(taskKey)).toBeUndefined();
    expect(alerts.sent).toEqual([]);
  });

  it('throws JourneyNotFound, creating nothing, for a journey that does not exist', async () => {
    // Act
    const parking = park({ ...request, journeyId: 'j-missing' });

    // Assess
    await expect(parking).rejects.toMatchObject({ name: 'JourneyNotFound' });
    expect(table.get(keys.journey('c1', 'j-missing'))).toBeUndefined();
    expect(alerts.sent).toEqual([]);
  });

  it('refuses an input without a task token, touching nothing', async () => {
    // Act
    const parking = park({ ...request, taskToken: '' });

    // Assess
    await expect(parking).rejects.toMatchObject({ name: 'ZodError' });
    expect(ddb.calls()).toHaveLength(0);
  });
});
