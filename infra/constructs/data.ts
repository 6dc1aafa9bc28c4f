import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '#contract/table-schema.ts';

/**
 * The data at rest: one customer-managed KMS key for everything the stack stores (table, log groups, state machine,
 * topics, secrets) and the single DynamoDB table built from contract/table-schema.ts, the same schema the local cloud
 * creates. Both are retained when the stack is deleted: patient records outlive any deployment.
 */
export class PatientAccessData extends Construct {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  /**
   * The patient identity key: keys the HMACs that patient match entries and submission IDs are stored under. Generated
   * once, never rotated (a new key would orphan every match entry: returning patients would be registered again), and
   * retained with the table whose keys depend on it.
   */
  readonly identityKey: secretsmanager.Secret;

  /** `indexes`: the table's global secondary indexes to deploy, by name (config `tableIndexes`); all by default. */
  constructor(scope: Construct, id: string, props: { indexes?: readonly string[] } = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'Patient Access: encrypts the table, logs, workflow state, topics and secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts log groups with the key itself, so it needs a key-policy grant (an IAM grant cannot
    // name a service). Scoped to log groups of this account and region by the encryption context.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // CloudWatch alarms publish to the KMS-encrypted alarm topic as the CloudWatch service.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      // Read by the audit archive (AuditArchive): the stream's records are kept 24 hours and cost nothing to read from Lambda.
      stream: dynamodb.StreamViewType[TABLE_SCHEMA.streamViewType],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deployed = TABLE_SCHEMA.globalSecondaryIndexes.filter((gsi) => !props.indexes || props.indexes.includes(gsi.indexName));
    for (const gsi of deployed) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[gsi.projection],
      });
    }

    // PITR restores any second of the last 35 days; the vault keeps copies beyond that and survives even a
    // deleted table (HIPAA contingency plan, 164.308(a)(7)).
    const vault = new backup.BackupVault(this, 'BackupVault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = new backup.BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [backup.BackupPlanRule.daily(), backup.BackupPlanRule.monthly1Year()],
    });
    const selection = plan.addSelection('Table', { resources: [backup.BackupResource.fromDynamoDbTable(this.table)] });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's service role uses the AWS-managed policy AWS maintains for exactly this purpose; the role can " +
        'only be assumed by backup.amazonaws.com and the selection limits it to this table.',
    });

    this.identityKey = new secretsmanager.Secret(this, 'PatientIdentityKey', {
      description: 'Patient Access: the key of the patient match and submission ID hashes (HMAC). Never change it.',
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const noRotation =
      'The key names stored items (patient match entries, submission IDs): rotating it would orphan them, so returning ' +
      'patients would be registered again. It never leaves Secrets Manager and the functions that hash with it.';
    Validations.of(this.identityKey).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: noRotation },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason: noRotation },
    );
  }
}

/** What a principal may do with the table: `read` serves lookups only; `readWrite` adds item writes. */
export type TableAccess = 'read' | 'readWrite';

/**
 * Item-level actions only. No Scan (the data model never needs one), no stream or table-management actions.
 * Transactions are authorised per item by these same actions.
 */
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

/**
 * KMS actions DynamoDB performs with the caller's credentials on a table encrypted with a customer-managed key:
 * the set CDK's own table grants use, with its wildcards spelled out.
 */
const TABLE_KEY_ACTIONS: Record<TableAccess, string[]> = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  readWrite: [
    'kms:Decrypt',
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
  ],
};

/**
 * The audit trail's partitions (keys.audit: `CLINIC#<clinicId>#AUDIT#<yyyy-mm-dd>`), as an IAM pattern on the partition
 * key. The date's shape is part of it: a department or resource whose ID is `AUDIT` has partitions that end in `#BUSY`
 * and `#LOCK`, and IDs cannot hold `#` (contract/api/path-ids.ts), so no other item's partition key matches it
 * (test/unit/shared/audit.test.ts).
 */
export const AUDIT_PARTITION_PATTERN = 'CLINIC#*#AUDIT#????-??-??';

/**
 * What no function may do to an audit partition: change or remove a record (TTL deletes them after 400 days, as the
 * DynamoDB service, not as a function; the archive keeps them six years). Records are only ever appended, with a PutItem conditional on a new key
 * (audit-store.ts); a transaction's items are authorised by these same actions, so this holds inside them too.
 */
export const AUDIT_DENIED_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Grants item access to the table and its named indexes (no `index/*` wildcard: the index names come from
 * contract/table-schema.ts) plus use of the table's key, only through DynamoDB. A writer is denied updates and deletes
 * of the audit trail (append-only: AUDIT_DENIED_ACTIONS).
 */
export function grantTableData(table: dynamodb.ITable, grantee: iam.IGrantable, access: TableAccess): void {
  const stack = Stack.of(table);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: TABLE_ACTIONS[access],
      resources: [table.tableArn, ...TABLE_SCHEMA.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`)],
    }),
  );
  if (access === 'readWrite') {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: AUDIT_DENIED_ACTIONS,
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [AUDIT_PARTITION_PATTERN] } },
      }),
    );
  }
  if (table.encryptionKey) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: TABLE_KEY_ACTIONS[access],
        resources: [table.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      }),
    );
  }
}
