import type { AuditEventPage, AuditEventQuery } from '#contract/api/audit-event-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { type AuditLog, auditSession } from '#shared/audit.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import type { AuditTrail } from './audit-trail-store.ts';

export interface ListAuditEventsDeps {
  trail: AuditTrail;
  audit: AuditLog;
  now: () => Date;
}

/** Without `from`, a query by day looks back a week. */
const DEFAULT_DAYS = 7;

/**
 * A page of the clinic's audit trail for an admin: who touched one patient's data (by patient, from their first
 * record), or everything over a window of days. Records hold IDs only. Reading who touched a patient's record is
 * itself recorded, before the read (`audit.read`, under that patient when there is one).
 */
export async function listAuditEvents(
  deps: ListAuditEventsDeps,
  admin: StaffPrincipal,
  query: AuditEventQuery,
  via: string,
): Promise<AuditEventPage> {
  const now = deps.now();
  const to = query.to ?? now.toISOString();
  const from = query.from ?? (query.patientId ? '0000' : new Date(Date.parse(to) - DEFAULT_DAYS * 86_400_000).toISOString());
  const subject = { clinicId: admin.clinicId, actor: staffActor(admin), via, ...(query.patientId ? { patientId: query.patientId } : {}) };
  await auditSession(deps.audit, subject, now).before('audit.read');
  const page = await deps.trail.list({
    clinicId: admin.clinicId,
    ...(query.patientId ? { patientId: query.patientId } : {}),
    from,
    to,
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit,
  });
  return {
    events: page.records.map(({ clinicId: _clinic, fields, ...record }) => ({ ...record, ...(fields ? { fields: [...fields] } : {}) })),
    ...(page.next ? { next: page.next } : {}),
  };
}
