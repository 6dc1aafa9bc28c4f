import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** Receives every alarm (and its return to OK). */
  alarmTopic: ITopic;
  stateMachine: IStateMachine;
  /** Keyed by catalog name, which becomes part of the alarm's ID. */
  functions: Readonly<Record<string, IFunction>>;
  stage?: apigw.IHttpStage;
  /** Queues where undeliverable events end up: any message in one is work that did not happen. */
  deadLetterQueues?: readonly IQueue[];
}

const PERIOD = Duration.minutes(5);

/**
 * The stack's alarms, all wired to the alarm topic: journeys that failed, timed out or were aborted; each function's
 * errors and throttles; the API's 5xx responses. Any occurrence alarms: at a clinic's volume a single failed journey
 * is a patient someone must call back, not noise.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.action = new SnsAction(props.alarmTopic);

    const sm = props.stateMachine;
    this.alarmOn('JourneyExecutionsFailed', sm.metricFailed({ period: PERIOD }), 'A patient journey failed');
    this.alarmOn('JourneyExecutionsTimedOut', sm.metricTimedOut({ period: PERIOD }), 'A patient journey timed out');
    this.alarmOn('JourneyExecutionsAborted', sm.metricAborted({ period: PERIOD }), 'A patient journey was aborted');

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarmOn(`${name}Errors`, fn.metricErrors({ period: PERIOD }), `Function ${name} returned errors`);
      this.alarmOn(`${name}Throttles`, fn.metricThrottles({ period: PERIOD }), `Function ${name} was throttled`);
    }

    for (const [index, queue] of (props.deadLetterQueues ?? []).entries()) {
      this.alarmOn(
        `DeadLetters${index + 1}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        'An event could not be delivered after its retries (see the dead-letter queue)',
      );
    }

    if (props.stage) {
      this.alarmOn('Api5xx', props.stage.metricServerError({ period: PERIOD }), 'The HTTP API answered with 5xx');
    }
  }

  private alarmOn(id: string, metric: cloudwatch.IMetric, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: `Patient Access: ${description}`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened, which is healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
