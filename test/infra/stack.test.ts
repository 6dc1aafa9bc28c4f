import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_AUTHORIZER, API_ROUTES } from '#contract/api-routes.ts';
import { ENV, FUNCTIONS, type FunctionName, type FunctionSpec } from '#contract/function-catalog.ts';
import { ESCALATION_NOT_SCHEDULED_MESSAGE, UNEXPECTED_STOP_MESSAGE } from '#contract/journey-workflow.ts';
import { STAFF_QUEUES } from '#contract/staff-queues.ts';
import { STAFF_ROLES } from '#contract/staff-roles.ts';
import { TABLE_SCHEMA } from '#contract/table-schema.ts';
import { API_ALARM_POLICY, API_P90_LATENCY_GOAL, FUNCTION_ALARM_POLICY } from '#infra/constructs/monitoring.ts';
import { timerTargetArn } from '#infra/constructs/patient-access-functions.ts';
import {
  aslPlaceholders,
  JOURNEY_STAGES_ASL,
  JOURNEY_STAGES_PLACEHOLDER,
  PATIENT_JOURNEY_ASL,
} from '#infra/constructs/patient-journey-workflow.ts';
import { STAGES } from '#model/journey.ts';
import { JOURNEY_METRICS } from '#shared/journey-metrics.ts';
import { synthStack } from './synth-stack.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

// One synth for the whole file: every test reads the same template.
const { stack, template } = synthStack();
const keyArn = stack.resolve(stack.data.key.keyArn);

const catalog = Object.entries(FUNCTIONS) as Array<[FunctionName, FunctionSpec]>;
const functionResources = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
const resources = template.toJSON().Resources as Record<string, Resource>;

/** The template resource of a catalog function (found by logical ID, since the catalog name is in the path). */
function lambdaOf(name: FunctionName): Resource {
  const logicalId = stack.resolve(stack.functions.byName[name].functionName).Ref as string;
  const resource = functionResources[logicalId];
  if (!resource) throw new Error(`no function resource for ${name}`);
  return resource;
}

/** Every statement of the policies attached to the function's role. */
function statementsOf(name: FunctionName): Statement[] {
  const roleRef = stack.resolve(stack.functions.byName[name].role?.roleName);
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([roleRef]))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

function envOf(name: FunctionName): Record<string, unknown> {
  return (lambdaOf(name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('Stack: PatientAccess', () => {
  it('stays clear of CloudFormation’s 500 resources a stack, with room for one more feature', () => {
    // A stack over 500 cannot be deployed at all. Past 480, split it (nested stacks) before adding the next feature.
    expect(Object.keys(resources).length).toBeLessThanOrEqual(480);
  });
});

describe('Construct: PatientAccessData', () => {
  it('encrypts the table with the customer-managed key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
  });

  it('keeps point-in-time recovery, deletion protection, the TTL attribute and on-demand billing', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('builds the keys and indexes of the shared table schema', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((index) =>
        Match.objectLike({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        }),
      ),
    });
  });

  it('deploys only the indexes `tableIndexes` names, for an upgrade one index at a time', () => {
    // Act
    const upgrade = synthStack({ tableIndexes: 'GSI1,GSI3' }).template;

    // Assess
    const [table] = Object.values(upgrade.findResources('AWS::DynamoDB::Table')) as Array<{
      Properties: { GlobalSecondaryIndexes: Array<{ IndexName: string }> };
    }>;
    expect(table?.Properties.GlobalSecondaryIndexes.map((index) => index.IndexName)).toEqual(['GSI1', 'GSI3']);
  });

  it('retains the table and the key when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  it('backs the table up to a vault encrypted with the key', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: keyArn });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [stack.resolve(stack.data.table.tableArn)] }),
    });
  });
});

describe('Stack: PatientAccessStack', () => {
  it('protects a production stack from deletion', () => {
    expect(stack.terminationProtection).toBe(true);
  });
});

