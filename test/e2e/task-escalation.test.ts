import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LEVELS } from '#contract/staff-queues.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';

/**
 * Overdue staff tasks on the local cloud: the task's opener schedules its escalation (EventBridge Scheduler's API, the
 * local scheduler), and moving the local clock past the due time fires it. No test waits for time to pass. This file
 * has a cloud of its own: the clock only moves forward, for the whole process.
 */
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ quiet: true });
});

afterAll(async () => {
  await cloud?.stop();
});

const api = () => `${cloud.apiUrl}/v1/clinics/${cloud.clinicId}`;
const HOUR = 3_600_000;

/** A journey of its own, parked at eligibility (member not found): its task's ID. */
async function parkedEligibilityTask(): Promise<string> {
  const submitted = await fetch(`${api()}/intake-submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cloud.apiKey, 'idempotency-key': randomUUID() },
    body: readFileSync('examples/member-not-found.json', 'utf8'),
  });
  const { journeyId } = (await submitted.json()) as { journeyId: string };
  for (let tries = 0; tries < 300; tries++) {
    const view = (await (await fetch(`${api()}/journeys/${journeyId}`, { headers: { 'x-api-key': cloud.apiKey } })).json()) as {
      status: string;
      stages: Array<{ name: string; staffTaskId?: string }>;
    };
    const taskId = view.stages.find((s) => s.name === 'ELIGIBILITY')?.staffTaskId;
    if (view.status === 'WAITING_FOR_STAFF' && taskId) return taskId;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Journey ${journeyId} did not park`);
}

const overdueAlerts = (taskId: string) =>
  cloud.sns.published.filter((m) => m.messageAttributes.kind?.stringValue === 'TASK_OVERDUE' && m.message.includes(taskId));

describe('Local stack: overdue staff tasks are escalated when the clock passes their due time', () => {
  it('alerts the queue once, without patient data, shows the task overdue, and leaves a decided task alone', async () => {
    // prepare
    const waiting = await parkedEligibilityTask();
    const decided = await parkedEligibilityTask();
    const token = await cloud.staffToken('frontdesk');
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const decision = await fetch(`${api()}/staff-tasks/${decided}/decision`, {
      method: 'POST',
      headers: auth,
      body: '{"action":"CANCEL"}',
    });
    const scheduled = cloud.clock.schedules().map((s) => s.input);
    const overdueBefore = (await (await fetch(`${api()}/staff-tasks?overdue=true`, { headers: auth })).json()) as {
      tasks: Array<{ taskId: string }>;
    };

    // act: just short of the due time (a high-priority task: 2 hours), then past it, then again
    await cloud.clock.advance(DEFAULT_SERVICE_LEVELS.high * 60_000 - 60_000);
    const alertsBeforeDue = overdueAlerts(waiting).length;
    await cloud.clock.advance(2 * 60_000);
    await cloud.clock.advance(HOUR);
    const overdueAfter = (await (await fetch(`${api()}/staff-tasks?overdue=true`, { headers: auth })).json()) as {
      tasks: Array<{ taskId: string; overdue: boolean }>;
    };
    const detail = (await (await fetch(`${api()}/staff-tasks/${waiting}`, { headers: auth })).json()) as {
      history: Array<{ event: string }>;
    };

    // assess
    expect(decision.status).toBe(200);
    expect(scheduled.filter((input) => input.includes(waiting) || input.includes(decided))).toHaveLength(2);
    expect(overdueBefore.tasks.map((t) => t.taskId)).not.toContain(waiting);
    expect(alertsBeforeDue).toBe(0);
    const alerts = overdueAlerts(waiting);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.messageAttributes.queue?.stringValue).toBe('eligibility');
    expect(JSON.parse(alerts[0]?.message ?? '{}')).toEqual({
      kind: 'TASK_OVERDUE',
      clinicId: cloud.clinicId,
      taskId: waiting,
      queue: 'eligibility',
      priority: 'high',
      dueAt: expect.any(String),
    });
    expect(overdueAlerts(decided)).toHaveLength(0);
    expect(overdueAfter.tasks.find((t) => t.taskId === waiting)).toMatchObject({ overdue: true });
    expect(overdueAfter.tasks.map((t) => t.taskId)).not.toContain(decided);
    expect(detail.history.map((h) => h.event)).toEqual(['opened', 'escalated']);
    expect(cloud.clock.schedules().filter((s) => s.input.includes(waiting) || s.input.includes(decided))).toHaveLength(0);
  });
});
