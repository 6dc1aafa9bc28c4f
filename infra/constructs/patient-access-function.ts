import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetStaging, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV, type FunctionSpec } from '#contract/function-catalog.ts';
import { INLINE_POLICY_REASON } from '#infra/nag.ts';
import { grantTableData, type TableAccess } from './data.ts';

/** The repository root: handler entries in contract/function-catalog.ts are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * ESM output needs `require` for the few CommonJS dependencies that call it for Node built-ins; esbuild leaves
 * those calls in place, so the bundle defines one.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Modules a deployed bundle replaces, as esbuild aliases: package → file, relative to REPO_ROOT (esbuild resolves an
 * alias's target in its working directory, which is the project root when CDK bundles locally, and `workingDirectory`
 * below when it bundles in Docker). The SDK's default credential chain becomes the environment alone: in Lambda the
 * role's credentials are always there (docs/decisions.md, "Deployed bundles take credentials from the environment").
 */
export const BUNDLE_ALIASES = {
  '@aws-sdk/credential-provider-node': './infra/bundling/env-credential-provider.ts',
} as const;

/**
 * How every handler is bundled: one minified ESM file for Node 24 with source maps (without embedded sources, to
 * keep the zip small) and the AWS SDK inside it rather than taken from the runtime, with BUNDLE_ALIASES applied.
 * Exported so the benchmark bundles exactly as a deployment does.
 */
export const HOUSE_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  bundleAwsSDK: true,
  externalModules: [] as string[],
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
  // Docker bundling (when esbuild is not installed) runs in the mounted project, so the aliases resolve there too.
  workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
  logLevel: LogLevel.WARNING,
} satisfies BundlingOptions;

export interface PatientAccessFunctionProps {
  /** The catalog entry this function is built from (entry, description, memory, timeout). */
  spec: FunctionSpec;
  /** Encrypts the function's log group. */
  encryptionKey: IKey;
  /** @default RetentionDays.ONE_YEAR */
  logRetention?: RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RemovalPolicy.RETAIN */
  logRemovalPolicy?: RemovalPolicy;
  /** Extra environment variables; more can be added later with `addEnvironment`. @default none */
  environment?: Record<string, string>;
  /**
   * A name fixed at synthesis, for a function that must know its own ARN without referring to itself (a timer target
   * that schedules its own next run: CloudFormation refuses a resource whose properties refer to it). @default generated
   */
  functionName?: string;
}

/**
 * The house Lambda function: Node 24 on arm64, one ESM bundle per handler with the AWS SDK inside it (so the code
 * that runs is the code that was tested, not the runtime's SDK of the day), source maps, active X-Ray tracing, its
 * own KMS-encrypted log group with a retention, and a role that holds only what the function is granted.
 */
export class PatientAccessFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PatientAccessFunctionProps) {
    const { spec } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // A role of our own instead of the default one with AWSLambdaBasicExecutionRole: that managed policy allows
    // writing to every log group in the account, this one only to the function's own.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    super(scope, id, {
      ...(props.functionName ? { functionName: props.functionName } : {}),
      entry: path.join(REPO_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: spec.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'patient-access',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: HOUSE_BUNDLING,
    });

    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'The only statement on "*" is xray:PutTraceSegments/PutTelemetryRecords, added by active tracing: X-Ray ' +
          'has no resource-level permissions. Every other grant names its resources.',
      },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
    );
  }

  /**
   * Grants table access (and use of the table's KMS key) and sets TABLE_NAME, in one call so the two can never
   * disagree. `read` is for functions that only look things up, such as the authorizer.
   */
  useTable(table: ITable, access: TableAccess = 'readWrite'): this {
    grantTableData(table, this, access);
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }
}
