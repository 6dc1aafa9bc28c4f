import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { STAFF_ROLES } from '#contract/staff-roles.ts';

export interface StaffIdentityProps {
  removalPolicy: RemovalPolicy;
}

const ROLE_DESCRIPTIONS: Record<(typeof STAFF_ROLES)[number], string> = {
  'front-desk': 'Patient service specialists: intake, eligibility and scheduling queues, calls',
  clinical: 'Nurses and clinicians: triage slips and clinical answers',
  billing: 'Billing clerks: payments, refunds, estimates',
  radiology: 'Radiology schedulers and technologists: imaging orders and the scanner',
  ops: 'On-call engineers: executions, redrives, alarms (no patient data)',
  admin: "The clinic's administrators: users, catalog, audit trail",
};

/**
 * Staff sign in as people: a Cognito user pool without self sign-up (an admin creates each account), usernames, MFA
 * available (TOTP), one group per role, and the clinic a person works for in `custom:clinicId`, which only an admin
 * can set (the app client may not write it). One app client, SRP sign-in only: its ID tokens are what the HTTP API's
 * JWT authorizer accepts on staff routes.
 */
export class StaffIdentity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: StaffIdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${Stack.of(this).stackName}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.NONE,
      customAttributes: { clinicId: new cognito.StringAttribute({ mutable: true, minLen: 1, maxLen: 64 }) },
      // Production keeps its people: the pool cannot be deleted with the stack.
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    for (const role of STAFF_ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group${role.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: ROLE_DESCRIPTIONS[role],
      });
    }
    this.client = this.userPool.addClient('StaffConsole', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.minutes(60),
      accessTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.hours(12),
      // The clinic and roles decide what a person may see: nobody may change their own. An empty list would not do:
      // CloudFormation drops it and Cognito's default lets a user write every mutable attribute, custom ones included.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ locale: true }),
      // No hosted UI or OAuth flows until a staff console needs them (CDK's defaults would enable implicit and code).
      disableOAuth: true,
      readAttributes: new cognito.ClientAttributes().withCustomAttributes('clinicId').withStandardAttributes({ preferredUsername: true }),
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is available (TOTP) and each clinic decides whether to require it of its staff; the issue asks for it to be available.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per monthly active user; Essentials covers sign-in with MFA. A clinic can upgrade.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection needs the Plus feature plan, billed per monthly active user; a clinic can turn it on. Accounts are created by admins only, with no self sign-up and no account recovery by email.',
      },
    );
  }
}
