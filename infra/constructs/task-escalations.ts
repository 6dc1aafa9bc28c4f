import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#contract/function-catalog.ts';
import { INLINE_POLICY_REASON } from '#infra/nag.ts';
import type { PatientAccessFunction } from './patient-access-function.ts';

export interface TaskEscalationsProps {
  /** escalateStaffTask: what each task's schedule invokes at its due time (catalog trigger `escalationSchedule`). */
  target: IFunction;
  /** The functions whose catalog entry names `scheduleEscalations` (the task openers): each may create schedules. */
  schedulers: readonly PatientAccessFunction[];
  key: IKey;
}

/**
 * Overdue escalation of staff tasks: a schedule group holding one one-time EventBridge schedule per open task (created
 * by the task's opener, functions/shared/escalation-schedule-adapter.ts), the role the schedules assume to invoke the
 * escalation function, and the openers' right to create schedules in this group only and to pass that role to
 * Scheduler only. Schedules delete themselves once they have run; Scheduler bills only invocations.
 */
export class TaskEscalations extends Construct {
  readonly group: ScheduleGroup;
  readonly schedulerRole: iam.Role;
  /** Escalations the function failed three times (Lambda's asynchronous retries): any message here pages (Monitoring). */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskEscalationsProps) {
    super(scope, id);
    const groupName = `${Stack.of(this).stackName}-task-escalations`;
    this.group = new ScheduleGroup(this, 'Group', { scheduleGroupName: groupName });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*` },
        },
      }),
      description: 'Assumed by the task escalation schedules to invoke escalateStaffTask, and nothing else',
    });
    // The function's ARN itself (what schedules name), not grantInvoke's `:*` versions too.
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.target.functionArn] }));
    Validations.of(this.schedulerRole).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });

    // Scheduler hands the function an asynchronous invocation: Lambda retries a failure twice, then the event lands here.
    this.deadLetterQueue = new sqs.Queue(this, 'FailedEscalations', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue = "This queue is itself the escalation function's on-failure destination; its depth raises an alarm.";
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue },
    );
    // The destination by ARN, with SendMessage and the key through SQS only (SqsDestination would also grant
    // kms:GenerateDataKey* and kms:ReEncrypt* on the key, for any service).
    const queueArn = this.deadLetterQueue.queueArn;
    props.target.configureAsyncInvoke({ retryAttempts: 2, onFailure: { bind: () => ({ destination: queueArn }) } });
    props.target.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queueArn] }));
    props.target.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );

    const schedulesArn = `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*`;
    for (const fn of props.schedulers) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedulesArn] }));
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
      fn.addEnvironment(ENV.escalationScheduleGroup, this.group.scheduleGroupName);
      fn.addEnvironment(ENV.escalationTargetArn, props.target.functionArn);
      fn.addEnvironment(ENV.escalationSchedulerRoleArn, this.schedulerRole.roleArn);
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
        reason: 'Schedules are named per task at run time; the grant is limited to the escalation schedule group.',
      });
    }
  }
}
