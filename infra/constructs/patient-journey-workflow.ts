import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { executionsWildcardFinding, expressRunsWildcardFinding, INLINE_POLICY_REASON } from '#infra/nag.ts';
import { REPO_ROOT } from './patient-access-function.ts';

/** The workflow definitions shipped to AWS: the same files the local cloud and the workflow tests execute. */
export const PATIENT_JOURNEY_ASL = path.join(REPO_ROOT, 'workflows', 'patient-journey.asl.json');
export const JOURNEY_STAGES_ASL = path.join(REPO_ROOT, 'workflows', 'journey-stages.asl.json');

/** The placeholder through which PatientJourney's RunStages names the JourneyStages state machine. */
export const JOURNEY_STAGES_PLACEHOLDER = 'JourneyStagesStateMachineArn';

export interface PatientJourneyWorkflowProps {
  functions: Readonly<Record<FunctionName, IFunction>>;
  key: IKey;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/** The `${…}` placeholders an ASL file uses. */
export function aslPlaceholders(file: string): Set<string> {
  return new Set([...readFileSync(file, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string));
}

/**
 * The journey's two state machines. PatientJourney (STANDARD) holds a journey from submission to its end, up to 14
 * days at a time waiting for staff; its happy path is one state transition, RunStages, which runs JourneyStages
 * (EXPRESS: billed by duration, not per transition) through the automatic stages. Each definition is its ASL file with
 * every `${…FunctionArn}` placeholder replaced by the ARN of the catalog function that declares it. Every state that
 * touches data is one of those functions (the journey's end is recorded by FinishJourney), so neither state machine
 * has table access.
 */
export class PatientJourneyWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly stagesStateMachine: sfn.StateMachine;
  readonly logGroup: LogGroup;
  readonly stagesLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PatientJourneyWorkflowProps) {
    super(scope, id);
    const { functions, key } = props;
    const stackName = Stack.of(this).stackName;
    const logGroup = (logId: string, machine: string) =>
      // Step Functions' vended logs must go to a group under /aws/vendedlogs/ (its resource policy size limit).
      new LogGroup(this, logId, {
        logGroupName: `/aws/vendedlogs/states/${stackName}-${machine}`,
        encryptionKey: key,
        retention: props.logRetention,
        removalPolicy: props.logRemovalPolicy,
      });
    this.logGroup = logGroup('Logs', 'PatientJourney');
    this.stagesLogGroup = logGroup('StagesLogs', 'JourneyStages');

    const stages = catalogFunctionsOf(JOURNEY_STAGES_ASL, functions);
    this.stagesStateMachine = new sfn.StateMachine(this, 'StagesStateMachine', {
      stateMachineName: `${stackName}-JourneyStages`,
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromFile(JOURNEY_STAGES_ASL),
      definitionSubstitutions: stages.substitutions,
      tracingEnabled: true,
      // An Express execution's history exists only in these logs, so ALL: about 25 events of a few hundred bytes
      // per run, under a cent per 1,000 journeys of ingestion (npm run bench prints it). No execution data, as above.
      logs: { destination: this.stagesLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
    });
    grantInvoke(this.stagesStateMachine, stages.invoked);

    const journey = catalogFunctionsOf(PATIENT_JOURNEY_ASL, functions);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${stackName}-PatientJourney`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(PATIENT_JOURNEY_ASL),
      definitionSubstitutions: { ...journey.substitutions, [JOURNEY_STAGES_PLACEHOLDER]: this.stagesStateMachine.stateMachineArn },
      tracingEnabled: true,
      // ALL records every state transition for troubleshooting; execution data stays out of the logs because
      // task inputs and outputs are patient journeys (IDs only by contract, but the logs must not depend on it).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
    });
    grantInvoke(this.stateMachine, journey.invoked);
    // RunStages (startExecution.sync:2): start JourneyStages, follow and stop its executions, and the managed rule
    // through which Step Functions learns that a run ended.
    const stack = Stack.of(this);
    this.stagesStateMachine.grantStartExecution(this.stateMachine);
    this.stagesStateMachine.grantExecution(this.stateMachine, 'states:DescribeExecution', 'states:StopExecution');
    // An Express execution's ARN is `…:express:<machine>:<execution name>:<execution ID>`, not `…:execution:…`.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'express',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            resourceName: `${this.stagesStateMachine.stateMachineName}:*:*`,
          }),
        ],
      }),
    );
    // JourneyStages is encrypted with the customer-managed key: starting a run encrypts its input, following it decrypts
    // its output, each under that machine's encryption context (CDK grants each machine only its own).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': this.stagesStateMachine.stateMachineArn } },
      }),
    );
    const runsReason =
      'RunStages follows and stops the JourneyStages runs it starts; each run has a generated name, so the resource is that state machine’s executions.';
    Validations.of(this.stateMachine.role).acknowledge(
      { id: executionsWildcardFinding(this.stagesStateMachine), reason: runsReason },
      { id: expressRunsWildcardFinding(this.stagesStateMachine), reason: runsReason },
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          Stack.of(this).formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
          }),
        ],
      }),
    );

    for (const machine of [this.stateMachine, this.stagesStateMachine]) {
      Validations.of(machine.role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'Statements on "*" are the CloudWatch Logs log-delivery actions (logs:CreateLogDelivery and friends) that ' +
            'Step Functions logging requires and X-Ray tracing (xray:PutTraceSegments, GetSamplingRules, ...): neither ' +
            'supports resource-level permissions. Function invokes name their resources.',
        },
        { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
      );
    }
  }
}

/** The catalog functions an ASL file names through placeholders, with the substitutions for them. */
function catalogFunctionsOf(file: string, functions: Readonly<Record<FunctionName, IFunction>>) {
  const used = aslPlaceholders(file);
  const substitutions: Record<string, string> = {};
  const invoked: IFunction[] = [];
  for (const [name, spec] of Object.entries(FUNCTIONS) as Array<[FunctionName, (typeof FUNCTIONS)[FunctionName]]>) {
    if (!('aslPlaceholder' in spec) || !used.has(spec.aslPlaceholder)) continue;
    substitutions[spec.aslPlaceholder] = functions[name].functionArn;
    invoked.push(functions[name]);
  }
  return { substitutions, invoked };
}

/** Exactly the unqualified function ARNs the definition names (no version/alias wildcard). */
function grantInvoke(machine: sfn.StateMachine, invoked: IFunction[]): void {
  machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked.map((fn) => fn.functionArn) }));
}
