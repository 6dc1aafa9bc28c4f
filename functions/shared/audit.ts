import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** Who or what touched patient data: a stage function, or an API caller identified by its key's ID. */
export interface AuditEvent {
  clinicId: string;
  actor: string;
  action:
    | 'patient.create'
    | 'patient.read'
    | 'patient.match'
    | 'submission.create'
    | 'submission.read'
    | 'coverage.read'
    | 'journey.read'
    | 'appointment.create'
    | 'appointment.cancel'
    | 'payment.charge'
    | 'message.send'
    | 'staffTask.create'
    | 'staffTask.decide';
  patientId?: string;
  journeyId?: string;
  outcome: 'success' | 'failure';
}

const AUDIT_RETENTION_DAYS = 6 * 365; // HIPAA: keep audit records six years.

/**
 * Appends an audit record (AuditEvent-like): every read or write of patient data calls this.
 * Records carry IDs only, so the trail itself holds no PHI.
 */
export async function recordAudit(table: TableRef, event: AuditEvent, now = new Date()): Promise<void> {
  const at = now.toISOString();
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.audit(event.clinicId, at.slice(0, 10), `${at}#${randomUUID()}`),
        type: 'AuditEvent',
        at,
        ...event,
        expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_RETENTION_DAYS * 86_400,
      },
    }),
  );
}
