import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface JourneyStatusEventsProps {
  stateMachine: IStateMachine;
  /** The function that holds a stopped journey for staff (recordExecutionOutcome). */
  target: IFunction;
  key: IKey;
}

/** The execution statuses after which the workflow could not record the journey's outcome itself. */
export const STOPPED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** How long a delivery may take before SQS offers the event again: at least 6× the function's timeout (10 s), as Lambda advises. */
const REDELIVERY_AFTER = Duration.minutes(2);
/** Deliveries before an event goes to the dead-letter queue: 720 × 2 min, a day of retries. */
const MAX_DELIVERIES = 720;

/**
 * Routes the journey state machine's "Execution Status Change" events for stopped executions to the function that
 * converges the journey's read model, through an SQS queue: EventBridge invokes a Lambda target asynchronously, and a
 * function error (DynamoDB still down) would get Lambda's two async retries and be dropped. From the queue, a delivery
 * that fails is offered again every 2 minutes for a day; then the event goes to a KMS-encrypted dead-letter queue that
 * raises an alarm (Monitoring). EventBridge's own delivery to the queue has its retry policy and the same dead-letter
 * queue. So an event is never dropped silently.
 */
export class JourneyStatusEvents extends Construct {
  readonly rule: events.Rule;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JourneyStatusEventsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue = 'This queue is itself the dead-letter queue of the status-change events; its depth raises an alarm.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue },
    );
    this.queue = new sqs.Queue(this, 'Events', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: REDELIVERY_AFTER,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_DELIVERIES },
    });
    this.rule = new events.Rule(this, 'StoppedExecutions', {
      description: 'PatientJourney executions that failed, timed out or were aborted: hold the journey for staff',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...STOPPED_STATUSES] },
      },
    });
    this.rule.addTarget(
      new targets.SqsQueue(this.queue, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.deadLetterQueue }),
    );
    // One event per invocation: a failure returns exactly that event to the queue.
    props.target.addEventSource(new SqsEventSource(this.queue, { batchSize: 1 }));
    Validations.of(props.target).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "An SQS event source takes no on-failure destination: the queue's redrive policy moves an event that keeps failing to the dead-letter queue.",
    });
    // The SqsQueue target grants EventBridge the use of the queues' key itself (a condition naming this rule cannot be
    // added: the key would depend on the rule, hence on the state machine, which depends on the key).
  }
}
