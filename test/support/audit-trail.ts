import { auditRecordOfItem, type StoredAuditRecord } from '#shared/audit.ts';

/** Each stored audit record as `<actions joined by +>:<outcome>`, e.g. `submission.read+appointment.create:success`. */
export function auditLines(items: Record<string, unknown>[]): string[] {
  return items.map((item) => {
    const record = auditRecordOfItem(item);
    return `${record.actions.join('+')}:${record.outcome}`;
  });
}

/** The stored audit items read back as records (actor, actions, patient, journey, outcome, via, time). */
export function auditRecords(items: Record<string, unknown>[]): StoredAuditRecord[] {
  return items.map(auditRecordOfItem);
}
