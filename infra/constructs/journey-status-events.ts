import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
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

/**
 * Routes the journey state machine's "Execution Status Change" events for stopped executions to the function that
 * converges the journey's read model. EventBridge retries a failed delivery for up to 24 hours (185 attempts, with
 * back-off), then parks the event in a KMS-encrypted dead-letter queue that raises an alarm (Monitoring), so an
 * event is never dropped silently.
 */
export class JourneyStatusEvents extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JourneyStatusEventsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue = 'This queue is itself the dead-letter queue of the status-change rule; its depth raises an alarm.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue },
    );
    this.rule = new events.Rule(this, 'StoppedExecutions', {
      description: 'PatientJourney executions that failed, timed out or were aborted: hold the journey for staff',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...STOPPED_STATUSES] },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(props.target, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    // EventBridge must be able to write the encrypted dead-letter queue.
    props.key.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
