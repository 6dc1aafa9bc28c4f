import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { journeyStateMachines, localFunctionArn } from '#local/step-functions/definition.ts';
import { LocalStepFunctions, type LocalStepFunctionsOptions, type StateOverride } from '#local/step-functions/service.ts';

/** Prepare (Pass) → Park (.waitForTaskToken, the token in the Payload) → Finish (Lambda). */
const PARK_DEFINITION = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { ready: true }, ResultPath: '$.prepared', Next: 'Park' },
    Park: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: localFunctionArn('parkForStaff'), Payload: { 'taskToken.$': '$$.Task.Token', 'id.$': '$.id' } },
      ResultPath: '$.decision',
      Next: 'Finish',
    },
    Finish: { Type: 'Task', Resource: localFunctionArn('finishJourney'), ResultPath: '$.finished', End: true },
  },
} as unknown as StateMachineDefinition;

/** One Lambda task that retries ClearinghouseUnavailable. */
const RETRY_DEFINITION = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Task',
      Resource: localFunctionArn('verifyEligibility'),
      Retry: [{ ErrorEquals: ['ClearinghouseUnavailable'], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2 }],
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

let dir: string;
const services: LocalStepFunctions[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfn-persist-'));
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.suspend();
  rmSync(dir, { recursive: true, force: true });
});

/** A service on the test's directory, as a (re)started process would create it. */
async function boot(
  definition: StateMachineDefinition,
  stateOverrides: Record<string, StateOverride>,
  extra: Partial<LocalStepFunctionsOptions> = {},
): Promise<LocalStepFunctions> {
  const sfn = new LocalStepFunctions({ stateMachineName: 'Persisted', definition, stateOverrides, persistDir: dir, ...extra });
  services.push(sfn);
  await sfn.resume();
  return sfn;
}

function parkOverrides(invocations: { count: number }): Record<string, StateOverride> {
  return {
    Park: () => {
      invocations.count += 1;
      return { StatusCode: 202 };
    },
    Finish: () => ({ done: true }),
  };
}

/** The journey's machines on the test's directory, every Lambda task answered here; `calls` counts invocations by state. */
async function bootJourney(
  calls: Record<string, number>,
  verify: StateOverride,
  extra: Partial<LocalStepFunctionsOptions> = {},
): Promise<LocalStepFunctions> {
  const answer =
    (state: string, result: unknown): StateOverride =>
    () => {
      calls[state] = (calls[state] ?? 0) + 1;
      return result;
    };
  const sfn = new LocalStepFunctions({
    stateMachineName: 'PatientJourney',
    ...journeyStateMachines(),
    persistDir: dir,
    stateOverrides: {
      ScreenIntake: answer('ScreenIntake', { outcome: 'NO_RISK' }),
      VerifyEligibility: (parameters, context) => {
        calls.VerifyEligibility = (calls.VerifyEligibility ?? 0) + 1;
        return verify(parameters, context);
      },
      BookAppointment: answer('BookAppointment', { outcome: 'BOOKED', appointmentId: 'a-1' }),
      CollectPayment: answer('CollectPayment', { outcome: 'PAID' }),
      DeferPayment: answer('DeferPayment', { outcome: 'DEFERRED' }),
      SendConfirmation: answer('SendConfirmation', { outcome: 'SENT' }),
      SendPaymentRequest: answer('SendPaymentRequest', { outcome: 'SENT' }),
      HoldForStaff: answer('HoldForStaff', { taskId: 'st-1' }),
      CompleteJourney: answer('CompleteJourney', null),
      CancelJourney: answer('CancelJourney', null),
    },
    ...extra,
  });
  services.push(sfn);
  await sfn.resume();
  return sfn;
}

