import { type AuditEventPage, type AuditEventQuery, MAX_AUDIT_DAYS } from '#contract/api/audit-event-schema.ts';
import { AUDIT_QUERY_DAYS } from '#contract/audit-archive.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { type AuditLog, auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
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
 * itself recorded, before the read (`audit.read`, under that patient when there is one); a page of days is also
 * recorded under each patient it shows, before it is answered. The query reads the last AUDIT_QUERY_DAYS of the table;
 * a window reaching further back is read from there on, and the page says from when (`archivedBefore`): older records
 * are in the archive only.
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
  // The window as it will be read, defaults applied: a `from` alone could otherwise reach back years of day partitions.
  if (from >= to) throw HttpError.badRequest([{ path: 'from', message: 'must be before `to` (now, unless given)' }]);
  if (!query.patientId && Date.parse(to) - Date.parse(from) > MAX_AUDIT_DAYS * 86_400_000)
    throw HttpError.badRequest([{ path: 'from', message: `without a patient, at most ${MAX_AUDIT_DAYS} days before \`to\`` }]);
  // TTL deletes a record some time after it expires, not at once: reading from the same edge every time (a day inside
  // the records' TTL) keeps the answer the same whatever DynamoDB has got round to deleting.
  const heldFrom = new Date(now.getTime() - AUDIT_QUERY_DAYS * 86_400_000).toISOString();
  const archivedBefore = from < heldFrom ? heldFrom : undefined;
  const older = archivedBefore ? { archivedBefore } : {};
  const subject = { clinicId: admin.clinicId, actor: staffActor(admin), via, ...(query.patientId ? { patientId: query.patientId } : {}) };
  await auditSession(deps.audit, subject, now).before('audit.read');
  if (to <= heldFrom) return { events: [], ...older };
  const page = await deps.trail.list({
    clinicId: admin.clinicId,
    ...(query.patientId ? { patientId: query.patientId } : {}),
    from: archivedBefore ?? from,
    to,
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit,
  });
  // A page of days shows whose data each person touched: each patient on it has that read in their own history too,
  // recorded before the page is answered. Not for records that are themselves audit reads: an admin paging through
  // today would otherwise meet the records of their own earlier pages, and record them again, without end.
  const touched = page.records.filter(
    (record) => record.patientId !== undefined && record.patientId !== query.patientId && record.actions.some((a) => a !== 'audit.read'),
  );
  const others = new Set(touched.map((record) => record.patientId as string));
  await Promise.all([...others].map((patientId) => deps.audit.append({ ...subject, patientId, actions: ['audit.read'] }, now)));
  return {
    events: page.records.map(({ clinicId: _clinic, fields, ...record }) => ({ ...record, ...(fields ? { fields: [...fields] } : {}) })),
    ...(page.next ? { next: page.next } : {}),
    ...older,
  };
}
