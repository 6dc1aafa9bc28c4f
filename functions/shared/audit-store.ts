import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, type AuditLog, type AuditRecord, auditItem } from './audit.ts';
import type { TableRef } from './table.ts';

export type { AuditLog, AuditSession } from './audit.ts';

/** Appends one item, conditional on its key being new: a record is never written over. */
async function appendAudit(table: TableRef, record: AuditRecord | AuditEvent, now: Date): Promise<void> {
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: auditItem(record, now), ConditionExpression: 'attribute_not_exists(PK)' }),
  );
}

/** The DynamoDB adapter of the audit log. */
export function dynamoAuditLog(table: TableRef): AuditLog {
  return {
    record: (event, now) => appendAudit(table, event, now),
    append: (record, now) => appendAudit(table, record, now),
  };
}
