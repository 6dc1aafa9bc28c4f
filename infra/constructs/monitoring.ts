import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DefaultDashboardFactory, MonitoringFacade, notifySns } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { STAGE_NAMES } from '#contract/api/journey-view-schema.ts';
import { JOURNEY_METRICS } from '#contract/journey-metrics.ts';
import { ESCALATION_NOT_SCHEDULED_MESSAGE, UNEXPECTED_STOP_MESSAGE } from '#contract/journey-workflow.ts';
import { STAFF_QUEUES } from '#contract/staff-queues.ts';

export interface MonitoringProps {
  /** Receives every alarm (and its return to OK). */
  alarmTopic: ITopic;
  stateMachine: IStateMachine;
  stage?: apigw.IHttpStage;
  /** The HTTP API and the table, for the dashboard (and the table's throttle alarms). */
  api?: apigw.IHttpApi;
  table?: ITable;
  /** Queues where undeliverable events end up: any message in one is work that did not happen. */
  deadLetterQueues?: readonly IQueue[];
  /**
   * parkForStaff's log group: a run of the journey's stages that ended without naming its checkpoint (a time-out, a
   * crash, a workflow bug) is held for staff like any stop, so it raises no execution alarm; its log line does.
   */
  holdLogGroup?: ILogGroup;
  /** The log groups of the functions that open staff tasks and schedule their escalations (needs `scheduleEscalations`). */
  escalationLogGroups?: readonly ILogGroup[];
  /**
   * The function that copies audit records from the table's stream: its iterator age says how far behind the archive
   * is. A stream keeps records 24 hours, so an archive stuck (a failing batch being retried, a mapping that cannot read
   * the stream) must page long before.
   */
  auditArchiver?: IFunction;
}

const PERIOD = Duration.minutes(5);
/** The HTTP API's p90 latency above which the dashboard's latency alarm fires (three 5-minute periods running). */
export const API_P90_LATENCY_GOAL = Duration.seconds(2);
/** How far the audit archive may fall behind the stream before it pages. */
export const AUDIT_ARCHIVE_MAX_LAG = Duration.hours(1);

/**
 * When a function's alarms fire: on a rate, never on one error. The workflow retries a function's transient errors
 * (and Lambda's throttles) by design, and a journey that still fails raises the execution alarms; a function alarm is
 * for a function that fails *often*. With the rate compared strictly above `ratePercent` and at least `minInvocations`
 * calls, a single error (at most 1/minInvocations = 10%) can never fire it.
 */
export const FUNCTION_ALARM_POLICY = {
  /** Fewer calls than this in a period say nothing about a rate: the alarm stays OK. */
  minInvocations: 10,
  /** Percentage of the period's calls that failed (or were throttled) above which the alarm fires. */
  ratePercent: 10,
} as const;

/**
 * When the API's 5xx alarm fires: on a rate too, never on one 5xx. The API answers 503 with Retry-After by design while
 * a dependency is briefly unavailable (DynamoDB throttling, Step Functions unreachable), and the caller sends the same
 * request again; an API that fails *often* is what pages. As for functions: strictly above `ratePercent` of at least
 * `minRequests` requests, so a single 5xx (at most 1/minRequests = 10%) can never fire it.
 */
export const API_ALARM_POLICY = {
  /** Fewer requests than this in a period say nothing about a rate: the alarm stays OK. */
  minRequests: 10,
  /** Percentage of the period's requests answered with 5xx above which the alarm fires. */
  ratePercent: 10,
} as const;

