import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, type Function as LambdaFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { APPOINTMENT_EVENT_RULES, APPOINTMENT_STREAM_DELIVERY, APPOINTMENT_STREAM_FILTER } from '#contract/appointment-events.ts';
import type { EventFilterPattern } from '#contract/audit-archive.ts';
import { ENV, type FunctionName } from '#contract/function-catalog.ts';

export interface AppointmentEventsProps {
  table: ITable;
  key: IKey;
  /** publishAppointmentEvents (catalog trigger `appointmentStream`). */
  publisher: LambdaFunction;
  /** The functions the rules name (catalog trigger `appointmentEvent`). */
  functions: Record<FunctionName, LambdaFunction>;
}

/** How long a delivery may take before SQS offers the event again: at least 6× the consumer's timeout (30 s). */
const REDELIVERY_AFTER = Duration.minutes(3);
/** Deliveries before an event goes to the dead-letter queue: 480 × 3 min, a day of retries. */
const MAX_DELIVERIES = 480;

/**
 * Appointment events (contract/appointment-events.ts): the table's stream, filtered to appointment writes, feeds
 * publishAppointmentEvents, which puts one AppointmentChanged event per change on the stack's KMS-encrypted event bus;
 * each rule routes its events to its function through an SQS queue (a function error gets SQS's redeliveries for a
 * day, not Lambda's two async retries), and what still fails goes to one KMS-encrypted dead-letter queue whose depth
 * raises an alarm (Monitoring), as does the stream mapping's on-failure destination.
 */
export class AppointmentEvents extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AppointmentEventsProps) {
    super(scope, id);
    const { table, key, publisher } = props;
    const stack = Stack.of(this);
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error('Appointment events need the table to have a stream (contract/table-schema.ts)');

    this.bus = new events.EventBus(this, 'Bus', { kmsKey: key, description: 'Patient Access domain events (IDs and codes only)' });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue = 'This queue is itself the dead-letter queue of the appointment events; its depth raises an alarm.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue },
    );

    // The publisher: the stream's records (never the table's items), the bus, and the dead-letter queue for a batch
    // that keeps failing (its position in the stream only).
    publisher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [streamArn],
      }),
    );
    publisher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      }),
    );
    this.bus.grantPutEventsTo(publisher);
    publisher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': [`events.${stack.region}.amazonaws.com`, `sqs.${stack.region}.amazonaws.com`] } },
      }),
    );
    publisher.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    publisher.addEnvironment(ENV.eventBusName, this.bus.eventBusName);
    publisher.addEventSourceMapping('AppointmentWrites', {
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: APPOINTMENT_STREAM_DELIVERY.batchSize,
      maxBatchingWindow: Duration.seconds(APPOINTMENT_STREAM_DELIVERY.maxBatchingWindowSeconds),
      retryAttempts: APPOINTMENT_STREAM_DELIVERY.retryAttempts,
      bisectBatchOnError: APPOINTMENT_STREAM_DELIVERY.bisectBatchOnError,
      maxRecordAge: Duration.hours(APPOINTMENT_STREAM_DELIVERY.maxRecordAgeHours),
      reportBatchItemFailures: true,
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
      filters: [FilterCriteria.filter(APPOINTMENT_STREAM_FILTER as unknown as Record<string, unknown>)],
    });

    for (const spec of APPOINTMENT_EVENT_RULES) {
      const queue = new sqs.Queue(this, `${spec.name}Queue`, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: key,
        enforceSSL: true,
        visibilityTimeout: REDELIVERY_AFTER,
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_DELIVERIES },
      });
      const rule = new events.Rule(this, spec.name, { eventBus: this.bus, eventPattern: eventPatternOf(spec.pattern) });
      rule.addTarget(
        new targets.SqsQueue(queue, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.deadLetterQueue }),
      );
      const target = props.functions[spec.target];
      // One event per invocation: a failure returns exactly that event to the queue.
      target.addEventSource(new SqsEventSource(queue, { batchSize: 1 }));
      Validations.of(target).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "An SQS event source takes no on-failure destination: the queue's redrive policy moves an event that keeps failing to the dead-letter queue.",
      });
    }
  }
}

/** A contract pattern (`source`, `detail-type`, `detail`) as CDK's EventPattern. */
function eventPatternOf(pattern: EventFilterPattern): events.EventPattern {
  const {
    source,
    'detail-type': detailType,
    detail,
  } = pattern as { source?: string[]; 'detail-type'?: string[]; detail?: Record<string, unknown> };
  return { ...(source ? { source } : {}), ...(detailType ? { detailType } : {}), ...(detail ? { detail } : {}) };
}
