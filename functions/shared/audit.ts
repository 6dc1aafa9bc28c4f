import { randomBytes } from 'node:crypto';
import { AUDIT_TABLE_RETENTION_DAYS } from '#contract/audit-archive.ts';
import { keys } from './keys.ts';

/** What was done with a patient's data. */
export type AuditAction =
  | 'patient.create'
  | 'patient.read'
  | 'patient.match'
  | 'submission.create'
  | 'submission.read'
  | 'coverage.read'
  | 'coverage.write'
  | 'patient.correct'
  | 'patient.merge'
  | 'patient.separate'
  | 'journey.read'
  | 'order.attach'
  | 'authorization.open'
  | 'authorization.read'
  | 'authorization.record'
  | 'appointment.create'
  | 'appointment.cancel'
  | 'appointment.read'
  | 'appointment.reschedule'
  | 'appointment.checkIn'
  | 'appointment.noShow'
  | 'appointment.complete'
  | 'waitlist.join'
  | 'waitlist.read'
  | 'waitlist.remove'
  | 'payment.charge'
  | 'message.send'
  | 'staffTask.create'
  | 'staffTask.read'
  | 'staffTask.claim'
  | 'staffTask.release'
  | 'staffTask.note'
  | 'staffTask.decide'
  | 'staffTask.dispose'
  | 'contact.log'
  | 'audit.read';

/** Who or what touched patient data (a stage function, or an API caller identified by its key's ID), whose, and how. */
export interface AuditSubject {
  clinicId: string;
  actor: string;
  patientId?: string;
  journeyId?: string;
  /** Where the access came from, when the caller knows it for free: the HTTP route (API Gateway's routeKey). */
  via?: string;
  /** A correction's changed fields, by name (never their values). */
  fields?: readonly string[];
}

/** One access, as a caller records it on its own (AuditLog.record, or `auditPut` inside a transaction). */
export interface AuditEvent extends AuditSubject {
  action: AuditAction;
  outcome: 'success' | 'failure';
}

/**
 * One audit record: one actor's accesses to one patient's data within one invocation. It is written before the
 * accesses it names, or in the same transaction as the writes it describes, never after them, so an invocation that
 * crashes after an access has always left its record. `failure` marks accesses that then did not happen or did not
 * succeed (not found, declined, no slot, nothing sent); a record without an outcome names accesses that were made, or
 * were being made when the invocation stopped.
 */
export interface AuditRecord extends AuditSubject {
  /** In the order they were (about to be) made, each once. */
  actions: AuditAction[];
  outcome?: 'success' | 'failure';
}

/** A single access as a record of its own. */
export function recordOfEvent(event: AuditEvent): AuditRecord {
  const { action, ...rest } = event;
  return { ...rest, actions: [action] };
}

/**
 * The stored item of an audit record (keys.audit). Kept small, as every byte is stored for years (in the table, then the archive): the time is the
 * sort key's prefix (no `at`), the clinic is in the key (no `clinicId`), the patient is `GSI2PK` (keys.auditByPatient,
 * the partition key a later index by patient and time needs, with `SK` as its sort key), `outcome` is stored only when
 * it is `failure`, and the sort key's suffix is 16 random characters (96 bits) rather than a UUID.
 */
export function auditItem(record: AuditRecord | AuditEvent, now: Date): Record<string, unknown> {
  const r = 'actions' in record ? record : recordOfEvent(record);
  if (r.actions.length === 0) throw new Error('An audit record names at least one action');
  const at = now.toISOString();
  return {
    ...keys.audit(r.clinicId, at.slice(0, 10), `${at}#${randomBytes(12).toString('base64url')}`),
    type: 'AuditEvent',
    actor: r.actor,
    actions: [...new Set(r.actions)],
    ...(r.patientId ? keys.auditByPatient(r.clinicId, r.patientId) : {}),
    ...(r.journeyId ? { journeyId: r.journeyId } : {}),
    ...(r.outcome === 'failure' ? { outcome: 'failure' } : {}),
    ...(r.via ? { via: r.via } : {}),
    ...(r.fields?.length ? { fields: [...r.fields] } : {}),
    expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_TABLE_RETENTION_DAYS * 86_400,
  };
}

/**
 * The audit record as one item of a TransactWriteItems, for writes that must commit together with their record.
 * Conditional on the key being new: a record is appended, never written over.
 */
export function auditPut(tableName: string, record: AuditRecord | AuditEvent, now: Date) {
  return { Put: { TableName: tableName, Item: auditItem(record, now), ConditionExpression: 'attribute_not_exists(PK)' } };
}

