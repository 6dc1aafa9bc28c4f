import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, type IEventSourceDlq, type Function as LambdaFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AUDIT_ARCHIVE_DELIVERY,
  AUDIT_ARCHIVE_FILTER,
  AUDIT_ARCHIVE_PREFIX,
  AUDIT_ARCHIVE_RETENTION_DAYS,
} from '#contract/audit-archive.ts';
import { ENV } from '#contract/function-catalog.ts';
import { AUDIT_PARTITION_PATTERN } from './data.ts';

export interface AuditArchiveProps {
  /** The table, with its stream (contract/table-schema.ts, streamViewType). */
  table: ITable;
  key: IKey;
  /** The function the stream's audit inserts invoke (archiveAuditRecords: catalog trigger `auditStream`). */
  target: LambdaFunction;
  /** The functions whose catalog entry names `auditArchive`: each may create objects in the archive, nothing more. */
  writers: readonly LambdaFunction[];
  /** The functions whose catalog entry names `readAuditDays` (an operator's re-archive): Query on audit partitions only. */
  dayReaders: readonly LambdaFunction[];
}

/**
 * Objects at least this large move to S3 Glacier Deep Archive; smaller ones stay in S3 Standard, where they cost less
 * over six years (each archived object carries 40 KB of overhead, 8 KB of it billed at the Standard rate, plus a
 * $0.05-per-1,000 transition): see the decision record "The audit archive's storage class".
 */
export const DEEP_ARCHIVE_MIN_OBJECT_BYTES = 128 * 1024;
/** Days in S3 Standard before a large object moves to Deep Archive (whose minimum storage is 180 days, far less than six years). */
export const DEEP_ARCHIVE_AFTER_DAYS = 30;

/**
 * The tamper-evident copy of the audit trail. The table's stream (new images) feeds archiveAuditRecords through an
 * event source mapping filtered to audit-record inserts (contract/audit-archive.ts); the function writes each batch's
 * records of one clinic and day as one JSON Lines object into an S3 bucket with Object Lock in compliance mode: every
 * object version is kept, unchangeable and undeletable by anyone (the account's root user included) for the records'
 * six years, then expires. A batch that still fails after its retries leaves its position in the stream (shard and
 * sequence numbers) in a KMS-encrypted dead-letter queue, whose depth raises an alarm (Monitoring); the records
 * themselves stay in the table for 400 days (AUDIT_TABLE_RETENTION_DAYS), from which they can be archived again.
 */
