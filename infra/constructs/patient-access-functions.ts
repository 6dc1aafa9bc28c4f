import { Aws, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_AUTHORIZER } from '#contract/api-routes.ts';
import { ENV, FUNCTIONS, type FunctionName, type FunctionSpec } from '#contract/function-catalog.ts';
import { executionsWildcardFinding, INLINE_POLICY_REASON } from '#infra/nag.ts';
import type { ExternalService, ExternalServices } from './external-services.ts';
import type { Messaging } from './messaging.ts';
import { PatientAccessFunction } from './patient-access-function.ts';

/** Functions that only read the table. */
const TABLE_READERS: ReadonlySet<FunctionName> = new Set([API_AUTHORIZER, 'listJourneys', 'listStaffTasks']);
export interface PatientAccessFunctionsProps {
  table: ITable;
  /** The patient identity key's secret (PatientAccessData). */
  identityKey: ISecret;
  key: IKey;
  messaging: Messaging;
  externalServices: ExternalServices;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/**
 * One {@link PatientAccessFunction} per entry of FUNCTIONS, each granted exactly what its `needs` list names and
 * given the matching environment variables. Grants on the state machine come later ({@link grantJourney}) because
 * the state machine itself is built from these functions.
 */
export class PatientAccessFunctions extends Construct {
  readonly byName: Readonly<Record<FunctionName, PatientAccessFunction>>;

  constructor(scope: Construct, id: string, props: PatientAccessFunctionsProps) {
    super(scope, id);
    const byName: Partial<Record<FunctionName, PatientAccessFunction>> = {};
    for (const [name, spec] of entries(FUNCTIONS)) {
      const fn = new PatientAccessFunction(this, pascal(name), {
        spec,
        // Appointment timers' targets schedule their own next run: they know their ARN from their name (timerTargetArn).
        ...((spec as FunctionSpec).trigger === 'appointmentTimer' ? { functionName: timerTargetName(Stack.of(this).stackName, name) } : {}),
        encryptionKey: props.key,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
      });
      for (const need of spec.needs) {
        switch (need) {
          case 'table':
            // The authorizer runs before every request and only looks keys up; the lists read IDs and times, which are
            // nobody's record, so they write no audit either: none of them gets write access.
            fn.useTable(props.table, TABLE_READERS.has(name) ? 'read' : 'readWrite');
            break;
          case 'clearinghouse':
            useExternalService(fn, props.externalServices.clearinghouse, ENV.clearinghouseBaseUrl, ENV.clearinghouseApiKeySecretArn);
            break;
          case 'payments':
            useExternalService(fn, props.externalServices.payments, ENV.paymentsBaseUrl, ENV.paymentsApiKeySecretArn);
            break;
          case 'email':
            props.messaging.grantSendEmail(fn);
            fn.addEnvironment(ENV.senderEmail, props.messaging.senderEmail);
            fn.addEnvironment(ENV.sesConfigurationSet, props.messaging.configurationSet.configurationSetName);
            break;
          case 'staffAlerts':
            props.messaging.grantPublishStaffAlerts(fn);
            fn.addEnvironment(ENV.staffAlertsTopicArn, props.messaging.staffAlertsTopic.topicArn);
            break;
          case 'startJourney':
          case 'completeStaffTask':
          case 'redriveJourney':
          case 'describeJourney':
          case 'listJourneys':
            break; // see grantJourney
          case 'auditArchive':
          case 'readAuditDays':
            break; // granted by the AuditArchive construct, which owns the bucket and the audit partitions' reading
          case 'publishAppointmentEvents':
            break; // granted by the AppointmentEvents construct, which owns the bus
          case 'patientIdentityKey':
            props.identityKey.grantRead(fn);
            fn.addEnvironment(ENV.patientIdentityKeySecretArn, props.identityKey.secretArn);
            break;
          case 'scheduleEscalations':
            break; // granted by the TaskEscalations schedules, which own their schedule group
          case 'scheduleAppointmentTimers':
            break; // granted by the AppointmentTimers schedules, which own their schedule group
          case 'offerLinks':
            break; // the API's URL, set by the stack once the API exists
        }
      }
      acknowledgeFunctionFindings(fn, spec);
      byName[name] = fn;
    }
    this.byName = byName as Record<FunctionName, PatientAccessFunction>;
  }

  /** The functions whose catalog entry names this need. */
  withNeed(need: FunctionSpec['needs'][number]): PatientAccessFunction[] {
    return entries(FUNCTIONS)
      .filter(([, spec]) => (spec.needs as FunctionSpec['needs']).includes(need))
      .map(([name]) => this.byName[name]);
  }

