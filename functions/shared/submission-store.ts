import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SubmissionRecord, VisitRequest } from '#model/patient-records.ts';
import { type AuditSession, assertSessionFor } from './audit.ts';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** Which submission, and the journey and patient its audit record names. A JourneyRecord fits as it is. */
export interface SubmissionRef {
  clinicId: string;
  submissionId: string;
  journeyId: string;
  patientId: string;
}

/** What a projection of nested paths (e.g. `visit.appointmentTypeCode`) returns: any part may be absent. */
export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A projection path is attribute names joined by dots; each name must fit an expression placeholder. */
const ATTRIBUTE_NAME = /^[A-Za-z0-9_]+$/;

/**
 * Reads a submission — only the projected attributes when `projection` is given (minimum necessary) — recording the
 * `submission.read` in the caller's audit session before the read (no write when the session has recorded it
 * already), and a `failure` when the submission does not exist (then throws). The one place submissions are read, so
 * no reader can forget the audit. Top-level attribute names type the result as a `Pick`; nested paths as a
 * `DeepPartial`.
 */
async function readSubmission(table: TableRef, ref: SubmissionRef, audit: AuditSession, projection?: undefined): Promise<SubmissionRecord>;
async function readSubmission<K extends keyof SubmissionRecord>(
  table: TableRef,
  ref: SubmissionRef,
  audit: AuditSession,
  projection: readonly K[],
): Promise<Pick<SubmissionRecord, K>>;
async function readSubmission(
  table: TableRef,
  ref: SubmissionRef,
  audit: AuditSession,
  projection: readonly string[],
): Promise<DeepPartial<SubmissionRecord>>;
async function readSubmission(
  table: TableRef,
  ref: SubmissionRef,
  audit: AuditSession,
  projection?: readonly string[],
): Promise<DeepPartial<SubmissionRecord>> {
  assertSessionFor(audit, ref);
  // Checked before anything is recorded or read: a bad path reads nothing and audits nothing.
  const projected = projection ? projectionOf(projection) : {};
  await audit.before('submission.read');
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.submission(ref.clinicId, ref.submissionId),
      ...projected,
    }),
  );
  if (!Item) await audit.failed('submission.read');
  if (!Item) throw new Error(`Submission ${ref.submissionId} of journey ${ref.journeyId} not found`);
  const { PK: _pk, SK: _sk, ...submission } = Item;
  return submission as DeepPartial<SubmissionRecord>;
}

/**
 * Every name goes through a placeholder (no clash with DynamoDB's reserved words). The sort key is always projected:
 * an item none of whose projected attributes are set still comes back, so "no token on file" stays distinguishable
 * from "no submission".
 */
function projectionOf(paths: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const names: Record<string, string> = {};
  const placeholders = ['SK', ...paths].map((path) =>
    path
      .split('.')
      .map((name) => {
        if (!ATTRIBUTE_NAME.test(name)) throw new Error(`Unsupported projection path: ${path}`);
        names[`#${name}`] = name;
        return `#${name}`;
      })
      .join('.'),
  );
  return { ProjectionExpression: placeholders.join(', '), ExpressionAttributeNames: names };
}

/**
 * Puts a physician's order on the submission's visit request (staff obtained it after intake), recording
 * `order.attach` in the person's session before the write (`orderAttached` says who and when).
 */
async function attachOrder(
  table: TableRef,
  ref: SubmissionRef,
  order: NonNullable<VisitRequest['physicianOrder']>,
  audit: AuditSession,
  at: Date,
): Promise<void> {
  assertSessionFor(audit, ref);
  await audit.before('order.attach');
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.submission(ref.clinicId, ref.submissionId),
      UpdateExpression: 'SET #visit.#order = :order, #attached = :attached',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#visit': 'visit', '#order': 'physicianOrder', '#attached': 'orderAttached' },
      ExpressionAttributeValues: { ':order': order, ':attached': { by: audit.subject.actor, at: at.toISOString() } },
    }),
  );
}

/** The submissions' port: every read is audited, before it is made, in the caller's session (readSubmission). */
export interface SubmissionStore {
  attachOrder(ref: SubmissionRef, order: NonNullable<VisitRequest['physicianOrder']>, audit: AuditSession, at: Date): Promise<void>;
  read(ref: SubmissionRef, audit: AuditSession, projection?: undefined): Promise<SubmissionRecord>;
  read<K extends keyof SubmissionRecord>(
    ref: SubmissionRef,
    audit: AuditSession,
    projection: readonly K[],
  ): Promise<Pick<SubmissionRecord, K>>;
  read(ref: SubmissionRef, audit: AuditSession, projection: readonly string[]): Promise<DeepPartial<SubmissionRecord>>;
}

/** The DynamoDB adapter of the submission store. */
export function dynamoSubmissionStore(table: TableRef): SubmissionStore {
  return {
    attachOrder: (ref, order, audit, at) => attachOrder(table, ref, order, audit, at),
    read: ((ref: SubmissionRef, audit: AuditSession, projection?: readonly string[]) =>
      readSubmission(table, ref, audit, projection as readonly string[])) as SubmissionStore['read'],
  };
}
