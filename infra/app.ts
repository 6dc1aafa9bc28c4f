import { App } from 'aws-cdk-lib';
import { readConfig } from './config.ts';
import { addNagChecks } from './nag.ts';
import { PatientAccessStack } from './patient-access-stack.ts';

/**
 * The CDK app (`cdk synth` / `cdk deploy`). Settings come from context: see infra/config.ts. Account and region
 * come from the CLI's environment when it has credentials; without them the stack is environment-agnostic, which is
 * what an offline synth produces.
 */
const app = new App();
const config = readConfig(app.node);
new PatientAccessStack(app, 'PatientAccess', {
  config,
  description: 'Patient Access: serverless front desk (intake, eligibility, scheduling, payment, correspondence)',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
addNagChecks(app);
app.synth();