const JOURNEY_INPUT = JSON.stringify({ clinicId: 'c', journeyId: 'j', resume: { action: 'START' } });
const BOOKED_TO_END = [
  'BookAppointment',
  'IsAppointmentBooked',
  'CollectPayment',
  'SendConfirmation',
  'IsPaymentOutstanding',
  'CompleteJourney',
];
const HELD_AT_ELIGIBILITY = [
  'RunStages',
  'InitialiseJourney',
  'Resume',
  'ScreenIntake',
  'IsIntakeSettled',
  'VerifyEligibility',
  'IsCoverageActive',
  'EligibilityNeedsStaff',
  'DescribeStop',
  'StopForStaff',
  'HoldForStaff',
];

function storedFile(): Record<string, unknown> {
  const files = readdirSync(join(dir, 'PatientJourney'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, 'PatientJourney', files[0] as string), 'utf8'));
}

function errorOf(call: () => unknown): Error | undefined {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

describe('LocalStepFunctions with persistDir: executions outlive the process', () => {
  it('resumes a task waiting for its token in the next process, without invoking its function again', async () => {
    // prepare
    const invocations = { count: 0 };
    const first = await boot(PARK_DEFINITION, parkOverrides(invocations));
    const { executionArn } = first.startExecution({ name: 'parked', input: '{"id":"j-1"}' });
    const token = await first.awaitTaskToken(executionArn, 'Park');
    await first.suspend();

    // act
    const second = await boot(PARK_DEFINITION, parkOverrides(invocations));
    second.sendTaskSuccess(token, '{"action":"PROCEED"}');
    const execution = await second.awaitExecution(executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? 'null')).toEqual({
      id: 'j-1',
      prepared: { ready: true },
      decision: { action: 'PROCEED' },
      finished: { done: true },
    });
    expect(invocations.count).toBe(1);
    expect(second.callCount(executionArn, 'Park')).toBe(1);
    expect(second.enteredStates(executionArn)).toEqual(['Prepare', 'Park', 'Finish']);
    const types = second.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'TaskStateEntered')).toHaveLength(2);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });

  it('leaves a suspended execution RUNNING on disk, waiting on its token', async () => {
    // prepare
    const first = await boot(PARK_DEFINITION, parkOverrides({ count: 0 }));
    const { executionArn } = first.startExecution({ name: 'on-disk', input: '{"id":"j-2"}' });
    const token = await first.awaitTaskToken(executionArn, 'Park');

    // act
    await first.stop();

    // assess
    const files = readdirSync(join(dir, 'Persisted'));
    expect(files).toHaveLength(1);
    const stored = JSON.parse(readFileSync(join(dir, 'Persisted', files[0] as string), 'utf8'));
    expect(stored).toMatchObject({
      executionArn,
      status: 'RUNNING',
      resumePoint: { stateName: 'Park', input: { id: 'j-2', prepared: { ready: true } }, taskToken: token },
    });
    expect(stored.stopDate).toBeUndefined();
  });

  it('resumes an execution suspended in a retry back-off, and the aborted run calls nothing more', async () => {
    // prepare
    let healthy = false;
    let calls = 0;
    const check: StateOverride = () => {
      calls += 1;
      if (!healthy) throw Object.assign(new Error('clearinghouse down'), { name: 'ClearinghouseUnavailable' });
      return { outcome: 'ACTIVE' };
    };
    const first = await boot(RETRY_DEFINITION, { Check: check }, { retryDelayMs: 60_000 });
    const { executionArn } = first.startExecution({ name: 'backing-off' });
    await vi.waitFor(() => expect(first.getExecutionHistory(executionArn).map((e) => e.type)).toContain('LambdaFunctionFailed'));
    await first.suspend();
    healthy = true;

    // act
    const second = await boot(RETRY_DEFINITION, { Check: check }, { retryDelayMs: 0 });
    const execution = await second.awaitExecution(executionArn);
    await new Promise((resolve) => setImmediate(resolve));

    // assess
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: '{"outcome":"ACTIVE"}' });
    expect(calls).toBe(2);
    expect(second.callCount(executionArn, 'Check')).toBe(2);
    const types = second.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it("keeps names taken after a restart: a closed execution's name conflicts, a running one's name and input return it", async () => {
    // prepare
    const first = await boot(PARK_DEFINITION, parkOverrides({ count: 0 }));
    const closed = first.startExecution({ name: 'closed', input: '{"id":"c"}' });
    first.sendTaskSuccess(await first.awaitTaskToken(closed.executionArn), '{}');
    const closedBefore = await first.awaitExecution(closed.executionArn);
    const running = first.startExecution({ name: 'running', input: '{"id":"r"}' });
    await first.awaitTaskToken(running.executionArn);
    await first.stop();

    // act
    const second = await boot(PARK_DEFINITION, parkOverrides({ count: 0 }));
    const closedAgain = errorOf(() => second.startExecution({ name: 'closed', input: '{"id":"c"}' }));
    const runningAgain = second.startExecution({ name: 'running', input: '{"id":"r"}' });
    const runningOtherInput = errorOf(() => second.startExecution({ name: 'running', input: '{"id":"other"}' }));

    // assess
    expect(closedAgain?.name).toBe('ExecutionAlreadyExists');
    expect(runningAgain).toEqual(running);
    expect(runningOtherInput?.name).toBe('ExecutionAlreadyExists');
    expect(second.describeExecution(closed.executionArn)).toEqual(closedBefore);
    expect(second.listExecutions().map((e) => [e.name, e.status])).toEqual([
      ['running', 'RUNNING'],
      ['closed', 'SUCCEEDED'],
    ]);
  });

  it('answers TaskTimedOut after a restart for a token answered before it, and TaskDoesNotExist for an unknown one', async () => {
    // prepare
    const first = await boot(PARK_DEFINITION, parkOverrides({ count: 0 }));
    const { executionArn } = first.startExecution({ name: 'answered', input: '{"id":"a"}' });
    const token = await first.awaitTaskToken(executionArn);
    first.sendTaskSuccess(token, '{}');
    await first.awaitExecution(executionArn);
    await first.suspend();

    // act
    const second = await boot(PARK_DEFINITION, parkOverrides({ count: 0 }));
    const stale = errorOf(() => second.sendTaskSuccess(token, '{}'));
    const unknown = errorOf(() => second.sendTaskSuccess(`AQ${'x'.repeat(64)}`, '{}'));

    // assess
    expect(stale?.name).toBe('TaskTimedOut');
    expect(unknown?.name).toBe('TaskDoesNotExist');
  });
});

