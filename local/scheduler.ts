import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalClock } from './clock.ts';

/**
 * EventBridge Scheduler for the local cloud, which has no emulator for it: the REST API's shape for one-time schedules
 * (CreateSchedule, GetSchedule, DeleteSchedule on `/schedules/{Name}`, errors named in `x-amzn-errortype`), so the
 * deployed adapter (functions/shared/escalation-schedule-adapter.ts) runs unchanged against it; and the firing, driven
 * by the local clock: a schedule whose `at(…)` has come invokes its target with its input, as Scheduler hands a Lambda
 * target an asynchronous invocation: a function error is retried twice (Lambda's asynchronous retries, on the next
 * firings), then the event goes to `failedInvocations` (the function's on-failure destination); the schedule is deleted
 * after it ran (ActionAfterCompletion DELETE). It fires on a one-second tick, and at once when the clock is advanced
 * (`advance`), so tests move time instead of waiting.
 */
export interface LocalSchedulerOptions {
  port: number;
  clock: LocalClock;
  /** Invokes a target (a Lambda function ARN) with the schedule's input, asynchronously as Scheduler does. */
  invoke: (targetArn: string, input: string) => Promise<void>;
  /** Keeps schedules across restarts (`npm start` with its data directory). */
  stateFile?: string;
  region: string;
  accountId: string;
}

interface StoredSchedule {
  name: string;
  groupName: string;
  /** When it fires (epoch ms, UTC). */
  at: number;
  targetArn: string;
  roleArn: string;
  input: string;
  /** Failed invocations so far (Lambda retries an asynchronous invocation twice). */
  failures?: number;
  deleteAfterCompletion: boolean;
  state: 'ENABLED' | 'DISABLED';
  createdAt: number;
}

export interface LocalScheduler {
  endpoint: string;
  /** Moves the local clock forward and fires every schedule now due; resolves when their invocations have ended. */
  advance(ms: number): Promise<number>;
  /** Fires every schedule due by the local clock (what the tick does). */
  fireDue(): Promise<number>;
  schedules(): ReadonlyArray<Readonly<StoredSchedule>>;
  /** Invocations that failed three times: what the target's on-failure destination would receive. */
  failedInvocations: ReadonlyArray<{ schedule: string; targetArn: string; input: string }>;
  stop(): Promise<void>;
}

/** Where `npm start` writes the scheduler's endpoint (in its data directory), for `npm run clock`. */
export const SCHEDULER_FILE = 'scheduler.json';
/** Where `npm run clock` moves the local clock forward (scripts/clock.ts). */
export const CLOCK_PATH = '/_local/clock';
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const NAME = /^[0-9a-zA-Z_.-]{1,64}$/;
const DEFAULT_GROUP = 'default';
/** Lambda retries a failed asynchronous invocation twice before its on-failure destination gets the event. */
const LAMBDA_ASYNC_RETRIES = 2;

