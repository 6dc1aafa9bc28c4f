import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { makeScreenIntake } from '#functions/intake/screen-intake.handler.ts';
import { parkReason } from '#functions/journey/park-reason.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { POSSIBLE_DUPLICATE_REASON, staffTaskId } from '#model/staff-task.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import type { StaffAlert, StaffAlertPort } from '#shared/staff-alerts.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { fakeEscalations, noCatalog } from '#test/support/fakes/journey-ports.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const tableRef = { client, tableName: 't' };
const now = new Date('2026-12-01T10:00:00Z');
const ref = { clinicId: 'c1', journeyId: 'j1' };
const slipKey = keys.staffTask('c1', staffTaskId('c1#j1#TRIAGE'));
let table: ReturnType<typeof inMemoryTable>;
let alerts: ReturnType<typeof fakeAlerts>;
let submissions: ReturnType<typeof dynamoSubmissionStore>;

/** Staff alerts kept in memory; `failNext` makes the next send fail as the SNS adapter does. */
function fakeAlerts() {
  const sent: StaffAlert[] = [];
  const failures: Error[] = [];
  const port: StaffAlertPort = {
    async send(alert) {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push(alert);
    },
  };
  return { port, sent, failNext: (error: Error) => failures.push(error) };
}

const screen = (input: unknown = ref) =>
  makeScreenIntake({
    journeys: dynamoJourneyStore(tableRef),
    submissions,
    tasks: dynamoStaffTaskStore(tableRef),
    audit: dynamoAuditLog(tableRef),
    catalog: noCatalog,
    alerts: alerts.port,
    escalations: fakeEscalations().port,
    now: () => now,
  })(input, lambdaContext);

function givenScreening(screening: Record<string, boolean>) {
  table.seed(keys.journey('c1', 'j1'), newJourneyRecord({ ...ref, submissionId: 's1', patientId: 'p1' }, now));
  table.seed(keys.submission('c1', 's1'), { type: 'Submission', screening });
}
const auditActions = () => auditRecords(table.audits()).flatMap((a) => a.actions);
const intakeStage = () => (table.get(keys.journey('c1', 'j1')) as JourneyRecord | undefined)?.stages.INTAKE;
const messagingUnavailable = () => new TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable, 'SNS answered Throttled');