/** A stored audit record read back: the record as written, its time, and `success` where no outcome was stored. */
export interface StoredAuditRecord extends AuditRecord {
  at: string;
  outcome: 'success' | 'failure';
}

/** Reads a stored audit item (auditItem) back into its record. */
export function auditRecordOfItem(item: Record<string, unknown>): StoredAuditRecord {
  const pk = String(item.PK);
  const clinicId = pk.slice('CLINIC#'.length, pk.lastIndexOf('#AUDIT#'));
  const patientKey = typeof item.GSI2PK === 'string' ? item.GSI2PK : undefined;
  return {
    clinicId,
    at: String(item.SK).slice(0, 24),
    actor: String(item.actor),
    actions: item.actions as AuditAction[],
    ...(patientKey ? { patientId: patientKey.slice(patientKey.lastIndexOf('#PATIENT#') + '#PATIENT#'.length) } : {}),
    ...(typeof item.journeyId === 'string' ? { journeyId: item.journeyId } : {}),
    outcome: item.outcome === 'failure' ? 'failure' : 'success',
    ...(Array.isArray(item.fields) ? { fields: item.fields as string[] } : {}),
    ...(typeof item.via === 'string' ? { via: item.via } : {}),
  };
}

/**
 * The audit trail's port: append-only records of who touched which patient's data. Records carry IDs only, so the
 * trail itself holds no PHI. The DynamoDB adapter is audit-store.ts.
 */
export interface AuditLog {
  /** Appends the record of one access. */
  record(event: AuditEvent, now: Date): Promise<void>;
  /** Appends one record of several accesses (one actor, one patient, one invocation). */
  append(record: AuditRecord, now: Date): Promise<void>;
}

/**
 * One invocation's audit of one patient: the accesses it makes are recorded before they are made, as few records as
 * possible. A use case that knows what it is about to do says so once, up front (`before(a, b)`: one record); a store
 * that reads patient data calls `before(a)` again right before its read, which writes nothing when the session has
 * recorded `a` already and a record of its own when it has not (an access nobody foresaw is never left out).
 * `failed(a)` appends a failure record for accesses that then did not happen or did not succeed.
 */
export interface AuditSession {
  readonly subject: AuditSubject;
  /** Records, before they happen, those of these accesses this session has not recorded yet: one record, or none. */
  before(...actions: AuditAction[]): Promise<void>;
  /** Records that these accesses did not happen or did not succeed. */
  failed(...actions: AuditAction[]): Promise<void>;
}

/** A session over the audit log for one actor's accesses to one patient (journey) within one invocation, at `now`. */
export function auditSession(log: AuditLog, subject: AuditSubject, now: Date): AuditSession {
  // Each action's record, written or being written: concurrent accesses of one kind wait for the same record.
  const recorded = new Map<AuditAction, Promise<void>>();
  return {
    subject,
    async before(...actions) {
      const fresh = [...new Set(actions)].filter((action) => !recorded.has(action));
      if (fresh.length > 0) {
        const write = log.append({ ...subject, actions: fresh }, now);
        for (const action of fresh) recorded.set(action, write);
        // A record that could not be written does not count as written: the next access of its kind tries again.
        write.catch(() => {
          for (const action of fresh) if (recorded.get(action) === write) recorded.delete(action);
        });
      }
      await Promise.all(actions.map((action) => recorded.get(action)));
    },
    async failed(...actions) {
      await log.append({ ...subject, actions: [...new Set(actions)], outcome: 'failure' }, now);
    },
  };
}

/** A stage function's session for the journey it works on (its patient and journey, from the journey record). */
export function journeyAuditSession(
  log: AuditLog,
  actor: string,
  journey: { clinicId: string; journeyId: string; patientId: string },
  now: Date,
): AuditSession {
  return auditSession(log, { clinicId: journey.clinicId, actor, journeyId: journey.journeyId, patientId: journey.patientId }, now);
}

/** A session records one patient's accesses: a store reading another patient's data under it would misfile the read. */
export function assertSessionFor(audit: AuditSession, ref: { clinicId: string; patientId: string; journeyId?: string | undefined }): void {
  const { subject } = audit;
  if (subject.clinicId !== ref.clinicId || subject.patientId !== ref.patientId || subject.journeyId !== ref.journeyId)
    throw new Error(`Audit session of journey ${subject.journeyId} used for journey ${ref.journeyId}`);
}