  /**
   * Lets `startJourney` functions start executions of the journey state machine (they get its ARN), `completeStaffTask`
   * functions answer a waiting task token, and the others redrive or describe its executions.
   */
  grantJourney(stateMachine: IStateMachine): void {
    for (const fn of this.withNeed('startJourney')) {
      stateMachine.grantStartExecution(fn);
      fn.addEnvironment(ENV.journeyStateMachineArn, stateMachine.stateMachineArn);
    }
    // Token answers go in a policy of their own, outside the role's default policy: the workflow's own park function
    // answers its token, and a function depends on its default policy, so granting there would make the state machine
    // (built from the function's ARN) depend on itself. A token carries its execution, so no ARN in the environment.
    for (const fn of this.withNeed('completeStaffTask')) {
      if (!fn.role) throw new Error(`${fn.node.id} has no role to grant`);
      const policy = new Policy(fn, 'AnswerJourneyTaskTokens', {
        roles: [fn.role],
        statements: [
          new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachine.stateMachineArn] }),
        ],
      });
      Validations.of(policy).acknowledge({ id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
    }
    const executionWildcard = {
      id: executionsWildcardFinding(stateMachine),
      reason:
        "Executions are named by journey at run time, so the grant names this state machine's executions (`…:execution:<machine>:*`), " +
        'the narrowest resource IAM can express for them.',
    };
    for (const fn of this.withNeed('redriveJourney')) {
      stateMachine.grantExecution(fn, 'states:RedriveExecution', 'states:DescribeExecution');
      Validations.of(fn.role ?? fn).acknowledge(executionWildcard);
    }
    for (const fn of this.withNeed('describeJourney')) {
      stateMachine.grantExecution(fn, 'states:DescribeExecution');
      Validations.of(fn.role ?? fn).acknowledge(executionWildcard);
    }
    // The ops view: list the journey's executions and describe them (their input names the clinic and journey).
    for (const fn of this.withNeed('listJourneys')) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['states:ListExecutions'], resources: [stateMachine.stateMachineArn] }));
      stateMachine.grantExecution(fn, 'states:DescribeExecution');
      fn.addEnvironment(ENV.journeyStateMachineArn, stateMachine.stateMachineArn);
      Validations.of(fn.role ?? fn).acknowledge(executionWildcard);
    }
  }
}

/** The fixed name of an appointment timer's target function. */
export const timerTargetName = (stackName: string, name: FunctionName) => `${stackName}-${name}`;

/** Its ARN, from the name and the stack's pseudo parameters only: no reference to the function itself. */
export const timerTargetArn = (stackName: string, name: FunctionName) =>
  `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:${timerTargetName(stackName, name)}`;

/**
 * Findings that hold for every function of the product because of how they are invoked and what they reach.
 */
function acknowledgeFunctionFindings(fn: PatientAccessFunction, spec: FunctionSpec): void {
  const noAsyncInvocation =
    spec.trigger === 'escalationSchedule'
      ? "Its task's EventBridge schedule invokes it asynchronously: Lambda retries a failure twice, then sends the event " +
        'to the on-failure destination (TaskEscalations, an SQS queue whose depth raises an alarm), not a DLQ.'
      : 'Nothing invokes this function asynchronously: API Gateway and Step Functions (including the ' +
        '.waitForTaskToken tasks) invoke it synchronously and receive its errors, which the state machine retries ' +
        'and catches into a staff task. A dead-letter queue only ever receives failed asynchronous events.';
  Validations.of(fn).acknowledge(
    { id: 'HIPAA.Security-LambdaDLQ', reason: noAsyncInvocation },
    { id: 'Serverless-LambdaDLQ', reason: noAsyncInvocation },
    {
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        'The function reaches only AWS regional endpoints (DynamoDB, Step Functions, SES, SNS, Secrets Manager) and ' +
        'two vendor HTTPS APIs, all over TLS with IAM or API-key authentication, and no resource of the product lives ' +
        'in a VPC. A VPC would add NAT gateways or endpoints (a fixed monthly cost larger than the workload) and ' +
        'cold-start latency without removing any network path to patient data.',
    },
    {
      id: 'HIPAA.Security-LambdaConcurrency',
      reason:
        'Reserved concurrency would cap a clinic at an arbitrary number and fails to deploy on accounts with the ' +
        'low default concurrency quota (AWS keeps 100 unreserved). Load is bounded instead by the HTTP API stage ' +
        'throttle, and throttles of every function raise an alarm.',
    },
  );
}

/**
 * Deployed functions get the base URL and the ARN of the secret holding the API key (read through
 * functions/shared/secrets.ts), never the key itself.
 */
function useExternalService(fn: PatientAccessFunction, service: ExternalService, baseUrlEnv: string, secretArnEnv: string): void {
  service.apiKeySecret.grantRead(fn);
  fn.addEnvironment(baseUrlEnv, service.baseUrl);
  fn.addEnvironment(secretArnEnv, service.apiKeySecret.secretArn);
}

function entries<K extends string, V>(record: Record<K, V>): Array<[K, V]> {
  return Object.entries(record) as Array<[K, V]>;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