describe('Construct: PatientJourneyWorkflow', () => {
  const machines = template.findResources('AWS::StepFunctions::StateMachine') as Record<string, Resource>;
  const logicalId = (machine: { node: { defaultChild?: unknown } }) => stack.getLogicalId(machine.node.defaultChild as CfnElement);
  const journey = machines[logicalId(stack.workflow.stateMachine)];
  const stages = machines[logicalId(stack.workflow.stagesStateMachine)];
  const statementsOf = (machine: { role: { roleName: string } }) => {
    const roleRef = stack.resolve(machine.role.roleName);
    return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([roleRef]))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  // As sets: cdk.json's minimizePolicies flag sorts the statement's resources.
  const sorted = (arns: unknown[]) => arns.map((arn) => JSON.stringify(arn)).sort();
  const placeholdersOf = (file: string) => [...aslPlaceholders(file)];

  it('is a STANDARD journey holding an EXPRESS run of its stages, both traced and encrypted with the customer-managed key', () => {
    expect(Object.keys(machines)).toHaveLength(2);
    for (const [machine, type] of [
      [journey, 'STANDARD'],
      [stages, 'EXPRESS'],
    ] as const) {
      expect(machine?.Properties).toMatchObject({
        StateMachineType: type,
        TracingConfiguration: { Enabled: true },
        EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: keyArn },
      });
    }
  });

  it('logs every transition of both, without execution data, to vended log groups', () => {
    expect(journey?.Properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: stack.resolve(stack.workflow.logGroup.logGroupArn) } }],
    });
    expect(stages?.Properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: stack.resolve(stack.workflow.stagesLogGroup.logGroupArn) } }],
    });
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'), KmsKeyId: keyArn, RetentionInDays: 365 },
      2,
    );
  });

  it('fills every placeholder of each definition file, and names JourneyStages in RunStages', () => {
    for (const [machine, file] of [
      [journey, PATIENT_JOURNEY_ASL],
      [stages, JOURNEY_STAGES_ASL],
    ] as const) {
      const substitutions = machine?.Properties.DefinitionSubstitutions as Record<string, unknown>;
      expect(new Set(Object.keys(substitutions)), file).toEqual(new Set(placeholdersOf(file)));
      for (const [name, spec] of catalog) {
        if (spec.aslPlaceholder && spec.aslPlaceholder in substitutions)
          expect(substitutions[spec.aslPlaceholder]).toEqual(stack.resolve(stack.functions.byName[name].functionArn));
      }
    }
    const substitutions = journey?.Properties.DefinitionSubstitutions as Record<string, unknown>;
    expect(substitutions[JOURNEY_STAGES_PLACEHOLDER]).toEqual(stack.resolve(stack.workflow.stagesStateMachine.stateMachineArn));
  });

  it('lets each state machine invoke exactly the functions its definition names, with no table access of its own', () => {
    for (const [machine, file] of [
      [stack.workflow.stateMachine, PATIENT_JOURNEY_ASL],
      [stack.workflow.stagesStateMachine, JOURNEY_STAGES_ASL],
    ] as const) {
      const statements = statementsOf(machine);
      const used = new Set(placeholdersOf(file));
      const expected = catalog
        .filter(([, spec]) => spec.aslPlaceholder && used.has(spec.aslPlaceholder))
        .map(([name]) => stack.resolve(stack.functions.byName[name].functionArn));
      const invoke = statements.filter((s) => s.Action === 'lambda:InvokeFunction');
      expect(expected.length, file).toBeGreaterThan(0);
      expect(sorted(invoke.flatMap((s) => s.Resource as unknown[])), file).toEqual(sorted(expected));
      expect(actionsOf(statements).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    }
  });

  it('lets the journey start, follow and stop runs of its stages, and nothing else of Step Functions', () => {
    const actions = actionsOf(statementsOf(stack.workflow.stateMachine));

    expect([...new Set(actions.filter((a) => a.startsWith('states:')))].sort()).toEqual([
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    const statements = statementsOf(stack.workflow.stateMachine);
    const followRuns = statements.filter((s) => JSON.stringify(s.Action).includes('states:DescribeExecution'));
    // Express runs have `…:express:<machine>:<name>:<id>` ARNs; the generic grant covers `…:execution:…` only.
    expect(JSON.stringify(followRuns.map((s) => s.Resource))).toContain(':express:');
    // JourneyStages is encrypted with the key: its runs' input and output need the key under its encryption context.
    const stagesArn = stack.resolve(stack.workflow.stagesStateMachine.stateMachineArn);
    const kmsForStages = statements.filter(
      (s) =>
        JSON.stringify(s.Action).includes('kms:GenerateDataKey') &&
        JSON.stringify(s.Condition ?? {}) ===
          JSON.stringify({ StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': stagesArn } }),
    );
    expect(kmsForStages).toHaveLength(1);
    expect(actions).toEqual(expect.arrayContaining(['events:PutTargets', 'events:PutRule', 'events:DescribeRule']));
    expect(actionsOf(statementsOf(stack.workflow.stagesStateMachine)).filter((a) => a.startsWith('states:'))).toEqual([]);
  });
});

describe('Construct: PatientAccessFunction', () => {
  it('builds one function per catalog entry and no other', () => {
    expect(Object.keys(functionResources)).toHaveLength(catalog.length);
  });

  it.each(catalog)('runs %s on nodejs24.x, arm64, with active tracing and its catalog size', (name, spec) => {
    expect(lambdaOf(name).Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: spec.memorySize,
      Timeout: spec.timeoutSeconds,
      Handler: 'index.handler',
    });
    expect(envOf(name)).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'patient-access' });
  });

  it.each(catalog)('gives %s its own encrypted log group with a retention', (name) => {
    const logGroupRef = (lambdaOf(name).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[logGroupRef]?.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: keyArn });
    expect(resources[logGroupRef]?.DeletionPolicy).toBe('Retain');
  });
});