describe('Function: screenIntake', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
    alerts = fakeAlerts();
    submissions = dynamoSubmissionStore(tableRef);
  });

  it('completes intake without an alert when no red flag is raised', async () => {
    // Prepare
    givenScreening({ chestPainNow: false });

    // Act
    const result = await screen();

    // Assess
    expect(result).toEqual({ outcome: 'NO_RISK' });
    expect(alerts.sent).toEqual([]);
    expect(intakeStage()).toMatchObject({ status: 'COMPLETED' });
    expect(table.get(slipKey)).toBeUndefined();
  });

  it('reads only the screening answers, and audits the read', async () => {
    // Prepare
    givenScreening({ chestPainNow: false });
    const read = vi.spyOn(submissions, 'read');

    // Act
    await screen();

    // Assess
    expect(read).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ submissionId: 's1' }),
      expect.objectContaining({ subject: expect.objectContaining({ actor: 'function:screenIntake', patientId: 'p1' }) }),
      ['screening', 'possibleDuplicateOf', 'duplicateResolution'],
    );
    expect(auditRecords(table.audits())).toEqual([
      expect.objectContaining({ actions: ['submission.read'], actor: 'function:screenIntake', journeyId: 'j1', patientId: 'p1' }),
    ]);
  });

  it('screens a possible duplicate, then holds it at intake for staff, naming nobody, until it is resolved', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    table.seed(keys.submission('c1', 's1'), {
      type: 'Submission',
      screening: { chestPainNow: true },
      possibleDuplicateOf: 'p-other',
      duplicateFields: ['phone', 'insurance'],
    });

    // Act
    const held = await screen();
    const stage = intakeStage();
    table.seed(keys.submission('c1', 's1'), {
      type: 'Submission',
      screening: {},
      possibleDuplicateOf: 'p-other',
      duplicateFields: ['phone', 'insurance'],
      duplicateResolution: 'KEEP_APART',
    });
    const resolved = await screen();

    // Assess: the red flag reached a clinician first; the hold names the other patient and fields, no values
    expect(held).toEqual({ outcome: 'POSSIBLE_DUPLICATE' });
    expect(alerts.sent).toHaveLength(1);
    expect(stage).toMatchObject({ status: 'WAITING_FOR_STAFF', reason: POSSIBLE_DUPLICATE_REASON });
    expect(stage?.reason).not.toContain('p-other');
    expect(resolved).toEqual({ outcome: 'NO_RISK' });
    expect(intakeStage()).toMatchObject({ status: 'COMPLETED' });
  });

  it('opens a triage slip and alerts staff without quoting the answers', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });

    // Act
    const result = await screen();

    // Assess
    expect(result).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(table.get(slipKey)).toMatchObject({ kind: 'TRIAGE', status: 'OPEN', journeyId: 'j1', patientId: 'p1' });
    // An emergent slip: clinical triage's queue, urgent, due within the default 15 minutes.
    expect(table.get(slipKey)).toMatchObject({ queue: 'clinical-triage', priority: 'urgent', dueAt: '2026-12-01T10:15:00.000Z' });
    expect(table.get(slipKey)).not.toHaveProperty('triageLevel');
    expect(alerts.sent).toEqual([
      {
        subject: 'Triage EMERGENT: clinical review needed',
        message: { kind: 'TRIAGE', level: 'EMERGENT', clinicId: 'c1', journeyId: 'j1', taskId: staffTaskId('c1#j1#TRIAGE') },
        attributes: { clinicId: 'c1', level: 'EMERGENT' },
      },
    ]);
    expect(JSON.stringify(alerts.sent)).not.toContain('chestPain');
    expect(auditActions()).toEqual(['submission.read', 'staffTask.create']);
  });

  it('alerts once and records when the alert was sent', async () => {
    // Prepare
    givenScreening({ fallInLast30Days: true });

    // Act
    await screen();

    // Assess
    expect(alerts.sent).toHaveLength(1);
    expect(table.get(slipKey)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('does not alert again when retried after a successful alert', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    await screen();

    // Act
    const again = await screen();

    // Assess
    expect(again).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(alerts.sent).toHaveLength(1);
    expect(auditActions()).toEqual(['submission.read', 'staffTask.create', 'submission.read']);
  });

  it('marks a possible duplicate’s hold before screening, so a screening that then fails still holds it as one', async () => {
    // Prepare: a red flag whose alert cannot be sent, on an unsettled possible duplicate
    givenScreening({ chestPainNow: true });
    table.seed(keys.submission('c1', 's1'), { type: 'Submission', screening: { chestPainNow: true }, possibleDuplicateOf: 'p-other' });
    alerts.failNext(messagingUnavailable());

    // Act
    const failing = await screen().catch((error: Error) => error.name);

    // Assess: the stage carries the hold's reason, which the park keeps (parkReason) and which allows no PROCEED
    expect(failing).toBe('MessagingUnavailable');
    expect(intakeStage()).toMatchObject({ status: 'WAITING_FOR_STAFF', reason: POSSIBLE_DUPLICATE_REASON });
    expect(parkReason({ stage: 'INTAKE', error: { Error: 'MessagingUnavailable' } }, intakeStage())).toBe(POSSIBLE_DUPLICATE_REASON);
  });

  it('alerts on the retry when the first attempt could not send the alert', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    alerts.failNext(messagingUnavailable());
    await expect(screen()).rejects.toThrow();

    // Act
    const retried = await screen();

    // Assess
    expect(retried).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(alerts.sent).toHaveLength(1);
    expect(table.get(slipKey)).toMatchObject({ alertedAt: now.toISOString() });
  });

  it('throws MessagingUnavailable for the workflow to retry and leaves intake open when the alert fails', async () => {
    // Prepare
    givenScreening({ chestPainNow: true });
    alerts.failNext(messagingUnavailable());

    // Act
    const screening = screen();

    // Assess
    await expect(screening).rejects.toMatchObject({ name: 'MessagingUnavailable' });
    expect(table.get(slipKey)).not.toHaveProperty('alertedAt');
    expect(intakeStage()).toMatchObject({ status: 'IN_PROGRESS' });
  });

  it('does not alert for a slip a clinician has already reviewed', async () => {
    // Prepare: the first alert failed, but the slip was seen in the queue and decided before the retry.
    givenScreening({ chestPainNow: true });
    table.seed(slipKey, { type: 'StaffTask', taskId: staffTaskId('c1#j1#TRIAGE'), status: 'DECIDED' });

    // Act
    const result = await screen();

    // Assess
    expect(result).toEqual({ outcome: 'TRIAGE_ALERTED' });
    expect(alerts.sent).toEqual([]);
    expect(auditActions()).toEqual(['submission.read']);
  });

  it('throws StaleAttempt and leaves the newer attempt’s intake when a retry claimed the journey meanwhile', async () => {
    // Prepare: while this attempt reads the answers, a retry of the task claims the journey and completes intake.
    givenScreening({ chestPainNow: false });
    const newer = { status: 'COMPLETED', at: '2026-12-01T10:00:05.000Z' };
    table.beforeNext('Get', () =>
      table.change(keys.journey('c1', 'j1'), (item) => {
        item.attempt = (item.attempt as number) + 1;
        (item.stages as Record<string, unknown>).INTAKE = newer;
      }),
    );

    // Act
    const screening = screen();

    // Assess
    await expect(screening).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(table.get(keys.journey('c1', 'j1'))).toMatchObject({ attempt: 2, stages: { INTAKE: newer } });
  });

  it('refuses an input that is not a journey reference without touching the table', async () => {
    // Act
    const screening = screen({ clinicId: 'CLINIC#x', journeyId: 'j1' });

    // Assess
    await expect(screening).rejects.toMatchObject({ name: 'ZodError' });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
