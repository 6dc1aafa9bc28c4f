import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadJourneyDefinition } from '#local/step-functions/definition.ts';
import { LocalStepFunctions } from '#local/step-functions/service.ts';

const oneTask = (resource: string, extra: Record<string, unknown> = {}) =>
  ({ StartAt: 'Only', States: { Only: { Type: 'Task', Resource: resource, End: true, ...extra } } }) as unknown as StateMachineDefinition;

describe('LocalStepFunctions', () => {
  it('calls nothing more once an execution is stopped during a retry back-off', async () => {
    // prepare
    const sfn = new LocalStepFunctions({
      stateMachineName: 'PatientJourney',
      definition: loadJourneyDefinition(),
      retryDelayMs: 60_000,
      stateOverrides: {
        ScreenIntake: () => ({ outcome: 'NO_RISK' }),
        VerifyEligibility: () => {
          throw Object.assign(new Error('down'), { name: 'ClearinghouseUnavailable' });
        },
      },
    });
    const { executionArn } = sfn.startExecution({ name: 'stop-in-backoff', input: '{"clinicId":"c","journeyId":"j"}' });
    await until(() => sfn.callCount(executionArn, 'VerifyEligibility') === 1);

    // act
    sfn.stopExecution(executionArn);
    const execution = await sfn.awaitExecution(executionArn);
    await new Promise((resolve) => setImmediate(resolve));

    // assess
    expect(execution.status).toBe('ABORTED');
    expect(sfn.callCount(executionArn, 'VerifyEligibility')).toBe(1);
  });

  // The direct DynamoDB integrations and the plain lambda:invoke are refused too: the workflow no longer uses them.
  it.each([
    'arn:aws:states:::sqs:sendMessage',
    'arn:aws:states:::dynamodb:getItem',
    'arn:aws:states:::dynamodb:putItem',
    'arn:aws:states:::lambda:invoke',
  ])('refuses a definition with a resource it does not run: %s', (resource) => {
    // act
    const create = () => new LocalStepFunctions({ stateMachineName: 'X', definition: oneTask(resource) });

    // assess
    expect(create).toThrow(`State Only: the local Step Functions service does not support ${resource} (it runs`);
  });

  it('runs every Task resource of the deployable workflow', () => {
    // act
    const create = () => new LocalStepFunctions({ stateMachineName: 'PatientJourney', definition: loadJourneyDefinition() });

    // assess
    expect(create).not.toThrow();
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