describe('Construct: PatientAccessFunctions', () => {
  /** The environment variables each need must bring. */
  const envByNeed: Record<FunctionSpec['needs'][number], string[]> = {
    table: [ENV.tableName],
    startJourney: [ENV.journeyStateMachineArn],
    completeStaffTask: [], // a task token carries its execution
    redriveJourney: [],
    describeJourney: [],
    clearinghouse: [ENV.clearinghouseBaseUrl, ENV.clearinghouseApiKeySecretArn],
    payments: [ENV.paymentsBaseUrl, ENV.paymentsApiKeySecretArn],
    email: [ENV.senderEmail, ENV.sesConfigurationSet],
    staffAlerts: [ENV.staffAlertsTopicArn],
    auditArchive: [ENV.auditArchiveBucket],
    readAuditDays: [ENV.tableName],
    publishAppointmentEvents: [ENV.eventBusName],
    scheduleAppointmentTimers: [ENV.appointmentTimerGroup, ENV.appointmentTimerRoleArn, ENV.noShowTargetArn, ENV.offerExpiryTargetArn],
    offerLinks: [ENV.publicApiUrl],
    scheduleEscalations: [ENV.escalationScheduleGroup, ENV.escalationTargetArn, ENV.escalationSchedulerRoleArn],
    patientIdentityKey: [ENV.patientIdentityKeySecretArn],
    listJourneys: [ENV.journeyStateMachineArn],
  };
  const allNeedEnv = new Set(Object.values(envByNeed).flat());

  it.each(catalog)('sets exactly the environment variables %s needs', (name, spec) => {
    const expected = new Set(spec.needs.flatMap((need) => envByNeed[need]));
    const actual = new Set(Object.keys(envOf(name)).filter((key) => allNeedEnv.has(key)));
    expect(actual).toEqual(expected);
  });

  it('never puts an API key itself into a function environment', () => {
    for (const [name] of catalog) {
      expect(Object.keys(envOf(name))).not.toContain(ENV.clearinghouseApiKey);
      expect(Object.keys(envOf(name))).not.toContain(ENV.paymentsApiKey);
    }
  });

  it('grants no function a Scan, and the table stream only to the functions it triggers (auditStream, appointmentStream)', () => {
    const actions = catalog.flatMap(([name]) => actionsOf(statementsOf(name)));
    expect(actions).not.toContain('dynamodb:Scan');
    const streamReaders: ReadonlyArray<FunctionSpec['trigger']> = ['auditStream', 'appointmentStream'];
    const notTriggered = catalog.filter(([, spec]) => !streamReaders.includes((spec as FunctionSpec).trigger));
    expect(notTriggered.length).toBe(catalog.length - 2);
    const streamActions = notTriggered.flatMap(([name]) => actionsOf(statementsOf(name)));
    expect(streamActions.filter((a) => a.startsWith('dynamodb:GetRecords') || a.startsWith('dynamodb:GetShardIterator'))).toEqual([]);
  });

  it.each(['authorizeApiKey', 'listJourneys', 'listStaffTasks'] as const)('gives %s read-only table access', (name) => {
    const dynamoActions = actionsOf(statementsOf(name)).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamoActions).toContain('dynamodb:GetItem');
    expect(dynamoActions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it('denies every function that writes the table any update or delete of an audit partition (append-only trail)', () => {
    const tableArn = stack.resolve(stack.data.table.tableArn);
    for (const [name, spec] of catalog) {
      if (!spec.needs.includes('table')) continue;
      const allowed = statementsOf(name).filter((s) => s.Effect !== 'Deny');
      const denied = statementsOf(name).filter((s) => s.Effect === 'Deny');
      if (!actionsOf(allowed).includes('dynamodb:PutItem')) {
        expect(denied, name).toEqual([]);
        continue;
      }
      // Actions as a set: cdk.json's minimizePolicies flag sorts them.
      expect(
        denied.map((s) => ({ ...s, Action: [...(s.Action as string[])].sort() })),
        name,
      ).toEqual([
        {
          Effect: 'Deny',
          Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
          Resource: tableArn,
          Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['CLINIC#*#AUDIT#????-??-??'] } },
        },
      ]);
    }
  });

  it('lets only startJourney functions start executions and only completeStaffTask functions answer task tokens', () => {
    for (const [name, spec] of catalog) {
      const actions = actionsOf(statementsOf(name));
      expect(actions.includes('states:StartExecution'), name).toBe(spec.needs.includes('startJourney'));
      expect(actions.includes('states:SendTaskSuccess'), name).toBe(spec.needs.includes('completeStaffTask'));
    }
  });

  it('lets email functions send only as the sender identity through the configuration set', () => {
    for (const [name, spec] of catalog) {
      const send = statementsOf(name).filter((s) => actionsOf([s]).includes('ses:SendEmail'));
      expect(send.length > 0, name).toBe(spec.needs.includes('email'));
      for (const statement of send) expect(statement.Resource).toHaveLength(2);
    }
  });
});

