import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { journeyStateMachines, loadJourneyDefinition, localFunctionArn } from '#local/step-functions/definition.ts';
import { LocalStepFunctions } from '#local/step-functions/service.ts';

const oneTask = (resource: string, extra: Record<string, unknown> = {}, name = 'Only') =>
  ({ StartAt: name, States: { [name]: { Type: 'Task', Resource: resource, End: true, ...extra } } }) as unknown as StateMachineDefinition;

const JOURNEY_INPUT = JSON.stringify({ clinicId: 'c', journeyId: 'j', resume: { action: 'START' } });

describe('LocalStepFunctions', () => {
  it('calls nothing more once an execution is stopped during a retry back-off inside its nested run', async () => {
    // prepare
    let holds = 0;
    const sfn = new LocalStepFunctions({
      stateMachineName: 'PatientJourney',
      ...journeyStateMachines(),
      retryDelayMs: 60_000,
      stateOverrides: {
        ScreenIntake: () => ({ outcome: 'NO_RISK' }),
        VerifyEligibility: () => {
          throw Object.assign(new Error('down'), { name: 'ClearinghouseUnavailable' });
        },
        HoldForStaff: () => {
          holds += 1;
          return { taskId: 'st-1' };
        },
      },
    });
    const { executionArn } = sfn.startExecution({ name: 'stop-in-backoff', input: JOURNEY_INPUT });
    await until(() => sfn.callCount(executionArn, 'VerifyEligibility') === 1);

    // act
    sfn.stopExecution(executionArn);
    const execution = await sfn.awaitExecution(executionArn);
    await new Promise((resolve) => setImmediate(resolve));

    // assess
    expect(execution.status).toBe('ABORTED');
    expect(sfn.callCount(executionArn, 'VerifyEligibility')).toBe(1);
    // The aborted nested run is not a stop for staff: RunStages' Catch does not hold it.
    expect(holds).toBe(0);
    expect(sfn.enteredStates(executionArn)).not.toContain('HoldForStaff');
  });

  // The direct DynamoDB integrations and the plain lambda:invoke are refused too: the workflow no longer uses them.
  it.each([
    'arn:aws:states:::sqs:sendMessage',
    'arn:aws:states:::dynamodb:getItem',
    'arn:aws:states:::dynamodb:putItem',
    'arn:aws:states:::lambda:invoke',
    // Only the .sync:2 start of a nested state machine runs: not the fire-and-forget start, nor .sync (v1).
    'arn:aws:states:::states:startExecution',
    'arn:aws:states:::states:startExecution.sync',
  ])('refuses a definition with a resource it does not run: %s', (resource) => {
    // act
    const create = () => new LocalStepFunctions({ stateMachineName: 'X', definition: oneTask(resource) });

    // assess
    expect(create).toThrow(`State Only: the local Step Functions service does not support ${resource} (it runs`);
  });

  it('runs every Task resource of the deployable workflows (PatientJourney, with JourneyStages nested)', () => {
    // act
    const create = () => new LocalStepFunctions({ stateMachineName: 'PatientJourney', ...journeyStateMachines() });

    // assess
    expect(create).not.toThrow();
  });

  it('refuses a resource it does not run in a nested state machine too', () => {
    // prepare
    const { definition } = journeyStateMachines();

    // act
    const create = () =>
      new LocalStepFunctions({
        stateMachineName: 'PatientJourney',
        definition,
        nested: { JourneyStages: oneTask('arn:aws:states:::dynamodb:getItem') },
      });

    // assess
    expect(create).toThrow('State Only: the local Step Functions service does not support arn:aws:states:::dynamodb:getItem');
  });

  it('refuses a nested state machine whose Task state names repeat the parent’s (overrides and history go by name)', () => {
    // prepare
    const definition = oneTask(localFunctionArn('verifyEligibility'), {}, 'Check');

    // act
    const create = () =>
      new LocalStepFunctions({
        stateMachineName: 'X',
        definition,
        nested: { Inner: oneTask(localFunctionArn('verifyEligibility'), {}, 'Check') },
      });

    // assess
    expect(create).toThrow('A Task state name is used by two state machines');
  });

  it('refuses an override for a state neither machine has, and takes one for a nested Task state', () => {
    // act
    const unknown = () =>
      new LocalStepFunctions({
        stateMachineName: 'PatientJourney',
        ...journeyStateMachines(),
        stateOverrides: { ParkEligibilityForStaff: () => ({}) },
      });
    const nested = () =>
      new LocalStepFunctions({
        stateMachineName: 'PatientJourney',
        ...journeyStateMachines(),
        stateOverrides: { VerifyEligibility: () => ({}) },
      });

    // assess
    expect(unknown).toThrow('stateOverrides: no Task state named ParkEligibilityForStaff');
    expect(nested).not.toThrow();
  });

  it('fails RunStages with StateMachineDoesNotExist when the nested machine is not there, and its Catch holds the journey', async () => {
    // prepare: PatientJourney alone, without JourneyStages
    const holds: unknown[] = [];
    const sfn = new LocalStepFunctions({
      stateMachineName: 'PatientJourney',
      definition: loadJourneyDefinition(),
      retryDelayMs: 0,
      stateOverrides: {
        HoldForStaff: (parameters) => {
          holds.push((parameters as { Payload: { stopped: unknown } }).Payload.stopped);
          return { taskId: 'st-1' };
        },
      },
    });
    const { executionArn } = sfn.startExecution({ name: 'no-nested', input: JOURNEY_INPUT });

    // act
    await sfn.awaitTaskToken(executionArn, 'HoldForStaff');
    sfn.stopExecution(executionArn);
    await sfn.awaitExecution(executionArn);

    // assess
    expect(holds).toEqual([{ Error: 'StepFunctions.StateMachineDoesNotExistException', Cause: expect.stringContaining('JourneyStages') }]);
    expect(sfn.enteredStates(executionArn)).toEqual(['RunStages', 'HoldForStaff']);
  });

  it('refuses JSONata in a nested state machine', () => {
    // prepare
    const nested = { ...oneTask(localFunctionArn('verifyEligibility')), QueryLanguage: 'JSONata' } as unknown as StateMachineDefinition;

    // act
    const create = () =>
      new LocalStepFunctions({ stateMachineName: 'PatientJourney', definition: loadJourneyDefinition(), nested: { Inner: nested } });

    // assess
    expect(create).toThrow(/JSONPath definitions only/);
  });

  it('refuses a JSONata definition instead of running it wrongly', () => {
    // prepare
    const definition = {
      ...oneTask('arn:aws:states:::lambda:invoke.waitForTaskToken'),
      QueryLanguage: 'JSONata',
    } as unknown as StateMachineDefinition;

    // act
    const create = () => new LocalStepFunctions({ stateMachineName: 'X', definition, stateOverrides: {} });

    // assess
    expect(create).toThrow(/JSONPath definitions only/);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
