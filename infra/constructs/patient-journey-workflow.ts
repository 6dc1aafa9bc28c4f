import path from 'node:path';
import { type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { INLINE_POLICY_REASON } from '#infra/nag.ts';
import { REPO_ROOT } from './patient-access-function.ts';

/** The workflow definition shipped to AWS: the same file the local cloud and the workflow tests execute. */
export const PATIENT_JOURNEY_ASL = path.join(REPO_ROOT, 'workflows', 'patient-journey.asl.json');

export interface PatientJourneyWorkflowProps {
  functions: Readonly<Record<FunctionName, IFunction>>;
  key: IKey;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/**
 * The PatientJourney state machine (STANDARD: journeys wait up to 14 days for staff, and every step must run
 * exactly once). Its definition is workflows/patient-journey.asl.json with each `${…FunctionArn}` placeholder
 * replaced by the ARN of the catalog function that declares it. Every state that touches data is one of those
 * functions (the journey's end is recorded by FinishJourney), so the state machine itself has no table access.
 */
export class PatientJourneyWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PatientJourneyWorkflowProps) {
    super(scope, id);
    const { functions, key } = props;

    const substitutions: Record<string, string> = {};
    const invoked: IFunction[] = [];
    for (const [name, spec] of Object.entries(FUNCTIONS) as Array<[FunctionName, (typeof FUNCTIONS)[FunctionName]]>) {
      if (!('aslPlaceholder' in spec)) continue;
      substitutions[spec.aslPlaceholder] = functions[name].functionArn;
      invoked.push(functions[name]);
    }

    // Step Functions' vended logs must go to a group under /aws/vendedlogs/ (its resource policy size limit).
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-PatientJourney`,
      encryptionKey: key,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${Stack.of(this).stackName}-PatientJourney`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(PATIENT_JOURNEY_ASL),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // ALL records every state transition for troubleshooting; execution data stays out of the logs because
      // task inputs and outputs are patient journeys (IDs only by contract, but the logs must not depend on it).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
    });

    // Exactly the unqualified function ARNs the definition names (no version/alias wildcard).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked.map((fn) => fn.functionArn) }),
    );

    Validations.of(this.stateMachine.role).acknowledge(
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