describe('Construct: PatientAccessData, the patient identity key', () => {
  it('is a generated secret, encrypted with the key, retained, readable only by the functions that hash with it', () => {
    // prepare
    const secretRef = stack.resolve(stack.data.identityKey.secretArn).Ref as string;
    const secret = resources[secretRef];
    const readers = catalog.filter(([name]) => JSON.stringify(statementsOf(name)).includes(secretRef)).map(([name]) => name);

    // assess
    expect(secret?.Properties).toMatchObject({ KmsKeyId: keyArn, GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    expect(secret?.DeletionPolicy).toBe('Retain');
    expect(readers.sort()).toEqual(['correctPatient', 'submitIntake']);
  });
});

describe('Construct: TaskEscalations', () => {
  const actionsOf = (name: FunctionName) => statementsOf(name).flatMap((s) => [s.Action].flat());
  const schedulers = catalog
    .filter(([, spec]) => (spec.needs as FunctionSpec['needs']).includes('scheduleEscalations'))
    .map(([name]) => name);

  it('lets only the functions that open or reopen tasks create schedules, in the escalation group only, passing its role to Scheduler only', () => {
    // assess
    expect(schedulers.sort()).toEqual([
      'checkBookedTime',
      'decideStaffTask',
      'logContact',
      'managePriorAuthorization',
      'parkForStaff',
      'planReverification',
      'recordExecutionOutcome',
      'redriveExecution',
      'rescheduleCollisions',
      'reverifyEligibility',
      'screenIntake',
    ]);
    const groupName = stack.taskEscalations.group.scheduleGroupName;
    for (const name of schedulers) {
      // A function that also keeps appointment timers (planReverification) has a statement per group.
      const creates = statementsOf(name).filter((s) => [s.Action].flat().includes('scheduler:CreateSchedule'));
      const passes = statementsOf(name).filter((s) => [s.Action].flat().includes('iam:PassRole'));
      expect(creates.map((c) => JSON.stringify(c.Resource))).toContainEqual(expect.stringContaining(`:schedule/${groupName}/*`));
      // CDK merges the PassRole statements of both groups' roles into one.
      expect(passes.flatMap((p) => [p.Resource].flat())).toContainEqual(stack.resolve(stack.taskEscalations.schedulerRole.roleArn));
      for (const p of passes) expect(p.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
      expect(lambdaOf(name).Properties.Environment).toMatchObject({
        Variables: {
          [ENV.escalationScheduleGroup]: groupName,
          [ENV.escalationTargetArn]: stack.resolve(stack.functions.byName.escalateStaffTask.functionArn),
          [ENV.escalationSchedulerRoleArn]: stack.resolve(stack.taskEscalations.schedulerRole.roleArn),
        },
      });
    }
    // The other schedulers (appointment timers) create schedules in their own group only, passing their own role.
    const timerSchedulers = catalog
      .filter(([, spec]) => (spec.needs as FunctionSpec['needs']).includes('scheduleAppointmentTimers'))
      .map(([n]) => n);
    expect(timerSchedulers.sort()).toEqual(['expireWaitlistOffer', 'offerFreedTime', 'planReverification', 'watchForNoShow']);
    for (const name of timerSchedulers) {
      const creates = statementsOf(name)
        .filter((s) => [s.Action].flat().includes('scheduler:CreateSchedule'))
        .map((s) => JSON.stringify(s.Resource));
      const timerGroup = `:schedule/${stack.appointmentTimers.group.scheduleGroupName}/*`;
      expect(creates).toContainEqual(expect.stringContaining(timerGroup));
      // Into the escalation group only a function that opens tasks (planReverification reopens lapsed authorizations).
      if (!schedulers.includes(name)) expect(creates.join()).not.toContain(groupName);
      expect(lambdaOf(name).Properties.Environment).toMatchObject({
        Variables: {
          [ENV.appointmentTimerGroup]: stack.appointmentTimers.group.scheduleGroupName,
          [ENV.noShowTargetArn]: stack.resolve(timerTargetArn(stack.stackName, 'markNoShow')),
          [ENV.appointmentTimerRoleArn]: stack.resolve(stack.appointmentTimers.schedulerRole.roleArn),
        },
      });
    }
    for (const [name] of catalog.filter(([n]) => !schedulers.includes(n) && !timerSchedulers.includes(n))) {
      expect(actionsOf(name)).not.toContain('scheduler:CreateSchedule');
      expect(actionsOf(name)).not.toContain('iam:PassRole');
    }
  });

  it("subscribes each configured queue lead to that queue's overdue alerts only", () => {
    // prepare
    const { template: withLeads } = synthStack({ queueLeadEmails: '{"eligibility":"lead@clinic.example"}' });

    // assess
    withLeads.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'lead@clinic.example',
      FilterPolicy: { kind: ['TASK_OVERDUE'], queue: ['eligibility'] },
    });
    expect(Object.keys(template.findResources('AWS::SNS::Subscription'))).toEqual([]);
  });

  it('sends an escalation the function failed three times to an encrypted queue whose depth pages', () => {
    // prepare
    const queueArn = stack.resolve(stack.taskEscalations.deadLetterQueue.queueArn);
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig') as Record<string, Resource>);
    const queue = resources[stack.resolve(stack.taskEscalations.deadLetterQueue.queueName)['Fn::GetAtt'][0] as string];

    // assess: the escalation function's, and the no-show check's to the appointment timers' own queue
    const timersQueueArn = stack.resolve(stack.appointmentTimers.deadLetterQueue.queueArn);
    expect(configs).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          FunctionName: stack.resolve(stack.functions.byName.escalateStaffTask.functionName),
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: queueArn } },
        }),
      }),
      ...(['reverifyEligibility', 'expireWaitlistOffer', 'markNoShow'] as const).map((name) =>
        expect.objectContaining({
          Properties: expect.objectContaining({
            FunctionName: stack.resolve(stack.functions.byName[name].functionName),
            MaximumRetryAttempts: 2,
            DestinationConfig: { OnFailure: { Destination: timersQueueArn } },
          }),
        }),
      ),
    ]);
    expect(queue?.Properties.KmsMasterKeyId).toEqual(keyArn);
    expect(actionsOf('escalateStaffTask')).toContain('sqs:SendMessage');
  });

  it("gives the schedules' role, assumable by Scheduler of this account only, the escalation function's invoke and nothing else", () => {
    // prepare
    const roleRef = stack.resolve(stack.taskEscalations.schedulerRole.roleName);
    const role = resources[roleRef.Ref as string];
    const statements = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([roleRef]))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

    // assess
    expect(role?.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: stack.resolve(stack.functions.byName.escalateStaffTask.functionArn),
      }),
    ]);
  });
});

