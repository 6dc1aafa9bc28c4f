import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadJourneyDefinition } from '#local/step-functions/definition.ts';
import { LocalStepFunctions } from '#local/step-functions/service.ts';

const dynamodb = new DynamoDBClient({});

const oneTask = (resource: string, extra: Record<string, unknown> = {}) =>
  ({ StartAt: 'Only', States: { Only: { Type: 'Task', Resource: resource, End: true, ...extra } } }) as unknown as StateMachineDefinition;

describe('LocalStepFunctions', () => {
  it('calls nothing more once an execution is stopped during a retry back-off', async () => {
    // prepare
    const sfn = new LocalStepFunctions({
      stateMachineName: 'PatientJourney',
      definition: loadJourneyDefinition(),
      dynamodb,
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

  it('refuses a definition with a resource it cannot run', () => {
    // act
    const create = () =>
      new LocalStepFunctions({ stateMachineName: 'X', definition: oneTask('arn:aws:states:::sqs:sendMessage'), dynamodb });

    // assess
    expect(create).toThrow(/does not support arn:aws:states:::sqs:sendMessage/);
  });

  it('refuses a JSONata definition instead of running it wrongly', () => {
    // prepare
    const definition = { ...oneTask('arn:aws:states:::dynamodb:getItem'), QueryLanguage: 'JSONata' } as unknown as StateMachineDefinition;

    // act
    const create = () => new LocalStepFunctions({ stateMachineName: 'X', definition, dynamodb, stateOverrides: {} });

    // assess
    expect(create).toThrow(/JSONPath definitions only/);
  });

  it('runs a direct DynamoDB integration against DynamoDB and reports its errors as DynamoDB.<Exception>', async () => {
    // prepare
    const sfn = new LocalStepFunctions({
      stateMachineName: 'X',
      definition: oneTask('arn:aws:states:::dynamodb:getItem', {
        Parameters: { TableName: 'no-such-table', Key: { PK: { S: 'a' }, SK: { S: 'b' } } },
      }),
      dynamodb,
    });

    // act
    const { executionArn } = sfn.startExecution({ name: 'missing-table' });
    const execution = await sfn.awaitExecution(executionArn);

    // assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DynamoDB.ResourceNotFoundException' });
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
