import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { journeyStateMachines, localFunctionArn } from '#local/step-functions/definition.ts';
import {
  type ExecutionStatusChangeEvent,
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
  type StateOverride,
} from '#local/step-functions/service.ts';

/** One Lambda task, no Retry, no Catch. */
const ONE_TASK = {
  StartAt: 'Check',
  States: { Check: { Type: 'Task', Resource: localFunctionArn('verifyEligibility'), End: true } },
} as unknown as StateMachineDefinition;

const succeeds: StateOverride = () => ({ outcome: 'ACTIVE' });
const fails: StateOverride = () => {
  throw Object.assign(new Error('the clearinghouse refused the request'), { name: 'CoverageLookupFailed' });
};

const services: LocalStepFunctions[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function service(check: StateOverride, options: Partial<LocalStepFunctionsOptions>): LocalStepFunctions {
  const sfn = new LocalStepFunctions({
    stateMachineName: 'Events',
    definition: ONE_TASK,
    stateOverrides: { Check: check },
    retryDelayMs: 0,
    ...options,
  });
  services.push(sfn);
  return sfn;
}

const statuses = (events: readonly ExecutionStatusChangeEvent[]) => events.map((e) => e.detail.status);

describe('LocalStepFunctions: Step Functions Execution Status Change events', () => {
  it('sends RUNNING on start, then FAILED with the error and cause, in the EventBridge shape', async () => {
    // prepare
    const received: ExecutionStatusChangeEvent[] = [];
    const sfn = service(fails, { onStatusChange: async (event) => void received.push(event) });

    // act
    const { executionArn } = sfn.startExecution({ name: 'fails', input: '{"journeyId":"j"}' });
    const execution = await sfn.awaitExecution(executionArn);
    await sfn.awaitEventsDelivered();

    // assess
    expect(statuses(received)).toEqual(['RUNNING', 'FAILED']);
    const envelope = {
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [executionArn],
    };
    const common = {
      executionArn,
      stateMachineArn: sfn.stateMachineArn,
      name: 'fails',
      startDate: execution.startDate.getTime(),
      input: '{"journeyId":"j"}',
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      redriveCount: 0,
    };
    expect(received[0]).toEqual({
      ...envelope,
      detail: {
        ...common,
        status: 'RUNNING',
        stopDate: null,
        error: null,
        cause: null,
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
      },
    });
    expect(received[1]).toEqual({
      ...envelope,
      detail: {
        ...common,
        status: 'FAILED',
        stopDate: execution.stopDate?.getTime(),
        error: 'CoverageLookupFailed',
        cause: 'the clearinghouse refused the request',
        redriveStatus: 'REDRIVABLE',
        redriveStatusReason: null,
      },
    });
    expect(received[0]?.id).not.toBe(received[1]?.id);
  });

  it('sends events for PatientJourney only: its nested JourneyStages runs (EXPRESS) send none, even when one fails', async () => {
    // prepare: eligibility stops the first run (it fails with JourneyNeedsStaff), staff proceed, the second run completes
    const received: ExecutionStatusChangeEvent[] = [];
    const sfn = new LocalStepFunctions({
      stateMachineName: 'PatientJourney',
      ...journeyStateMachines(),
      retryDelayMs: 0,
      onStatusChange: async (event) => void received.push(event),
      stateOverrides: {
        ScreenIntake: () => ({ outcome: 'NO_RISK' }),
        VerifyEligibility: () => ({ outcome: 'INACTIVE' }),
        BookAppointment: () => ({ outcome: 'BOOKED', appointmentId: 'a-1' }),
        CollectPayment: () => ({ outcome: 'PAID' }),
        SendConfirmation: () => ({ outcome: 'SENT' }),
        HoldForStaff: () => ({ taskId: 'st-1' }),
        CompleteJourney: () => null,
      },
    });
    services.push(sfn);
    const { executionArn } = sfn.startExecution({ name: 'nested', input: '{"clinicId":"c","journeyId":"j","resume":{"action":"START"}}' });
    sfn.sendTaskSuccess(
      await sfn.awaitTaskToken(executionArn, 'HoldForStaff'),
      '{"action":"PROCEED","checkpoint":"EligibilityNeedsStaff"}',
    );

    // act
    const execution = await sfn.awaitExecution(executionArn);
    await sfn.awaitEventsDelivered();

    // assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(received.map((e) => [e.detail.executionArn, e.detail.status])).toEqual([
      [executionArn, 'RUNNING'],
      [executionArn, 'SUCCEEDED'],
    ]);
    expect(sfn.listExecutions().map((e) => e.executionArn)).toEqual([executionArn]);
  });

  it('sends RUNNING again when an execution is redriven, with its redrive count', async () => {
    // prepare
    const received: ExecutionStatusChangeEvent[] = [];
    const sfn = service(fails, { onStatusChange: async (event) => void received.push(event) });
    const { executionArn } = sfn.startExecution({ name: 'redriven' });
    await sfn.awaitExecution(executionArn);

    // act
    sfn.redriveExecution(executionArn);
    await vi.waitFor(() => expect(received).toHaveLength(4));
    await sfn.awaitEventsDelivered();

    // assess
    expect(received.map((e) => [e.detail.status, e.detail.redriveCount, e.detail.stopDate === null])).toEqual([
      ['RUNNING', 0, true],
      ['FAILED', 0, false],
      ['RUNNING', 1, true],
      ['FAILED', 1, false],
    ]);
  });

  it('retries a delivery the target rejects, until it takes the event', async () => {
    // prepare
    const attempts = new Map<string, number>();
    const delivered: ExecutionStatusChangeEvent[] = [];
    const sfn = service(succeeds, {
      onStatusChange: async (event) => {
        const attempt = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, attempt);
        if (attempt <= 2) throw new Error(`target unavailable (attempt ${attempt})`);
        delivered.push(event);
      },
    });

    // act
    const { executionArn } = sfn.startExecution({ name: 'retried' });
    await sfn.awaitExecution(executionArn);
    await sfn.awaitEventsDelivered();

    // assess
    expect(statuses(delivered).sort()).toEqual(['RUNNING', 'SUCCEEDED']);
    expect([...attempts.values()]).toEqual([3, 3]);
    expect(sfn.deadLetters()).toEqual([]);
  });

  it('dead-letters an event once its retries run out', async () => {
    // prepare
    let attempts = 0;
    const sfn = service(succeeds, {
      statusChangeRetryPolicy: { maximumRetryAttempts: 2 },
      onStatusChange: async () => {
        attempts += 1;
        throw Object.assign(new Error('the function is broken'), { name: 'Runtime.HandlerNotFound' });
      },
    });

    // act
    const { executionArn } = sfn.startExecution({ name: 'dead-lettered' });
    await sfn.awaitExecution(executionArn);
    await sfn.awaitEventsDelivered();

    // assess
    const dead = sfn.deadLetters();
    expect(dead.map((d) => d.event.detail.status).sort()).toEqual(['RUNNING', 'SUCCEEDED']);
    for (const letter of dead) {
      expect(letter).toMatchObject({ attempts: 3, error: 'Runtime.HandlerNotFound: the function is broken' });
      expect(letter.event.detail.executionArn).toBe(executionArn);
    }
    expect(attempts).toBe(6);
  });

  it('redelivers after a restart the events a stopped process could not deliver, and only those', async () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'sfn-events-'));
    dirs.push(dir);
    const attempted: ExecutionStatusChangeEvent[] = [];
    const first = service(succeeds, {
      persistDir: dir,
      retryDelayMs: 60_000,
      onStatusChange: async (event) => {
        attempted.push(event);
        throw new Error('the read model is down');
      },
    });
    await first.resume();
    const { executionArn } = first.startExecution({ name: 'undelivered' });
    await first.awaitExecution(executionArn);
    await vi.waitFor(() => expect(attempted).toHaveLength(2));
    await first.stop();
    const received: ExecutionStatusChangeEvent[] = [];
    const accept = async (event: ExecutionStatusChangeEvent) => void received.push(event);

    // act
    const second = service(succeeds, { persistDir: dir, onStatusChange: accept });
    const beforeResume = received.length;
    await second.resume();
    await second.awaitEventsDelivered();
    await second.stop();
    const third = service(succeeds, { persistDir: dir, onStatusChange: accept });
    await third.resume();
    await third.awaitEventsDelivered();

    // assess
    expect(beforeResume).toBe(0);
    expect(received.map((e) => e.id).sort()).toEqual(attempted.map((e) => e.id).sort());
    expect(statuses(received).sort()).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(third.describeExecution(executionArn).status).toBe('SUCCEEDED');
  });
});