class SchedulerError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startLocalScheduler(options: LocalSchedulerOptions): Promise<LocalScheduler> {
  const schedules = new Map<string, StoredSchedule>(loadState(options.stateFile).map((s) => [key(s.groupName, s.name), s]));
  const save = () => {
    if (options.stateFile) writeFileSync(options.stateFile, JSON.stringify([...schedules.values()], null, 2));
  };
  const arnOf = (s: Pick<StoredSchedule, 'groupName' | 'name'>) =>
    `arn:aws:scheduler:${options.region}:${options.accountId}:schedule/${s.groupName}/${s.name}`;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      const e = error instanceof SchedulerError ? error : new SchedulerError(500, 'InternalServerException', String(error));
      response.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.type });
      response.end(JSON.stringify({ Message: e.message }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === CLOCK_PATH && request.method === 'POST') {
      // Not Scheduler's API: the local cloud's own control of its clock (npm run clock), on the server that fires by it.
      const advanceMs = Number((await readBody(request)).advanceMs);
      if (!Number.isFinite(advanceMs) || advanceMs < 0) throw new SchedulerError(400, 'ValidationException', 'advanceMs: a number ≥ 0');
      options.clock.advance(advanceMs);
      const fired = await fireDue();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ now: options.clock.now().toISOString(), fired }));
      return;
    }
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1]) throw new SchedulerError(404, 'ResourceNotFoundException', `No such operation: ${request.method} ${url.pathname}`);
    const name = decodeURIComponent(match[1]);
    const body = await readBody(request);
    const groupName = url.searchParams.get('groupName') ?? (body.GroupName as string | undefined) ?? DEFAULT_GROUP;
    const id = key(groupName, name);
    const reply = (value: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };

    if (request.method === 'POST') {
      if (schedules.has(id)) throw new SchedulerError(409, 'ConflictException', `Schedule ${name} already exists.`);
      const schedule = parseSchedule(name, groupName, body, options.clock.now().getTime());
      schedules.set(id, schedule);
      save();
      return reply({ ScheduleArn: arnOf(schedule) });
    }
    const schedule = schedules.get(id);
    if (!schedule) throw new SchedulerError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    if (request.method === 'GET') {
      return reply({
        Arn: arnOf(schedule),
        Name: schedule.name,
        GroupName: schedule.groupName,
        State: schedule.state,
        ScheduleExpression: `at(${new Date(schedule.at).toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        Target: { Arn: schedule.targetArn, RoleArn: schedule.roleArn, Input: schedule.input },
        ActionAfterCompletion: schedule.deleteAfterCompletion ? 'DELETE' : 'NONE',
        CreationDate: schedule.createdAt / 1000,
      });
    }
    if (request.method === 'DELETE') {
      schedules.delete(id);
      save();
      return reply({});
    }
    throw new SchedulerError(405, 'ValidationException', `${request.method} is not supported`);
  }

  const failedInvocations: Array<{ schedule: string; targetArn: string; input: string }> = [];
  let firing: Promise<number> = Promise.resolve(0);
  /** One firing round at a time: a schedule is never invoked twice by overlapping ticks. */
  const fireDue = () => {
    firing = firing.then(async () => {
      const now = options.clock.now().getTime();
      const due = [...schedules.values()].filter((s) => s.state === 'ENABLED' && s.at <= now);
      let fired = 0;
      for (const schedule of due) {
        try {
          await options.invoke(schedule.targetArn, schedule.input);
          fired++;
        } catch {
          schedule.failures = (schedule.failures ?? 0) + 1;
          if (schedule.failures <= LAMBDA_ASYNC_RETRIES) continue; // invoked again on a later firing
          failedInvocations.push({
            schedule: `${schedule.groupName}/${schedule.name}`,
            targetArn: schedule.targetArn,
            input: schedule.input,
          });
        }
        if (schedule.deleteAfterCompletion) schedules.delete(key(schedule.groupName, schedule.name));
        else schedule.state = 'DISABLED';
      }
      if (due.length > 0) save();
      return fired;
    });
    return firing;
  };
  const tick = setInterval(() => void fireDue().catch(() => undefined), 1000);
  tick.unref();

  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async advance(ms) {
      options.clock.advance(ms);
      return fireDue();
    },
    fireDue,
    schedules: () => [...schedules.values()],
    failedInvocations,
    async stop() {
      clearInterval(tick);
      await firing.catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseSchedule(name: string, groupName: string, body: Record<string, unknown>, now: number): StoredSchedule {
  if (!NAME.test(name)) throw new SchedulerError(400, 'ValidationException', `Invalid schedule name: ${name}`);
  const expression = String(body.ScheduleExpression ?? '');
  const at = AT.exec(expression)?.[1];
  // Only what the product creates: one-time schedules in UTC.
  if (!at) throw new SchedulerError(400, 'ValidationException', `Only at(yyyy-mm-ddThh:mm:ss) is supported locally, not ${expression}`);
  if ((body.ScheduleExpressionTimezone ?? 'UTC') !== 'UTC')
    throw new SchedulerError(400, 'ValidationException', 'Only the UTC time zone is supported locally');
  if ((body.FlexibleTimeWindow as { Mode?: string } | undefined)?.Mode === undefined)
    throw new SchedulerError(400, 'ValidationException', 'FlexibleTimeWindow is required');
  const target = body.Target as { Arn?: string; RoleArn?: string; Input?: string };
  if (!target?.Arn || !target.RoleArn) throw new SchedulerError(400, 'ValidationException', 'Target.Arn and Target.RoleArn are required');
  return {
    name,
    groupName,
    at: Date.parse(`${at}Z`),
    targetArn: target.Arn,
    roleArn: target.RoleArn,
    input: target.Input ?? '{}',
    deleteAfterCompletion: body.ActionAfterCompletion === 'DELETE',
    state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    createdAt: now,
  };
}

const key = (groupName: string, name: string) => `${groupName}/${name}`;

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SchedulerError(400, 'ValidationException', 'The body is not JSON');
  }
}

function loadState(stateFile: string | undefined): StoredSchedule[] {
  if (!stateFile || !existsSync(stateFile)) return [];
  return JSON.parse(readFileSync(stateFile, 'utf8')) as StoredSchedule[];
}
