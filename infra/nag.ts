import { type PolicyViolation, type Stage, Validations } from 'aws-cdk-lib';
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
