import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#contract/function-catalog.ts';
import { synthStack } from './synth-stack.ts';

const { stack, template } = synthStack();
const events = stack.journeyStatusEvents;
const queueArn = stack.resolve(events.queue.queueArn);
const deadLetterArn = stack.resolve(events.deadLetterQueue.queueArn);
const keyArn = stack.resolve(stack.data.key.keyArn);

describe('Construct: JourneyStatusEvents', () => {
  it('sends the stopped executions of the journey state machine to the queue, not straight to a function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [stack.resolve(stack.workflow.stateMachine.stateMachineArn)],
        },
      },
      Targets: [Match.objectLike({ Arn: queueArn, DeadLetterConfig: { Arn: deadLetterArn }, RetryPolicy: { MaximumRetryAttempts: 185 } })],
    });
    const lambdaTargets = Object.values(template.findResources('AWS::Events::Rule')).flatMap((rule) =>
      ((rule.Properties.Targets ?? []) as Array<{ Arn: unknown }>).filter((t) => JSON.stringify(t.Arn).includes('Lambda')),
    );
    expect(lambdaTargets).toEqual([]);
  });

  it('offers a failed delivery again for a day, then dead-letters it; both queues encrypted with the data key', () => {
    const queue = template.toJSON().Resources[stack.resolve(events.queue.queueName)['Fn::GetAtt'][0]].Properties;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: 720 });
    // Retries cover a day: redelivery interval × deliveries.
    expect(queue.VisibilityTimeout * queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(24 * 3600);
    // Lambda's advice for an SQS source: at least 6× the function's timeout, so a slow run is not delivered twice.
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * FUNCTIONS.recordExecutionOutcome.timeoutSeconds);
    for (const q of [events.queue, events.deadLetterQueue]) {
      const id = stack.resolve(q.queueName)['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[id].Properties.KmsMasterKeyId).toEqual(keyArn);
    }
  });

  it('feeds recordExecutionOutcome one event per invocation from the queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn,
      FunctionName: stack.resolve(stack.functions.byName.recordExecutionOutcome.functionName),
      BatchSize: 1,
    });
  });

  it('lets EventBridge write the encrypted queues (the key grants events.amazonaws.com data keys)', () => {
    const statements = template.toJSON().Resources[stack.resolve(stack.data.key.keyId).Ref].Properties.KeyPolicy.Statement as Array<{
      Principal?: { Service?: string };
      Action: string[];
    }>;
    const forEvents = statements.filter((s) => s.Principal?.Service === 'events.amazonaws.com').flatMap((s) => s.Action);
    expect(forEvents).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
  });
});