describe('Construct: PatientAccessHttpApi', () => {
  const authorizers = Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer') as Record<string, Resource>);
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>);

  it('serves every route of the catalog and no other', () => {
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  /** The template's route for a route of the catalog. */
  const routeOf = (route: (typeof API_ROUTES)[number]) => routes.find((r) => r.Properties.RouteKey === `${route.method} ${route.path}`);

  it('puts machine routes behind the API-key authorizer and staff routes behind the staff user pool’s JWT authorizer', () => {
    const byType = (type: string) => authorizers.filter(([, a]) => a.Properties.AuthorizerType === type);
    const [[apiKeyAuthorizer] = []] = byType('REQUEST');
    const [[jwtAuthorizer, jwt] = []] = byType('JWT');
    expect(authorizers).toHaveLength(2);
    expect(jwt?.Properties).toMatchObject({
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [stack.resolve(stack.staffIdentity.client.userPoolClientId)] },
    });
    expect(JSON.stringify(jwt?.Properties.JwtConfiguration)).toContain(
      JSON.stringify(stack.resolve(stack.staffIdentity.userPool.userPoolId)),
    );
    for (const route of API_ROUTES.filter((r) => r.auth.kind === 'clinic-key')) {
      expect(routeOf(route)?.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: apiKeyAuthorizer } });
    }
    const staffRoutes = API_ROUTES.filter((r) => r.auth.kind === 'staff');
    expect(staffRoutes.length).toBeGreaterThan(0);
    for (const route of staffRoutes) {
      expect(routeOf(route)?.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: jwtAuthorizer } });
    }
  });

  it('lets staff sign in as people: no self sign-up, MFA available, a group per role, a clinic only an admin sets', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      Schema: Match.arrayWith([Match.objectLike({ Name: 'clinicId', AttributeDataType: 'String', Mutable: true })]),
    });
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup') as Record<string, Resource>);
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual([...STAFF_ROLES].sort());
    // An empty WriteAttributes would be dropped and Cognito's default lets users write custom attributes: a list without
    // the clinic is what keeps a person in their clinic.
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
      WriteAttributes: ['locale'],
      AllowedOAuthFlowsUserPoolClient: false,
    });
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient') as Record<string, Resource>)[0];
    expect(JSON.stringify(client?.Properties.WriteAttributes)).not.toContain('clinicId');
  });

  it('deploys without an authorizer only the OpenAPI route (to a function that can touch nothing) and the waitlist offer links (their token is the credential); every other route with one', () => {
    // The template's own routes, not the catalog: what API Gateway will run, whatever contract/api-routes.ts says.
    const functionRef = (name: FunctionName) => stack.resolve(stack.functions.byName[name].functionName).Ref as string;
    const integrationOf = (route: Resource) => {
      const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      return resources[target['Fn::Join'][1][1].Ref];
    };
    const open = routes.filter(
      (r) => !['CUSTOM', 'JWT'].includes(String(r.Properties.AuthorizationType)) || r.Properties.AuthorizerId === undefined,
    );
    const guarded = routes.filter((r) => !open.includes(r));

    expect(open.map((r) => r.Properties.RouteKey).sort()).toEqual([
      'GET /openapi.json',
      'GET /v1/clinics/{clinicId}/waitlist-offers/{token}',
      'POST /v1/clinics/{clinicId}/waitlist-offers/{token}/accept',
    ]);
    for (const route of open) {
      expect(route.Properties.AuthorizationType).toBe('NONE');
      expect(route.Properties).not.toHaveProperty('AuthorizerId');
    }
    expect(open.map((r) => integrationOf(r)?.Properties.IntegrationUri)).toEqual(
      open.map((r) => ({
        'Fn::GetAtt': [functionRef(r.Properties.RouteKey === 'GET /openapi.json' ? 'getOpenApiDocument' : 'waitlistOffer'), 'Arn'],
      })),
    );
    expect(actionsOf(statementsOf('getOpenApiDocument')).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);

    expect(guarded).toHaveLength(routes.length - 3);
    const authorizerIds = new Set(authorizers.map(([id]) => id));
    for (const route of guarded)
      expect(authorizerIds, String(route.Properties.RouteKey)).toContain((route.Properties.AuthorizerId as { Ref: string }).Ref);
    const lambdaAuthorizer = authorizers.find(([, a]) => a.Properties.AuthorizerType === 'REQUEST')?.[1];
    expect(JSON.stringify(lambdaAuthorizer?.Properties.AuthorizerUri)).toContain(`"Fn::GetAtt":["${functionRef(API_AUTHORIZER)}","Arn"]`);
  });

  it('never caches an authorizer decision, which depends on the clinic in the path', () => {
    expect(authorizers[0]?.[1].Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.x-api-key'],
    });
  });

  it('integrates each route with its function using payload format 2.0', () => {
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Resource>);
    expect(integrations).toHaveLength(API_ROUTES.length);
    for (const integration of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
  });

  it('throttles the stage and writes JSON access logs without headers, bodies or source IPs', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage') as Record<string, Resource>);
    expect(stages).toHaveLength(1);
    const stage = stages[0] as Resource;
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
    const fields = Object.values(JSON.parse(format) as Record<string, string>);
    expect(fields).toContain('$context.requestId');
    expect(fields.filter((f) => /header|body|sourceIp|querystring|path\b/i.test(f))).toEqual([]);
  });
});

describe('Construct: Messaging', () => {
  it('requires TLS and tracks reputation on the SES configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('encrypts both topics with the key and refuses publishing without TLS', () => {
    const topics = Object.values(template.findResources('AWS::SNS::Topic') as Record<string, Resource>);
    expect(topics).toHaveLength(2);
    for (const topic of topics) expect(topic.Properties.KmsMasterKeyId).toEqual(keyArn);
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy') as Record<string, Resource>);
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });
});

