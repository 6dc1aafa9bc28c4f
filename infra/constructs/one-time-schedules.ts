import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ENV } from '#contract/function-catalog.ts';
import { INLINE_POLICY_REASON } from '#infra/nag.ts';
import type { PatientAccessFunction } from './patient-access-function.ts';

type EnvName = (typeof ENV)[keyof typeof ENV];

export interface OneTimeSchedulesProps {
  /** The schedule group's name after the stack's: `<stack>-<purpose>`. */
  purpose: string;
  /**
   * What the schedules invoke, each with the environment variable that gives the schedulers its ARN, and that ARN when
   * it must not refer to the function (a target that also schedules: its own ARN would make it refer to itself).
   */
  targets: ReadonlyArray<{ fn: IFunction; arnEnv: EnvName; arn?: string }>;
  /** The functions that create schedules in the group (a catalog need names them). */
  schedulers: readonly PatientAccessFunction[];
  /** The environment variables that give the schedulers the group and the role their schedules assume. */
  groupEnv: EnvName;
  roleEnv: EnvName;
  key: IKey;
}

/**
 * One-time EventBridge schedules of one purpose: a schedule group (e.g. task escalations: one schedule per open task, at
 * its due time; appointment timers: a no-show check after each start, an offer's expiry), the role the schedules assume
 * to invoke the group's target functions and nothing else, the schedulers' right to create schedules in this group
 * only and to pass that role to Scheduler only, and the dead-letter queue of invocations that kept failing. Schedules
 * delete themselves once they have run; Scheduler bills only invocations.
 */
export class OneTimeSchedules extends Construct {
  readonly group: ScheduleGroup;
  readonly schedulerRole: iam.Role;
  /** Invocations a target failed three times (Lambda's asynchronous retries): any message here pages (Monitoring). */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: OneTimeSchedulesProps) {
    super(scope, id);
    const groupName = `${Stack.of(this).stackName}-${props.purpose}`;
    this.group = new ScheduleGroup(this, 'Group', { scheduleGroupName: groupName });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*` },
        },
      }),
      description: `Assumed by the ${props.purpose} schedules to invoke their target functions, and nothing else`,
    });
    // The functions' ARNs themselves (what schedules name), not grantInvoke's `:*` versions too.
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: props.targets.map((t) => t.arn ?? t.fn.functionArn) }),
    );
    Validations.of(this.schedulerRole).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });

    // Scheduler hands the function an asynchronous invocation: Lambda retries a failure twice, then the event lands here.
    this.deadLetterQueue = new sqs.Queue(this, 'Failed', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue = "This queue is itself the schedules' targets' on-failure destination; its depth raises an alarm.";
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue },
    );
    // The destination by ARN, with SendMessage and the key through SQS only (SqsDestination would also grant
    // kms:GenerateDataKey* and kms:ReEncrypt* on the key, for any service).
    const queueArn = this.deadLetterQueue.queueArn;
    for (const { fn } of props.targets) {
      fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: { bind: () => ({ destination: queueArn }) } });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queueArn] }));
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }

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
      fn.addEnvironment(props.groupEnv, this.group.scheduleGroupName);
      fn.addEnvironment(props.roleEnv, this.schedulerRole.roleArn);
      for (const target of props.targets) fn.addEnvironment(target.arnEnv, target.arn ?? target.fn.functionArn);
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
        reason: `Schedules are named at run time (per task, per appointment); the grant is limited to the ${props.purpose} schedule group.`,
      });
    }
  }
}
