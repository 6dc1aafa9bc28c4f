import { randomUUID } from 'node:crypto';
import { keys } from './keys.ts';

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
    | 'coverage.write'
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

/** The audit item for an event: for writes that must commit together with their audit record (one transaction). */
export function auditItem(event: AuditEvent, now: Date): Record<string, unknown> {
  const at = now.toISOString();
  return {
    ...keys.audit(event.clinicId, at.slice(0, 10), `${at}#${randomUUID()}`),
    type: 'AuditEvent',
    at,
    ...event,
    expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_RETENTION_DAYS * 86_400,
  };
}
