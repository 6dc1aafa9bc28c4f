import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, auditItem } from './audit.ts';
import type { TableRef } from './table.ts';

/**
 * Appends an audit record (AuditEvent-like): every read or write of patient data calls this, or puts `auditItem`
 * in its own transaction. Records carry IDs only, so the trail itself holds no PHI.
 */
async function recordAudit(table: TableRef, event: AuditEvent, now = new Date()): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: auditItem(event, now) }));
}

/** The audit trail's port: append-only records of who touched which patient's data. */
export interface AuditLog {
  record(event: AuditEvent, now: Date): Promise<void>;
}

/** The DynamoDB adapter of the audit log. */
export function dynamoAuditLog(table: TableRef): AuditLog {
  return { record: (event, now) => recordAudit(table, event, now) };
}