describe('Construct: Monitoring', () => {
  type MetricQuery = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: Record<string, unknown> } };

  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>);
  const alarmTopic = stack.resolve(stack.messaging.alarmTopic.topicArn);
  /** What every alarm notifies: the alarm topic, on alarm and on return to OK; no data is healthy. */
  const notifies = { AlarmActions: [alarmTopic], OKActions: [alarmTopic], TreatMissingData: 'notBreaching' };

  /** The alarms whose (single or metric-math) metrics include this metric. */
  function alarmsOn(namespace: string, metricName: string, dimensions: unknown): Resource[] {
    const matches = (m: Record<string, unknown> | undefined) =>
      m?.Namespace === namespace && m.MetricName === metricName && JSON.stringify(m.Dimensions) === JSON.stringify(dimensions);
    return alarms.filter(
      (a) =>
        matches(a.Properties) || ((a.Properties.Metrics as MetricQuery[] | undefined) ?? []).some((q) => matches(q.MetricStat?.Metric)),
    );
  }

  /**
   * Whether a metric-math alarm breaches for one period's sums (a missing ID is a metric with no datapoint): evaluates
   * the alarm's own expression, as CloudWatch would for that period, and compares it with its threshold.
   */
  function breaches(alarm: Resource, sums: Record<string, number>): boolean {
    const queries = alarm.Properties.Metrics as MetricQuery[];
    const expression = queries.find((q) => q.ReturnData)?.Expression ?? '';
    // Only numbers, metric IDs, arithmetic, comparisons, IF and FILL: safe to evaluate as JavaScript.
    expect(expression).toMatch(/^[\w\s(),.+*/>=-]+$/);
    const ids = queries.filter((q) => q.MetricStat).map((q) => q.Id);
    const evaluate = new Function('IF', 'FILL', ...ids, `return ${expression};`);
    const value: unknown = evaluate(
      (condition: boolean, then: number, otherwise: number) => (condition ? then : otherwise),
      (series: number | undefined, fill: number) => series ?? fill,
      ...ids.map((id) => sums[id]),
    );
    // No value (missing data) does not breach: the alarms treat missing data as not breaching.
    if (typeof value !== 'number' || Number.isNaN(value)) return false;
    const threshold = alarm.Properties.Threshold as number;
    if (alarm.Properties.ComparisonOperator === 'GreaterThanThreshold') return value > threshold;
    if (alarm.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold') return value >= threshold;
    throw new Error(`unexpected comparison ${String(alarm.Properties.ComparisonOperator)}`);
  }

  /** The alarms on a rate built from this account-level Lambda metric (no dimension: every function of the account). */
  const rateAlarms = (metricName: string) =>
    [["the account's functions", alarmsOn('AWS/Lambda', metricName, undefined)]] as Array<[string, Resource[]]>;
  const errorRate = rateAlarms('Errors');
  const throttleRate = rateAlarms('Throttles');
  const only = (found: Resource[]): Resource => {
    expect(found).toHaveLength(1);
    return found[0] as Resource;
  };
  const { minInvocations } = FUNCTION_ALARM_POLICY;

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])('alarms on the first of %s journeys', (metricName) => {
    const dimensions = [{ Name: 'StateMachineArn', Value: stack.resolve(stack.workflow.stateMachine.stateMachineArn) }];
    const found = alarmsOn('AWS/States', metricName, dimensions);
    expect(found).toHaveLength(1);
    expect(found[0]?.Properties).toMatchObject({
      ...notifies,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it.each([
    ['status-change events', stack.journeyStatusEvents.deadLetterQueue],
    ['audit archive (stream batches that could not be archived)', stack.auditArchive.deadLetterQueue],
  ])('alarms as soon as an entry waits in the dead-letter queue of the %s', (_name, queue) => {
    const dimensions = [{ Name: 'QueueName', Value: stack.resolve(queue.queueName) }];
    const found = alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dimensions);
    expect(found).toHaveLength(1);
    expect(found[0]?.Properties).toMatchObject({
      ...notifies,
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('reads 21 alarm metrics in all, eleven past the free tier: an idle deployment pays $1.10 a month for its alarms ($2.10 as the bench counts, without the free tier)', () => {
    const metrics = alarms.reduce(
      (n, a) => n + ((a.Properties.Metrics as MetricQuery[] | undefined)?.filter((q) => q.MetricStat).length ?? 1),
      0,
    );
    expect(metrics).toBe(21);
  });

  it.each(['ReadThrottleEvents', 'WriteThrottleEvents'])(
    'alarms when DynamoDB throttles the table’s %s (cdk-monitoring-constructs)',
    (metricName) => {
      const found = alarmsOn('AWS/DynamoDB', metricName, [{ Name: 'TableName', Value: stack.resolve(stack.data.table.tableName) }]);
      expect(found).toHaveLength(1);
      expect(found[0]?.Properties).toMatchObject({ ...notifies, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    },
  );

  it('alarms when the HTTP API’s p90 latency stays above its goal (cdk-monitoring-constructs)', () => {
    const found = alarms.filter((a) =>
      ((a.Properties.Metrics as MetricQuery[] | undefined) ?? []).some(
        (q) => q.MetricStat?.Metric.Namespace === 'AWS/ApiGateway' && q.MetricStat.Metric.MetricName === 'Latency',
      ),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.Properties).toMatchObject({
      ...notifies,
      AlarmName: 'PatientAccess-HttpApi-Latency-P90-Warning',
      Threshold: API_P90_LATENCY_GOAL.toMilliseconds(),
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // Only from more than 10 requests in the period: one cold start in a quiet period is no slow API.
    const queries = found[0]?.Properties.Metrics as MetricQuery[];
    expect(queries.find((q) => q.ReturnData)?.Expression).toBe(`IF(sampleCount > ${API_ALARM_POLICY.minRequests}, metric)`);
    expect(
      queries
        .map((q) => (q.MetricStat as { Stat?: string } | undefined)?.Stat)
        .filter(Boolean)
        .sort(),
    ).toEqual(['SampleCount', 'p90']);
  });

  describe('the dashboard', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Record<string, Resource>);
    /** The dashboard's JSON body, its tokens (the table's name, the state machine's ARN…) as `TOKEN`. */
    const resolved = stack.resolve(dashboards[0]?.Properties.DashboardBody) as { 'Fn::Join'?: [string, unknown[]] } | string;
    const body =
      typeof resolved === 'string'
        ? resolved
        : (resolved['Fn::Join']?.[1] ?? []).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    const widgets = (JSON.parse(body) as { widgets: Array<{ properties?: { metrics?: unknown[][] } }> }).widgets;
    /** Every metric of the product's namespace on the dashboard, as `<name> <dimension>=<value>` (its `service` apart). */
    const productMetrics = widgets
      .flatMap((widget) => widget.properties?.metrics ?? [])
      .filter((metric) => metric[0] === JOURNEY_METRICS.namespace)
      .map((metric) => {
        const [, name, ...rest] = metric.filter((part) => typeof part === 'string') as string[];
        const dimensions = Object.fromEntries(Array.from({ length: rest.length / 2 }, (_, i) => [rest[2 * i], rest[2 * i + 1]]));
        const { service, ...others } = dimensions;
        expect(service).toBe(JOURNEY_METRICS.service);
        return `${name} ${Object.entries(others)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`;
      });

    it('is one dashboard, free within an account’s first three', () => {
      expect(dashboards).toHaveLength(1);
    });

    it('shows the journey workflow, the HTTP API and the table', () => {
      expect(body).toContain('AWS/States');
      expect(body).toContain('AWS/ApiGateway');
      expect(body).toContain('AWS/DynamoDB');
    });

    it('shows the product’s metrics per stage, status and queue, and no other dimension', () => {
      for (const stage of STAGES) {
        expect(productMetrics).toContain(`${JOURNEY_METRICS.parked} stage=${stage}`);
        expect(productMetrics).toContain(`${JOURNEY_METRICS.stopped} stage=${stage}`);
        expect(productMetrics).toContain(`${JOURNEY_METRICS.timeInStage} stage=${stage}`);
      }
      for (const status of ['COMPLETED', 'CANCELLED', 'FAILED'])
        expect(productMetrics).toContain(`${JOURNEY_METRICS.ended} status=${status}`);
      for (const queue of STAFF_QUEUES) expect(productMetrics).toContain(`${JOURNEY_METRICS.overdue} queue=${queue}`);
      expect(new Set(productMetrics.map((m) => m.split(' ')[1]?.split('=')[0]))).toEqual(new Set(['stage', 'status', 'queue']));
      expect(productMetrics).toHaveLength(3 * STAGES.length + 3 + STAFF_QUEUES.length);
    });
  });

  it('alarms when the audit archive falls more than an hour behind the table’s stream', () => {
    const alarm = alarms.find((a) => a.Properties.MetricName === 'IteratorAge');
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 3_600_000,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(stack.functions.byName.archiveAuditRecords.functionName) }],
    });
  });

  it('alarms on one stop of the journey stages that names no checkpoint, counted from parkForStaff’s log', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: stack.resolve(stack.functions.byName.parkForStaff.logGroup.logGroupName),
      FilterPattern: `{ $.message = "${UNEXPECTED_STOP_MESSAGE}" }`,
      MetricTransformations: [{ MetricNamespace: 'PatientAccess', MetricName: 'UnexpectedStageStops', MetricValue: '1' }],
    });
    const alarm = alarms.find((a) => a.Properties.MetricName === 'UnexpectedStageStops');
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum' });
  });

  it('alarms on one task whose escalation could not be scheduled, counted from the log of every function that schedules one', () => {
    const openers = catalog.filter(([, spec]) => (spec as FunctionSpec).needs.includes('scheduleEscalations')).map(([name]) => name);
    expect(openers.sort()).toEqual([
      'checkBookedTime',
      'decideStaffTask',
      'logContact',
      'managePriorAuthorization',
      'parkForStaff',
      'planReverification',
      'recordExecutionOutcome',
      'redriveExecution',
      'rescheduleCollisions',
      'reverifyEligibility',
      'screenIntake',
    ]);
    for (const name of openers)
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: stack.resolve(stack.functions.byName[name as FunctionName].logGroup.logGroupName),
        FilterPattern: `{ $.message = "${ESCALATION_NOT_SCHEDULED_MESSAGE}" }`,
        MetricTransformations: [{ MetricNamespace: 'PatientAccess', MetricName: 'EscalationsNotScheduled', MetricValue: '1' }],
      });
    const alarm = alarms.filter((a) => a.Properties.MetricName === 'EscalationsNotScheduled');
    expect(alarm).toHaveLength(1);
    expect(alarm[0]?.Properties).toMatchObject({ ...notifies, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('alarms on no single function: the rates are over every function of the account', () => {
    const perFunction = alarms.filter((a) =>
      ((a.Properties.Metrics as MetricQuery[] | undefined) ?? []).some((q) =>
        JSON.stringify(q.MetricStat?.Metric.Dimensions ?? []).includes('FunctionName'),
      ),
    );
    expect(perFunction).toEqual([]);
  });

  it('never alarms on a bare count of function errors or throttles, which the workflow retries', () => {
    const bare = alarms.filter(
      (a) => a.Properties.Namespace === 'AWS/Lambda' && ['Errors', 'Throttles'].includes(String(a.Properties.MetricName)),
    );
    expect(bare).toEqual([]);
  });

  it.each(errorRate)('alarms on the error rate of %s, over its invocations', (_name, found) => {
    const alarm = only(found);
    expect(alarm.Properties).toMatchObject(notifies);
    const metrics = (alarm.Properties.Metrics as MetricQuery[]).flatMap((q) => (q.MetricStat ? [q.MetricStat.Metric.MetricName] : []));
    expect(metrics.sort()).toEqual(['Errors', 'Invocations']);
  });

  it.each(throttleRate)('alarms on the throttle rate of %s, over its calls', (_name, found) => {
    const alarm = only(found);
    expect(alarm.Properties).toMatchObject(notifies);
    const metrics = (alarm.Properties.Metrics as MetricQuery[]).flatMap((q) => (q.MetricStat ? [q.MetricStat.Metric.MetricName] : []));
    expect(metrics.sort()).toEqual(['Invocations', 'Throttles']);
  });

  it.each(errorRate)('does not alarm on one retried error of %s, at any volume', (_name, found) => {
    const alarm = only(found);
    for (let invocations = 1; invocations <= 200; invocations++) {
      expect(breaches(alarm, { invocations, errors: 1 }), `1 error in ${invocations}`).toBe(false);
    }
  });

  it.each(errorRate)('alarms when many calls of %s fail, but not on too few calls to make a rate', (_name, found) => {
    const alarm = only(found);
    expect(breaches(alarm, { invocations: minInvocations, errors: 2 })).toBe(true);
    expect(breaches(alarm, { invocations: 100, errors: 30 })).toBe(true);
    expect(breaches(alarm, { invocations: 100, errors: 5 })).toBe(false);
    expect(breaches(alarm, { invocations: minInvocations - 1, errors: minInvocations - 1 })).toBe(false);
    expect(breaches(alarm, {})).toBe(false);
  });

  it.each(throttleRate)('alarms when many calls of %s are throttled, not on one', (_name, found) => {
    const alarm = only(found);
    // A throttled call is no invocation: throttling every call must still alarm.
    expect(breaches(alarm, { throttles: minInvocations })).toBe(true);
    expect(breaches(alarm, { invocations: 50, throttles: 20 })).toBe(true);
    for (let invocations = minInvocations - 1; invocations <= 200; invocations++) {
      expect(breaches(alarm, { invocations, throttles: 1 }), `1 throttle with ${invocations} invocations`).toBe(false);
    }
    expect(breaches(alarm, {})).toBe(false);
  });

  describe('the API 5xx alarm', () => {
    const stageDimensions = [
      { Name: 'ApiId', Value: stack.resolve(stack.httpApi.api.apiId) },
      { Name: 'Stage', Value: stack.resolve(stack.httpApi.stage.stageName) },
    ];
    const { minRequests } = API_ALARM_POLICY;

    it('alarms on the 5xx rate over the requests, never on a bare count of 5xx', () => {
      const alarm = only(alarmsOn('AWS/ApiGateway', '5xx', stageDimensions));
      expect(alarm.Properties).toMatchObject(notifies);
      const metrics = (alarm.Properties.Metrics as MetricQuery[]).flatMap((q) =>
        q.MetricStat ? [`${String(q.MetricStat.Metric.MetricName)} ${JSON.stringify(q.MetricStat.Metric.Dimensions)}`] : [],
      );
      expect(metrics.sort()).toEqual([`5xx ${JSON.stringify(stageDimensions)}`, `Count ${JSON.stringify(stageDimensions)}`]);
      expect(alarms.filter((a) => a.Properties.Namespace === 'AWS/ApiGateway')).toEqual([]);
    });

    it('does not alarm on a single 5xx (a 503 the caller sends again), at any volume', () => {
      const alarm = only(alarmsOn('AWS/ApiGateway', '5xx', stageDimensions));
      for (let requests = 1; requests <= 200; requests++) {
        expect(breaches(alarm, { requests, serverErrors: 1 }), `1 5xx in ${requests} requests`).toBe(false);
      }
    });

    it('alarms when many requests fail, but not on too few requests to make a rate', () => {
      const alarm = only(alarmsOn('AWS/ApiGateway', '5xx', stageDimensions));
      expect(breaches(alarm, { requests: minRequests, serverErrors: 2 })).toBe(true);
      expect(breaches(alarm, { requests: 100, serverErrors: 30 })).toBe(true);
      expect(breaches(alarm, { requests: 100, serverErrors: 5 })).toBe(false);
      expect(breaches(alarm, { requests: minRequests - 1, serverErrors: minRequests - 1 })).toBe(false);
      expect(breaches(alarm, {})).toBe(false);
    });
  });
});