export class AuditArchive extends Construct {
  readonly bucket: s3.Bucket;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AuditArchiveProps) {
    super(scope, id);
    const { table, key, target } = props;
    const stack = Stack.of(this);
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error('The audit archive needs the table to have a stream (contract/table-schema.ts, streamViewType)');

    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(AUDIT_ARCHIVE_RETENTION_DAYS)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      // One data key per bucket and period instead of a KMS request per object.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'LargeObjectsToDeepArchive',
          objectSizeGreaterThan: DEEP_ARCHIVE_MIN_OBJECT_BYTES - 1,
          transitions: [{ storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(DEEP_ARCHIVE_AFTER_DAYS) }],
        },
        {
          // Once the lock has run out: the object is hidden the next day and its version deleted a day later, as the
          // table's TTL deletes the record. (Lifecycle cannot delete a version whose retention has not ended.)
          id: 'ExpireAfterRetention',
          expiration: Duration.days(AUDIT_ARCHIVE_RETENTION_DAYS + 1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });
    // CloudFormation types the size filter as a string (CDK passes a number, which it would coerce).
    (this.bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride(
      'LifecycleConfiguration.Rules.0.ObjectSizeGreaterThan',
      String(DEEP_ARCHIVE_MIN_OBJECT_BYTES - 1),
    );
    // Every object is created once: a PutObject without `If-None-Match` (which could add a version over an existing
    // key) is refused, whoever sends it. Versions already written are protected by the lock either way.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPutWithoutIfNoneMatch',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
      }),
    );
    // Nobody but the archive's writers creates objects: another principal of the account could otherwise add a
    // convincing record under a new key.
    const writerRoles = props.writers.flatMap((writer) => (writer.role ? [writer.role.roleArn] : []));
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPutByOthers',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:PrincipalArn': writerRoles } },
      }),
    );
    Validations.of(this.bucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason:
          'Server access logs need a second bucket, which S3 log delivery can only encrypt with SSE-S3, not the stack key. ' +
          'Only the archive function may create objects (bucket policy), each write is a conditional create of an object ' +
          'locked in compliance mode, and its invocations are logged. Object-level CloudTrail data events are not enabled ' +
          'by this stack; a clinic that wants them adds a trail.',
      },
      {
        id: 'HIPAA.Security-S3BucketLoggingEnabled',
        reason:
          'As AwsSolutions-S1: server access logs would need an SSE-S3 bucket; only the archive function may write, and only conditional creates of locked objects.',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'The archive is the audit trail of record: after 400 days (and the backups that outlive them) it is the only ' +
          'copy. Compliance-mode Object Lock keeps every version from change or deletion by anyone, and S3 stores each ' +
          'object across several Availability Zones; it does not survive the loss of the Region or of the stack key. A ' +
          'clinic that needs that adds replication to a locked bucket in a second Region (docs/decisions.md).',
      },
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue = "This queue is itself the on-failure destination of the audit stream's mapping; its depth raises an alarm.";
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue },
    );

    // The stream, read by the mapping with the function's role: its records only, never the table's items.
    target.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [streamArn],
      }),
    );
    target.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      }),
    );
    // What a failed batch's record (its shard and sequence numbers, no record data) needs to reach the encrypted
    // queue: SendMessage on it, and the key through SQS only (SqsDlq would grant kms:GenerateDataKey* and ReEncrypt*).
    target.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    target.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );
    target.addEventSourceMapping('AuditRecordInserts', {
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: AUDIT_ARCHIVE_DELIVERY.batchSize,
      maxBatchingWindow: Duration.seconds(AUDIT_ARCHIVE_DELIVERY.maxBatchingWindowSeconds),
      retryAttempts: AUDIT_ARCHIVE_DELIVERY.retryAttempts,
      bisectBatchOnError: AUDIT_ARCHIVE_DELIVERY.bisectBatchOnError,
      maxRecordAge: Duration.hours(AUDIT_ARCHIVE_DELIVERY.maxRecordAgeHours),
      reportBatchItemFailures: true,
      onFailure: deadLetterDestination(this.deadLetterQueue),
      filters: [FilterCriteria.filter(AUDIT_ARCHIVE_FILTER as unknown as Record<string, unknown>)],
    });

    // An operator's re-archive of a day (docs/runbook.md, DeadLetters2) reads that day's audit partition: Query, on
    // audit partitions only, and the key through DynamoDB; nothing else of the table's items.
    for (const reader of props.dayReaders) {
      reader.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [AUDIT_PARTITION_PATTERN] } },
        }),
      );
      if (reader !== target)
        reader.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
          }),
        );
      reader.addEnvironment(ENV.tableName, table.tableName);
    }

    for (const writer of props.writers) {
      // Create objects under the archive's prefix, nothing else: no read, delete, retention or legal-hold change.
      writer.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${AUDIT_ARCHIVE_PREFIX}*`)] }),
      );
      writer.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
      writer.addEnvironment(ENV.auditArchiveBucket, this.bucket.bucketName);
      const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
      Validations.of(writer.role ?? writer).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${AUDIT_ARCHIVE_PREFIX}*]`,
        reason:
          'Archive objects are named at run time by clinic, day, first record and content hash, so the grant names the ' +
          "archive's prefix; it allows creating objects only (PutObject, which the bucket policy requires to be conditional), " +
          'and the objects are locked in compliance mode once written.',
      });
    }
  }
}

/** The mapping's on-failure destination, bound without CDK's broad queue grant (the target's role gets the narrow one above). */
function deadLetterDestination(queue: sqs.IQueue): IEventSourceDlq {
  return { bind: () => ({ destination: queue.queueArn }) };
}
