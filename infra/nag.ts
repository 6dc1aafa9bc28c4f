import { type CfnElement, type PolicyViolation, Stack, type Stage, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The rule packs every synth runs: AWS Solutions, HIPAA Security and Serverless. */
export function nagPacks(scope: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new HIPAASecurityChecks(scope), new ServerlessChecks(scope)];
}

/**
 * The reason shared by every role CDK attaches grants to (functions, state machine): the "inline" policy is the
 * role's own AWS::IAM::Policy, generated from the grants in code and attached to that one role only.
 */
export const INLINE_POLICY_REASON =
  "The role's policy is generated from the least-privilege grants in code and attached to this role alone; a " +
  'customer-managed policy would be the same document under another name, reused by nothing.';

/** Registers the rule packs as validation plugins: an unacknowledged finding fails `cdk synth`. */
export function addNagChecks(app: Stage): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

/**
 * Runs the rule packs over a construct tree directly and returns the unacknowledged findings, for tests (the
 * validation plugins only run inside `app.synth()`, which also writes a cloud assembly).
 */
export function nagFindings(scope: IConstruct): PolicyViolation[] {
  return nagPacks(scope).flatMap((pack) => pack.validateScope(scope).violations);
}

/**
 * The `arn:<partition>:states:<region>:<account>` a finding names, as synthesized: pseudo parameters when the stack's
 * environment is unknown, literals when it is known.
 */
function statesArnPrefix(stack: Stack): string {
  const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  return `arn:${known(stack.partition, 'AWS::Partition')}:states:${known(stack.region, 'AWS::Region')}:${known(stack.account, 'AWS::AccountId')}`;
}

/** The AwsSolutions-IAM5 finding of a grant on a state machine's executions (`…:execution:<machine>:*`, grantExecution). */
export function executionsWildcardFinding(stateMachine: IConstruct): string {
  const stack = Stack.of(stateMachine);
  const machineId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  return `AwsSolutions-IAM5[Resource::${statesArnPrefix(stack)}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}:*]`;
}

/** The AwsSolutions-IAM5 finding of a grant on an Express state machine's runs (`…:express:<machine>:*:*`). */
export function expressRunsWildcardFinding(stateMachine: IConstruct): string {
  const stack = Stack.of(stateMachine);
  const machineId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  return `AwsSolutions-IAM5[Resource::${statesArnPrefix(stack)}:express:<${machineId}.Name>:*:*]`;
}
