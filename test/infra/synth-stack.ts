import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readConfig } from '#infra/config.ts';
import { PatientAccessStack } from '#infra/patient-access-stack.ts';

/** The sender `npm run synth` passes too: a reserved domain (RFC 2606), since `senderEmail` has no default. */
export const TEST_SENDER_EMAIL = 'front-desk@example.org';

/**
 * Builds the stack as `cdk synth` does, minus bundling: `aws:cdk:bundling-stacks: []` makes NodejsFunction skip
 * esbuild (the handler files must still exist), which keeps a synth around a second. Call once per test file.
 */
export function synthStack(context: Record<string, unknown> = {}) {
  // cdk.json's feature flags, as `cdk synth` reads them: the tests check the template that is deployed.
  const flags = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;
  const app = new App({ context: { ...flags, 'aws:cdk:bundling-stacks': [], senderEmail: TEST_SENDER_EMAIL, ...context } });
  const stack = new PatientAccessStack(app, 'PatientAccess', { config: readConfig(app.node) });
  return { app, stack, template: Template.fromStack(stack) };
}