/**
 * The stack's alarms, all wired to the alarm topic: journeys that failed, timed out or were aborted, and events left in
 * a dead-letter queue, on any occurrence (at a clinic's volume a single failed journey is a patient someone must call
 * back, not noise); the functions' error and throttle *rates* (FUNCTION_ALARM_POLICY), since single errors are retried;
 * and the API's 5xx *rate* (API_ALARM_POLICY), since a 503 asks the caller to send the request again.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.action = new SnsAction(props.alarmTopic);

    const sm = props.stateMachine;
    this.alarmOnAny('JourneyExecutionsFailed', sm.metricFailed({ period: PERIOD }), 'A patient journey failed');
    this.alarmOnAny('JourneyExecutionsTimedOut', sm.metricTimedOut({ period: PERIOD }), 'A patient journey timed out');
    this.alarmOnAny('JourneyExecutionsAborted', sm.metricAborted({ period: PERIOD }), 'A patient journey was aborted');

    // One error-rate and one throttle-rate alarm over every function of the account and region (Lambda's account-level
    // metrics), not one pair per function: an alarm bills per metric it reads ($0.10 each a month), and 13 functions
    // × 2 alarms read 52 metrics, $5.20 a month of an idle deployment. A clinic deploys into an account of its own, so
    // the account's functions are ours; which function fails is read from its metrics and logs once the alarm fires.
    const { minInvocations, ratePercent } = FUNCTION_ALARM_POLICY;
    const over = `more than ${ratePercent}% of at least ${minInvocations} calls in ${PERIOD.toMinutes()} minutes`;
    const accountMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, period: PERIOD, statistic: 'Sum' });
    const invocations = accountMetric('Invocations');
    const errors = accountMetric('Errors');
    const throttles = accountMetric('Throttles');
    this.alarmOnRate(
      'FunctionErrorRate',
      new cloudwatch.MathExpression({
        // Errors are counted among the invocations.
        expression: `IF(FILL(invocations, 0) >= ${minInvocations}, 100 * FILL(errors, 0) / invocations, 0)`,
        usingMetrics: { invocations, errors },
        period: PERIOD,
        label: 'Lambda error rate (%)',
      }),
      `Functions returned errors for ${over}`,
      ratePercent,
    );
    this.alarmOnRate(
      'FunctionThrottleRate',
      new cloudwatch.MathExpression({
        // A throttled call is not an invocation: the calls are both.
        expression:
          `IF(FILL(invocations, 0) + FILL(throttles, 0) >= ${minInvocations}, ` +
          '100 * FILL(throttles, 0) / (FILL(invocations, 0) + FILL(throttles, 0)), 0)',
        usingMetrics: { invocations, throttles },
        period: PERIOD,
        label: 'Lambda throttle rate (%)',
      }),
      `Functions were throttled for ${over}`,
      ratePercent,
    );

    if (props.holdLogGroup) {
      const filter = new MetricFilter(this, 'UnexpectedStageStopsFilter', {
        logGroup: props.holdLogGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', UNEXPECTED_STOP_MESSAGE),
        metricNamespace: 'PatientAccess',
        metricName: 'UnexpectedStageStops',
        metricValue: '1',
      });
      this.alarmOnAny(
        'UnexpectedStageStops',
        filter.metric({ period: PERIOD, statistic: 'Sum' }),
        "A journey's stages stopped without naming a checkpoint (time-out, crash or workflow bug); staff hold it, ops should look",
      );
    }

    // One metric from every task-opening function's log: a task whose escalation could not be scheduled.
    const notScheduled = (props.escalationLogGroups ?? []).map(
      (logGroup, index) =>
        new MetricFilter(this, `EscalationsNotScheduledFilter${index + 1}`, {
          logGroup,
          filterPattern: FilterPattern.stringValue('$.message', '=', ESCALATION_NOT_SCHEDULED_MESSAGE),
          metricNamespace: 'PatientAccess',
          metricName: 'EscalationsNotScheduled',
          metricValue: '1',
        }),
    );
    const [firstFilter] = notScheduled;
    if (firstFilter)
      this.alarmOnAny(
        'EscalationsNotScheduled',
        firstFilter.metric({ period: PERIOD, statistic: 'Sum' }),
        "A staff task was opened but its overdue escalation could not be scheduled: its queue's lead will not be alerted",
      );

    if (props.auditArchiver) {
      this.alarm(
        'AuditArchiveBehind',
        props.auditArchiver.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        `The audit archive is more than ${AUDIT_ARCHIVE_MAX_LAG.toHumanString()} behind the table's stream (records are kept 24 hours)`,
        AUDIT_ARCHIVE_MAX_LAG.toMilliseconds(),
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }

    for (const [index, queue] of (props.deadLetterQueues ?? []).entries()) {
      this.alarmOnAny(
        `DeadLetters${index + 1}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        'An event could not be delivered after its retries (see the dead-letter queue)',
      );
    }

    this.dashboard(props);

    if (props.stage) {
      const { minRequests, ratePercent: apiRatePercent } = API_ALARM_POLICY;
      // Count is every request, 5xx among them.
      const requests = props.stage.metricCount({ period: PERIOD, statistic: 'Sum' });
      const serverErrors = props.stage.metricServerError({ period: PERIOD, statistic: 'Sum' });
      this.alarmOnRate(
        'Api5xxRate',
        new cloudwatch.MathExpression({
          expression: `IF(FILL(requests, 0) >= ${minRequests}, 100 * FILL(serverErrors, 0) / requests, 0)`,
          usingMetrics: { requests, serverErrors },
          period: PERIOD,
          label: 'HTTP API 5xx rate (%)',
        }),
        `The HTTP API answered with 5xx for more than ${apiRatePercent}% of at least ${minRequests} requests in ${PERIOD.toMinutes()} minutes`,
        apiRatePercent,
      );
    }
  }

  /**
   * One CloudWatch dashboard (cdk-monitoring-constructs): the journey workflow's executions and durations, the HTTP
   * API's requests, errors and latency (with an alarm on a slow p90), the table's capacity, errors and throttles (with
   * an alarm on any throttled read or write), and the product's own metrics (functions/shared/journey-metrics.ts): journeys parked and stopped per
   * stage, ended per status, time in each stage, overdue tasks per queue. Every dimension is a stage, status or queue
   * name: nothing on it names a clinic or a patient.
   */
  private dashboard(props: MonitoringProps): void {
    const prefix = Stack.of(this).stackName;
    const facade = new MonitoringFacade(this, 'Dashboard', {
      alarmFactoryDefaults: { alarmNamePrefix: prefix, actionsEnabled: true, action: notifySns(props.alarmTopic, props.alarmTopic) },
      metricFactoryDefaults: {},
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', { dashboardNamePrefix: prefix, createSummaryDashboard: false }),
    });
    facade.addLargeHeader('Patient Access: journeys, API, table and work queues');
    facade.monitorStepFunction({ stateMachine: props.stateMachine, humanReadableName: 'Patient journeys (PatientJourney)' });
    if (props.api)
      facade.monitorApiGatewayV2HttpApi({
        api: props.api,
        humanReadableName: 'HTTP API',
        alarmFriendlyName: 'HttpApi',
        // Slow, not failing: a p90 above the goal three periods running (a cold start or a slow clearinghouse is one).
        addLatencyP90Alarm: {
          Warning: {
            maxLatency: API_P90_LATENCY_GOAL,
            // One cold start is the whole p90 of a quiet period: a p90 says something from as many requests as a rate.
            minSampleCountToEvaluateDatapoint: API_ALARM_POLICY.minRequests,
            alarmDescriptionOverride: `Patient Access: the HTTP API's p90 latency is above ${API_P90_LATENCY_GOAL.toSeconds()} s`,
          },
        },
      });
    if (props.table)
      facade.monitorDynamoTable({
        table: props.table,
        humanReadableName: 'Table',
        addReadThrottledEventsCountAlarm: {
          Warning: { maxThrottledEventsThreshold: 0, alarmDescriptionOverride: 'Patient Access: DynamoDB throttled reads of the table' },
        },
        addWriteThrottledEventsCountAlarm: {
          Warning: { maxThrottledEventsThreshold: 0, alarmDescriptionOverride: 'Patient Access: DynamoDB throttled writes to the table' },
        },
      });
    const product = (metricName: string, dimension: string, values: readonly string[], statistic = 'Sum') =>
      values.map(
        (value) =>
          new cloudwatch.Metric({
            namespace: JOURNEY_METRICS.namespace,
            metricName,
            dimensionsMap: { service: JOURNEY_METRICS.service, [dimension]: value },
            statistic,
            period: PERIOD,
            label: value,
          }),
      );
    facade.monitorCustom({
      humanReadableName: 'Journeys by stage, and the work queues',
      alarmFriendlyName: 'PatientAccessJourneys',
      metricGroups: [
        { title: 'Journeys parked for staff, per stage', metrics: product(JOURNEY_METRICS.parked, 'stage', STAGE_NAMES) },
        {
          title: 'Journeys stopped (failed, timed out, aborted), per stage',
          metrics: product(JOURNEY_METRICS.stopped, 'stage', STAGE_NAMES),
        },
        { title: 'Journeys ended, per status', metrics: product(JOURNEY_METRICS.ended, 'status', ['COMPLETED', 'CANCELLED', 'FAILED']) },
        {
          title: 'Time in stage, p90 (ms, staff waits included)',
          metrics: product(JOURNEY_METRICS.timeInStage, 'stage', STAGE_NAMES, 'p90'),
        },
        { title: 'Staff tasks overdue, per queue', metrics: product(JOURNEY_METRICS.overdue, 'queue', STAFF_QUEUES) },
      ],
    });
  }

  /** Fires on a single occurrence. */
  private alarmOnAny(id: string, metric: cloudwatch.IMetric, description: string): void {
    this.alarm(id, metric, description, 1, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
  }

  /** Fires when a percentage is strictly above `ratePercent` (its policy's). */
  private alarmOnRate(id: string, metric: cloudwatch.IMetric, description: string, ratePercent: number): void {
    this.alarm(id, metric, description, ratePercent, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    description: string,
    threshold: number,
    comparisonOperator: cloudwatch.ComparisonOperator,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: `Patient Access: ${description}`,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator,
      // No data means nothing happened, which is healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