describe('LocalStepFunctions with persistDir: PatientJourney and its nested JourneyStages outlive the process', () => {
  const inactive: StateOverride = () => ({ outcome: 'INACTIVE' });

  it('keeps a journey held in HoldForStaff waiting for the same token, and the decision runs the stages from its checkpoint', async () => {
    // prepare
    const calls: Record<string, number> = {};
    const first = await bootJourney(calls, inactive, { retryDelayMs: 0 });
    const { executionArn } = first.startExecution({ name: 'held', input: JOURNEY_INPUT });
    const token = await first.awaitTaskToken(executionArn, 'HoldForStaff');
    await first.suspend();
    const stored = storedFile();

    // act
    const second = await bootJourney(calls, () => ({ outcome: 'ACTIVE' }), { retryDelayMs: 0 });
    second.sendTaskSuccess(token, JSON.stringify({ action: 'PROCEED', checkpoint: 'EligibilityNeedsStaff' }));
    const execution = await second.awaitExecution(executionArn);

    // assess
    expect(stored).toMatchObject({ status: 'RUNNING', resumePoint: { stateName: 'HoldForStaff', taskToken: token } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toMatchObject({ ScreenIntake: 1, VerifyEligibility: 1, HoldForStaff: 1, BookAppointment: 1, CompleteJourney: 1 });
    expect(second.callCount(executionArn, 'HoldForStaff')).toBe(1);
    expect(second.callCount(executionArn, 'VerifyEligibility')).toBe(1);
    expect(second.enteredStates(executionArn)).toEqual([
      ...HELD_AT_ELIGIBILITY,
      'RunStages',
      'InitialiseJourney',
      'Resume',
      'EligibilityStaffDecision',
      ...BOOKED_TO_END,
    ]);
    const types = second.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });

  it("runs the nested run again from the parent's $.resume when the process stopped during it: the staff decision, not the start", async () => {
    // prepare: held at eligibility, staff RETRY, and the run of that decision backs off a clearinghouse that is down
    const calls: Record<string, number> = {};
    let verifications = 0;
    let healthy = false;
    const verify: StateOverride = () => {
      verifications += 1;
      if (verifications === 1) return { outcome: 'INACTIVE' };
      if (!healthy) throw Object.assign(new Error('clearinghouse down'), { name: 'ClearinghouseUnavailable' });
      return { outcome: 'ACTIVE' };
    };
    const first = await bootJourney(calls, verify, { retryDelayMs: 60_000 });
    const { executionArn } = first.startExecution({ name: 'resumed-in-run', input: JOURNEY_INPUT });
    const token = await first.awaitTaskToken(executionArn, 'HoldForStaff');
    first.sendTaskSuccess(token, JSON.stringify({ action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' }));
    await vi.waitFor(() => expect(first.callCount(executionArn, 'VerifyEligibility')).toBe(2));
    await first.suspend();
    const stored = storedFile();
    healthy = true;

    // act
    const second = await bootJourney(calls, verify, { retryDelayMs: 0 });
    const execution = await second.awaitExecution(executionArn);
    await new Promise((resolve) => setImmediate(resolve));

    // assess
    expect(stored).toMatchObject({
      status: 'RUNNING',
      resumePoint: {
        stateName: 'RunStages',
        input: { clinicId: 'c', journeyId: 'j', resume: { action: 'RETRY', checkpoint: 'EligibilityNeedsStaff' } },
      },
    });
    expect((stored.resumePoint as { taskToken?: string }).taskToken).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    // The first process's back-off ends with it; the resumed run starts at the decision: no second screening, no hold.
    expect(calls).toMatchObject({ ScreenIntake: 1, VerifyEligibility: 3, HoldForStaff: 1, CompleteJourney: 1 });
    expect(second.callCount(executionArn, 'VerifyEligibility')).toBe(3);
    expect(second.enteredStates(executionArn)).toEqual([
      ...HELD_AT_ELIGIBILITY,
      'RunStages',
      'InitialiseJourney',
      'Resume',
      'EligibilityStaffDecision',
      'VerifyEligibility',
      'IsCoverageActive',
      ...BOOKED_TO_END,
    ]);
  });

  it('runs the first nested run again from the start when the process stopped during it (its stages run again)', async () => {
    // prepare
    const calls: Record<string, number> = {};
    let healthy = false;
    const verify: StateOverride = () => {
      if (!healthy) throw Object.assign(new Error('clearinghouse down'), { name: 'ClearinghouseUnavailable' });
      return { outcome: 'ACTIVE' };
    };
    const first = await bootJourney(calls, verify, { retryDelayMs: 60_000 });
    const { executionArn } = first.startExecution({ name: 'resumed-at-start', input: JOURNEY_INPUT });
    await vi.waitFor(() => expect(first.callCount(executionArn, 'VerifyEligibility')).toBe(1));
    await first.suspend();
    healthy = true;

    // act
    const second = await bootJourney(calls, verify, { retryDelayMs: 0 });
    const execution = await second.awaitExecution(executionArn);

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toMatchObject({ ScreenIntake: 2, VerifyEligibility: 2 });
    expect(calls.HoldForStaff).toBeUndefined();
    expect(second.enteredStates(executionArn)).toEqual([
      'RunStages',
      'InitialiseJourney',
      'Resume',
      'ScreenIntake',
      'IsIntakeSettled',
      'VerifyEligibility',
      'IsCoverageActive',
      ...BOOKED_TO_END,
    ]);
    expect(second.getExecutionHistory(executionArn).filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
  });
});
