import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LEVELS } from '#contract/staff-queues.ts';
import { makeEscalateStaffTask } from '#functions/staff-tasks/escalate-staff-task.handler.ts';
import { escalateStaffTask } from '#functions/staff-tasks/escalate-staff-task.ts';
import { openedStaffTask, serviceLevelsOf } from '#model/staff-task.ts';
import { escalationTime } from '#shared/escalation-schedule-adapter.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import { noMetrics, recordingMetrics } from '#test/support/fakes/journey-metrics.ts';
import { fakeStaffAlerts } from '#test/support/fakes/journey-ports.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('escalate-task');
const tasks = dynamoStaffTaskStore(table);
const opened = new Date('2026-12-01T10:00:00.000Z');
const minutes = (n: number) => new Date(opened.getTime() + n * 60_000);

async function openTask(kind: 'STAGE_BLOCKED' | 'TRIAGE' = 'STAGE_BLOCKED') {
  const task = openedStaffTask(
    {
      clinicId: 'clinic-escalate',
      taskId: `st-${randomUUID().slice(0, 20)}`,
      journeyId: randomUUID(),
      patientId: 'p-1',
      kind,
      ...(kind === 'TRIAGE' ? { triageLevel: 'EMERGENT' as const } : {}),
      stage: kind === 'TRIAGE' ? 'INTAKE' : 'ELIGIBILITY',
      reason: 'Member not found: thoughtsOfSelfHarm',
    },
    serviceLevelsOf(undefined),
    'function:test',
    opened,
  );
  await tasks.open(task);
  return task;
}

const escalate = (
  alerts: ReturnType<typeof fakeStaffAlerts>,
  at: Date,
  ref: { clinicId: string; taskId: string },
  metrics = recordingMetrics(),
) => escalateStaffTask({ tasks, alerts: alerts.port, metrics: metrics.port, now: () => at }, ref);

describe('Use case: escalateStaffTask (a task’s due time has come)', () => {
  it("alerts the task's queue once it is due, with IDs and codes only, and records it in the history", async () => {
    // prepare
    const task = await openTask();
    const alerts = fakeStaffAlerts();
    const metrics = recordingMetrics();

    // act
    const early = await escalate(alerts, minutes(DEFAULT_SERVICE_LEVELS.high - 1), task, metrics).catch((error: Error) => error.name);
    const due = await escalate(alerts, minutes(DEFAULT_SERVICE_LEVELS.high + 1), task, metrics);
    const repeat = await escalate(alerts, minutes(DEFAULT_SERVICE_LEVELS.high + 2), task, metrics);

    // assess: too early fails (Lambda retries the asynchronous invocation) rather than dropping the escalation
    expect([early, due.outcome, repeat.outcome]).toEqual(['EscalationNotDue', 'ESCALATED', 'ALREADY_ESCALATED']);
    expect(alerts.sent).toEqual([
      {
        subject: 'Overdue high task in eligibility',
        message: {
          kind: 'TASK_OVERDUE',
          clinicId: task.clinicId,
          taskId: task.taskId,
          queue: 'eligibility',
          priority: 'high',
          dueAt: task.dueAt,
        },
        attributes: { clinicId: task.clinicId, queue: 'eligibility', kind: 'TASK_OVERDUE' },
      },
    ]);
    expect(JSON.stringify(alerts.sent)).not.toContain('Member not found');
    const stored = await tasks.get(task.clinicId, task.taskId);
    expect(stored?.escalatedAt).toBe(minutes(DEFAULT_SERVICE_LEVELS.high + 1).toISOString());
    expect(stored?.history.map((h) => h.event)).toEqual(['opened', 'escalated']);
    expect(metrics.emitted).toEqual([{ metric: 'taskOverdue', queue: 'eligibility' }]);
  });

  it('schedules at the due time’s next whole minute, so that a schedule never fires before the task is due', () => {
    expect(escalationTime('2026-12-01T10:00:37.700Z')).toBe('2026-12-01T10:01:00');
    expect(escalationTime('2026-12-01T10:00:00.000Z')).toBe('2026-12-01T10:00:00');
    expect(escalationTime('2026-12-31T23:59:00.001Z')).toBe('2027-01-01T00:00:00');
  });

  it('leaves a decided or expired task, and an unknown one, alone', async () => {
    // prepare
    const task = await openTask('TRIAGE');
    await tasks.expireIfOpen(task.clinicId, task.taskId, 'function:test', minutes(5));
    const alerts = fakeStaffAlerts();

    // act
    const closed = await escalate(alerts, minutes(60), task);
    const unknown = await escalate(alerts, minutes(60), { clinicId: task.clinicId, taskId: 'st-nope' });

    // assess
    expect([closed.outcome, unknown.outcome]).toEqual(['CLOSED', 'NOT_FOUND']);
    expect(alerts.sent).toEqual([]);
  });

  it('publishes again when the first alert did not go out (at least once), and escalates once it does', async () => {
    // prepare
    const task = await openTask('TRIAGE');
    const alerts = fakeStaffAlerts();
    alerts.failNext();
    const due = minutes(DEFAULT_SERVICE_LEVELS.urgent + 1);

    // act
    const failed = await escalate(alerts, due, task).catch((error: Error) => error.name);
    const retried = await escalate(alerts, due, task);

    // assess
    expect(failed).toBe('MessagingUnavailable');
    expect(retried.outcome).toBe('ESCALATED');
    expect(alerts.sent).toHaveLength(1);
    expect(alerts.sent[0]?.attributes).toMatchObject({ queue: 'clinical-triage' });
  });

  it('takes only the task IDs its schedule sends (the handler refuses anything else)', async () => {
    const handler = makeEscalateStaffTask({ tasks, alerts: fakeStaffAlerts().port, metrics: noMetrics, now: () => opened });
    const context = {} as Parameters<typeof handler>[1];
    await expect(handler({ clinicId: 'c1' }, context)).rejects.toMatchObject({ name: 'ZodError' });
    await expect(handler({ clinicId: 'c1', taskId: 'st-1', reason: 'x' }, context)).rejects.toMatchObject({ name: 'ZodError' });
    await expect(handler({ clinicId: 'c1', taskId: 'st-unknown' }, context)).resolves.toEqual({ outcome: 'NOT_FOUND' });
  });
});
