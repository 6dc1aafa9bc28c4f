import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalClock } from '#local/clock.ts';
import { CLOCK_PATH, type LocalScheduler, startLocalScheduler } from '#local/scheduler.ts';
import { escalationTime, eventBridgeEscalations } from '#shared/escalation-schedule-adapter.ts';

/** The local EventBridge Scheduler through the AWS SDK, as the deployed adapter speaks to the real one. */
let scheduler: LocalScheduler;
let clock: LocalClock;
let client: SchedulerClient;
let invocations: Array<{ targetArn: string; input: string }>;
let failures: number;

const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:escalateStaffTask';
const ROLE = 'arn:aws:iam::000000000000:role/escalations';

beforeEach(async () => {
  clock = new LocalClock();
  invocations = [];
  failures = 0;
  scheduler = await startLocalScheduler({
    port: 0,
    clock,
    region: 'us-east-1',
    accountId: '000000000000',
    invoke: async (targetArn, input) => {
      if (failures > 0) {
        failures--;
        throw new Error('function failed');
      }
      invocations.push({ targetArn, input });
    },
  });
  client = new SchedulerClient({
    region: 'us-east-1',
    endpoint: scheduler.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterEach(async () => {
  client.destroy();
  await scheduler.stop();
});

const inMinutes = (minutes: number) => new Date(clock.now().getTime() + minutes * 60_000).toISOString();
const create = (name: string, at: string, extra: Record<string, unknown> = {}) =>
  client.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: 'g',
      ScheduleExpression: `at(${at.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: TARGET, RoleArn: ROLE, Input: '{"n":1}' },
      ...extra,
    }),
  );

describe('Local EventBridge Scheduler (local/scheduler.ts)', () => {
  it('creates, reads and deletes a one-time schedule; a second create of the name is a ConflictException', async () => {
    // act
    const created = await create('s1', inMinutes(30));
    const read = await client.send(new GetScheduleCommand({ Name: 's1', GroupName: 'g' }));
    const again = await create('s1', inMinutes(40)).catch((error: unknown) => error);
    await client.send(new DeleteScheduleCommand({ Name: 's1', GroupName: 'g' }));
    const gone = await client.send(new GetScheduleCommand({ Name: 's1', GroupName: 'g' })).catch((error: unknown) => error);

    // assess
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/g/s1');
    expect(read).toMatchObject({
      Name: 's1',
      State: 'ENABLED',
      Target: { Arn: TARGET, Input: '{"n":1}' },
      ActionAfterCompletion: 'DELETE',
    });
    expect(again).toBeInstanceOf(ConflictException);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses what the product never creates, as a ValidationException: a rate expression, another time zone', async () => {
    const rate = await create('r', '', { ScheduleExpression: 'rate(5 minutes)' }).catch((error: unknown) => error);
    const zone = await create('z', inMinutes(5), { ScheduleExpressionTimezone: 'America/New_York' }).catch((error: unknown) => error);

    expect(rate).toBeInstanceOf(ValidationException);
    expect(zone).toBeInstanceOf(ValidationException);
    expect(scheduler.schedules()).toHaveLength(0);
  });

  it('fires a schedule once the clock reaches it, with its input, then deletes it', async () => {
    // prepare
    await create('soon', inMinutes(10));
    await create('later', inMinutes(60));

    // act
    const beforeDue = await scheduler.advance(9 * 60_000);
    const atDue = await scheduler.advance(2 * 60_000);
    const afterwards = await scheduler.fireDue();

    // assess
    expect([beforeDue, atDue, afterwards]).toEqual([0, 1, 0]);
    expect(invocations).toEqual([{ targetArn: TARGET, input: '{"n":1}' }]);
    expect(scheduler.schedules().map((s) => s.name)).toEqual(['later']);
  });

  it('invokes a failing target twice more, as Lambda retries an asynchronous invocation, then gives the event up', async () => {
    // prepare
    await create('flaky', inMinutes(1));
    failures = 1;

    // act: flaky fails once, then runs on its first retry; dead keeps failing
    await scheduler.advance(2 * 60_000);
    const keptAfterFailure = scheduler.schedules().map((s) => s.name);
    await scheduler.fireDue();
    const flakyRan = invocations.length;
    await create('dead', inMinutes(1));
    failures = 100;
    await scheduler.advance(2 * 60_000);
    await scheduler.fireDue();
    const keptAfterTwoFailures = scheduler.schedules().map((s) => s.name);
    await scheduler.fireDue();

    // assess
    expect(keptAfterFailure).toEqual(['flaky']);
    expect(flakyRan).toBe(1);
    expect(keptAfterTwoFailures).toEqual(['dead']);
    expect(scheduler.schedules()).toHaveLength(0);
    expect(scheduler.failedInvocations).toEqual([{ schedule: 'g/dead', targetArn: TARGET, input: '{"n":1}' }]);
  });

  it('moves the clock forward and runs what came due on POST /_local/clock (npm run clock); never backwards', async () => {
    // prepare
    await create('due', inMinutes(90));
    const before = clock.now().getTime();
    const post = (advanceMs: number) =>
      fetch(`${scheduler.endpoint}${CLOCK_PATH}`, { method: 'POST', body: JSON.stringify({ advanceMs }) });

    // act
    const forward = await post(2 * 3_600_000);
    const backward = await post(-1);

    // assess
    expect(forward.status).toBe(200);
    const result = (await forward.json()) as { now: string; fired: number };
    expect(result.fired).toBe(1);
    expect(Date.parse(result.now) - before).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(backward.status).toBe(400);
    expect(invocations).toHaveLength(1);
  });

  it('is what the deployed escalation adapter speaks to: one schedule per task, at its due time, a repeat left be', async () => {
    // prepare
    const escalations = eventBridgeEscalations(client, { groupName: 'tasks', targetArn: TARGET, roleArn: ROLE });
    const task = { clinicId: 'c1', taskId: 'st-0123456789abcdef0123', dueAt: inMinutes(120) };

    // act
    await escalations.schedule(task);
    await escalations.schedule({ ...task, dueAt: inMinutes(500) });

    // assess
    expect(scheduler.schedules()).toEqual([
      expect.objectContaining({
        name: 'escalate-st-0123456789abcdef0123',
        groupName: 'tasks',
        at: Date.parse(`${escalationTime(task.dueAt)}Z`),
        input: JSON.stringify({ clinicId: 'c1', taskId: task.taskId }),
        deleteAfterCompletion: true,
      }),
    ]);
  });
});
