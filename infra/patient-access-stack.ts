import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV, FUNCTIONS, type FunctionName, type FunctionSpec } from '#contract/function-catalog.ts';
import { AppointmentEvents } from '#infra/constructs/appointment-events.ts';
import { AuditArchive } from '#infra/constructs/audit-archive.ts';
import { PatientAccessData } from '#infra/constructs/data.ts';
import { ExternalServices } from '#infra/constructs/external-services.ts';
import { PatientAccessHttpApi } from '#infra/constructs/http-api.ts';
import { JourneyStatusEvents } from '#infra/constructs/journey-status-events.ts';
import { Messaging } from '#infra/constructs/messaging.ts';
import { Monitoring } from '#infra/constructs/monitoring.ts';
import { OneTimeSchedules } from '#infra/constructs/one-time-schedules.ts';
import { PatientAccessFunctions, timerTargetArn } from '#infra/constructs/patient-access-functions.ts';
import { PatientJourneyWorkflow } from '#infra/constructs/patient-journey-workflow.ts';
import { StaffIdentity } from '#infra/constructs/staff-identity.ts';
import type { PatientAccessConfig } from './config.ts';

export interface PatientAccessStackProps extends StackProps {
  config: PatientAccessConfig;
}

/** The whole product in one stack; the stack only composes constructs. */
export class PatientAccessStack extends Stack {
  readonly data: PatientAccessData;
  readonly messaging: Messaging;
  readonly functions: PatientAccessFunctions;
  readonly workflow: PatientJourneyWorkflow;
  readonly journeyStatusEvents: JourneyStatusEvents;
  readonly auditArchive: AuditArchive;
  readonly appointmentEvents: AppointmentEvents;
  readonly httpApi: PatientAccessHttpApi;
  readonly staffIdentity: StaffIdentity;
  readonly monitoring: Monitoring;
  readonly taskEscalations: OneTimeSchedules;
  readonly appointmentTimers: OneTimeSchedules;

  constructor(scope: Construct, id: string, props: PatientAccessStackProps) {
    // A production stack cannot be deleted by accident (the table and key are retained anyway).
    super(scope, id, { terminationProtection: props.config.environment === 'production', ...props });
    const { config } = props;
    // Log retention in days maps one-to-one onto RetentionDays' numeric values.
    const logRetention = config.logRetentionDays as RetentionDays;
    const logRemovalPolicy = config.environment === 'production' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.data = new PatientAccessData(this, 'Data', { ...(config.tableIndexes ? { indexes: config.tableIndexes } : {}) });
    const { key, table } = this.data;
    this.messaging = new Messaging(this, 'Messaging', { config, key });
    const externalServices = new ExternalServices(this, 'ExternalServices', { config, key });

    this.functions = new PatientAccessFunctions(this, 'Functions', {
      table,
      identityKey: this.data.identityKey,
      key,
      messaging: this.messaging,
      externalServices,
      logRetention,
      logRemovalPolicy,
    });
    this.workflow = new PatientJourneyWorkflow(this, 'PatientJourney', {
      functions: this.functions.byName,
      key,
      logRetention,
      logRemovalPolicy,
    });
    this.functions.grantJourney(this.workflow.stateMachine);
    this.journeyStatusEvents = new JourneyStatusEvents(this, 'JourneyStatusEvents', {
      stateMachine: this.workflow.stateMachine,
      target: this.functions.byName.recordExecutionOutcome,
      key,
    });

    this.auditArchive = new AuditArchive(this, 'AuditArchive', {
      table,
      key,
      target: this.functions.byName.archiveAuditRecords,
      writers: this.functions.withNeed('auditArchive'),
      dayReaders: this.functions.withNeed('readAuditDays'),
    });

    this.appointmentEvents = new AppointmentEvents(this, 'AppointmentEvents', {
      table,
      key,
      publisher: this.functions.byName.publishAppointmentEvents,
      functions: this.functions.byName,
    });

    this.taskEscalations = new OneTimeSchedules(this, 'TaskEscalations', {
      purpose: 'task-escalations',
      targets: [{ fn: this.functions.byName.escalateStaffTask, arnEnv: ENV.escalationTargetArn }],
      schedulers: this.functions.withNeed('scheduleEscalations'),
      groupEnv: ENV.escalationScheduleGroup,
      roleEnv: ENV.escalationSchedulerRoleArn,
      key,
    });
    this.appointmentTimers = new OneTimeSchedules(this, 'AppointmentTimers', {
      purpose: 'appointment-timers',
      targets: [
        { fn: this.functions.byName.markNoShow, arnEnv: ENV.noShowTargetArn, arn: timerTargetArn(this.stackName, 'markNoShow') },
        {
          fn: this.functions.byName.expireWaitlistOffer,
          arnEnv: ENV.offerExpiryTargetArn,
          arn: timerTargetArn(this.stackName, 'expireWaitlistOffer'),
        },
        {
          fn: this.functions.byName.reverifyEligibility,
          arnEnv: ENV.reverifyTargetArn,
          arn: timerTargetArn(this.stackName, 'reverifyEligibility'),
        },
      ],
      schedulers: this.functions.withNeed('scheduleAppointmentTimers'),
      groupEnv: ENV.appointmentTimerGroup,
      roleEnv: ENV.appointmentTimerRoleArn,
      key,
    });

    this.staffIdentity = new StaffIdentity(this, 'StaffIdentity', { removalPolicy: logRemovalPolicy });
    this.httpApi = new PatientAccessHttpApi(this, 'HttpApi', {
      staff: { userPool: this.staffIdentity.userPool, client: this.staffIdentity.client },
      functions: this.functions.byName,
      key,
      logRetention,
      logRemovalPolicy,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
    });

    // Links patients open (a waitlist offer's page) point at the API itself.
    for (const fn of this.functions.withNeed('offerLinks')) fn.addEnvironment(ENV.publicApiUrl, this.httpApi.url);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmTopic: this.messaging.alarmTopic,
      stateMachine: this.workflow.stateMachine,
      stage: this.httpApi.stage,
      api: this.httpApi.api,
      table,
      deadLetterQueues: [
        this.journeyStatusEvents.deadLetterQueue,
        this.auditArchive.deadLetterQueue,
        this.taskEscalations.deadLetterQueue,
        this.appointmentEvents.deadLetterQueue,
        this.appointmentTimers.deadLetterQueue,
      ],
      auditArchiver: this.functions.byName.archiveAuditRecords,
      holdLogGroup: this.functions.byName.parkForStaff.logGroup,
      escalationLogGroups: Object.entries(FUNCTIONS)
        .filter(([, spec]) => (spec as FunctionSpec).needs.includes('scheduleEscalations'))
        .map(([name]) => this.functions.byName[name as FunctionName].logGroup),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'StaffUserPoolId', { value: this.staffIdentity.userPool.userPoolId });
    new CfnOutput(this, 'StaffClientId', { value: this.staffIdentity.client.userPoolClientId });
    new CfnOutput(this, 'JourneyStateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'StaffAlertsTopicArn', { value: this.messaging.staffAlertsTopic.topicArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.messaging.alarmTopic.topicArn });
    new CfnOutput(this, 'AuditArchiveBucketName', { value: this.auditArchive.bucket.bucketName });
  }
}
