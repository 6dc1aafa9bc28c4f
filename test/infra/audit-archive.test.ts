import { describe, expect, it } from 'vitest';
import { AUDIT_ARCHIVE_DELIVERY, AUDIT_ARCHIVE_FILTER, AUDIT_ARCHIVE_RETENTION_DAYS } from '#contract/audit-archive.ts';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { DEEP_ARCHIVE_MIN_OBJECT_BYTES } from '#infra/constructs/audit-archive.ts';
import { synthStack } from './synth-stack.ts';

const { stack, template } = synthStack();
type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
const resources = template.toJSON().Resources as Record<string, Resource>;
const archive = stack.auditArchive;
const bucketId = stack.resolve(archive.bucket.bucketName).Ref as string;
const bucket = resources[bucketId]?.Properties ?? {};
const keyArn = stack.resolve(stack.data.key.keyArn);
const tableArn = stack.resolve(stack.data.table.tableArn);
const streamArn = stack.resolve(stack.data.table.tableStreamArn);
const bucketArn = stack.resolve(archive.bucket.bucketArn);
const deadLetterArn = stack.resolve(archive.deadLetterQueue.queueArn);
const functionRef = (name: FunctionName) => stack.resolve(stack.functions.byName[name].functionName);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every statement the function's role holds, from every policy attached to it. */
function statementsOf(name: FunctionName): Statement[] {
  const role = stack.resolve(stack.functions.byName[name].role?.roleName);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([role]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('Construct: AuditArchive', () => {
  it('locks every object version in compliance mode for the audit retention, six years, on a versioned bucket', () => {
    expect(bucket.ObjectLockEnabled).toBe(true);
    expect(bucket.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: AUDIT_ARCHIVE_RETENTION_DAYS } },
    });
    expect(AUDIT_ARCHIVE_RETENTION_DAYS).toBe(2190);
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(resources[bucketId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('encrypts with the stack key (bucket key on), blocks public access and refuses requests without TLS', () => {
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
      ],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy')?.Properties ?? {};
    const statements = (policy.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Condition: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
      }),
    );
    // Only the archive's writer creates objects: nobody else of the account can add a forged record under a new key.
    const byOthers = statements.find((st) => (st as { Sid?: string }).Sid === 'DenyPutByOthers') as
      | (Statement & { Condition?: { StringNotEquals?: Record<string, unknown> } })
      | undefined;
    expect(byOthers).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject' });
    expect(JSON.stringify(byOthers?.Condition?.StringNotEquals?.['aws:PrincipalArn'])).toContain('ArchiveAuditRecordsRole');
  });

  it('moves only objects of 128 KiB and more to Deep Archive, and expires versions once their lock has run out', () => {
    const rules = (bucket.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        ObjectSizeGreaterThan: String(DEEP_ARCHIVE_MIN_OBJECT_BYTES - 1),
        Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 30 }],
      }),
    );
    const expiry = rules.find((r) => r.ExpirationInDays !== undefined);
    expect(expiry?.ExpirationInDays).toBeGreaterThan(AUDIT_ARCHIVE_RETENTION_DAYS);
    expect(expiry?.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 1 });
  });

  it('turns the table stream on with new images', () => {
    const tableId = stack.resolve(stack.data.table.tableName).Ref as string;
    expect(resources[tableId]?.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  it('feeds the archive function the filtered stream, reporting item failures, bisecting, and dead-lettering what still fails', () => {
    // The stream's other reader is publishAppointmentEvents (test/infra/appointment-events.test.ts): two in all, as DynamoDB advises.
    const mappings = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.EventSourceArn) === JSON.stringify(streamArn) &&
        JSON.stringify(r.Properties.FunctionName) === JSON.stringify(functionRef('archiveAuditRecords')),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toEqual({
      FunctionName: functionRef('archiveAuditRecords'),
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: AUDIT_ARCHIVE_DELIVERY.batchSize,
      MaximumBatchingWindowInSeconds: AUDIT_ARCHIVE_DELIVERY.maxBatchingWindowSeconds,
      MaximumRetryAttempts: AUDIT_ARCHIVE_DELIVERY.retryAttempts,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: AUDIT_ARCHIVE_DELIVERY.maxRecordAgeHours * 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: deadLetterArn } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(AUDIT_ARCHIVE_FILTER) }] },
    });
    const deadLetters = resources[stack.resolve(archive.deadLetterQueue.queueName)['Fn::GetAtt'][0]]?.Properties;
    expect(deadLetters?.KmsMasterKeyId).toEqual(keyArn);
  });

  it('lets the archive function create objects under audit/, read the stream, and query audit partitions, nothing else of the table', () => {
    const statements = statementsOf('archiveAuditRecords');
    const allowed = statements.filter((s) => s.Effect === 'Allow');
    expect(allowed).toContainEqual(
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [bucketArn, '/audit/*']] } }),
    );
    const s3Actions = allowed.flatMap(actions).filter((a) => a.startsWith('s3:'));
    expect(s3Actions).toEqual(['s3:PutObject']);
    const dynamo = allowed.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => s.Resource)).toEqual([streamArn, tableArn]);
    expect(dynamo.flatMap(actions).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:Query',
    ]);
    // The table itself: Query only, and only where the partition key is an audit day's (an operator's re-archive).
    expect(dynamo.find((s) => s.Resource === tableArn || JSON.stringify(s.Resource) === JSON.stringify(tableArn))).toMatchObject({
      Action: 'dynamodb:Query',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLINIC#*#AUDIT#????-??-??'] } },
    });
    // The key only through S3 (writing), DynamoDB (reading the stream) and SQS (the dead-letter queue).
    const kms = allowed.filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    const via = kms.map((s) => JSON.stringify((s.Condition as { StringEquals: Record<string, unknown> }).StringEquals['kms:ViaService']));
    expect(via.map((v) => /"(dynamodb|s3|sqs)\./.exec(v)?.[1]).sort()).toEqual(['dynamodb', 's3', 'sqs']);
  });

  it('lets no other function write to the archive', () => {
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      if (name === 'archiveAuditRecords') continue;
      expect(JSON.stringify(statementsOf(name)), name).not.toContain(JSON.stringify(bucketArn));
    }
  });
});
