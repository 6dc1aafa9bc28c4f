import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CoverageRecord, PatientRecord } from '#model/patient-records.ts';
import { type AuditEvent, type AuditSession, assertSessionFor, auditPut } from './audit.ts';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** Which patient, and the journey their audit record names (none for a read about no journey). A JourneyRecord fits as it is. */
export interface PatientRef {
  clinicId: string;
  patientId: string;
  journeyId?: string | undefined;
}

/**
 * Reads a patient — only the projected attributes when `projection` is given (minimum necessary) — recording the
 * `patient.read` in the caller's audit session before the read (no write when the session has recorded it already),
 * and a `failure` when the patient does not exist (then throws). The one place patients are read, so no reader can
 * forget the audit, and no crash after the read can leave it unrecorded.
 */
async function readPatient(
  table: TableRef,
  ref: PatientRef,
  audit: AuditSession,
  projection?: readonly (keyof PatientRecord)[],
): Promise<Partial<PatientRecord>> {
  assertSessionFor(audit, ref);
  await audit.before('patient.read');
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.patient(ref.clinicId, ref.patientId),
      ...(projection ? projectionOf(projection) : {}),
    }),
  );
  if (!Item) await audit.failed('patient.read');
  if (!Item) throw new Error(`Patient ${ref.patientId} of journey ${ref.journeyId} not found`);
  const { PK: _pk, SK: _sk, ...patient } = Item;
  return patient as Partial<PatientRecord>;
}

/**
 * Every name goes through a placeholder (no clash with DynamoDB's reserved words, e.g. `name`). The sort key is always
 * projected, so an item none of whose projected attributes are set still comes back and is not taken for a missing
 * patient.
 */
function projectionOf(names: readonly string[]): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const attributeNames: Record<string, string> = {};
  const placeholders = ['SK', ...names].map((name) => {
    attributeNames[`#${name}`] = name;
    return `#${name}`;
  });
  return { ProjectionExpression: placeholders.join(', '), ExpressionAttributeNames: attributeNames };
}

/** The patient's insurance on file, if any, recording `coverage.read` in the caller's session before the read. */
async function readCoverage(table: TableRef, ref: PatientRef, audit: AuditSession): Promise<CoverageRecord | undefined> {
  assertSessionFor(audit, ref);
  await audit.before('coverage.read');
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.coverage(ref.clinicId, ref.patientId) }));
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...coverage } = Item;
  return coverage as CoverageRecord;
}

/** CHANGED_MEANWHILE: someone wrote the record since it was read. MATCH_TAKEN: another patient has the new name and birth date. */
export type CorrectionOutcome = 'CORRECTED' | 'CHANGED_MEANWHILE' | 'MATCH_TAKEN';

/**
 * Writes a corrected record (patient or coverage) only if it is still the one the caller read (`readAt`: its
 * `updatedAt` then; absent: there was none), with its audit record, in one transaction. A patient whose name or birth
 * date changed moves its match entry too (`match`): the old entry is removed if it is this patient's, and the new one
 * must be free, or the correction is refused as a possible duplicate.
 */
async function writeCorrection(
  table: TableRef,
  record: PatientRecord | CoverageRecord,
  readAt: string | undefined,
  match: { from: string; to: string } | undefined,
  audit: AuditEvent,
  now: Date,
): Promise<CorrectionOutcome> {
  const key =
    record.type === 'Patient' ? keys.patient(record.clinicId, record.patientId) : keys.coverage(record.clinicId, record.patientId);
  // The old entry is removed only if it is this patient's: one registered apart (a possible duplicate kept apart) has
  // none of its own, the entry being the other patient's.
  const oldEntry = match
    ? (
        await table.client.send(
          new GetCommand({ TableName: table.tableName, Key: keys.patientMatch(record.clinicId, match.from), ConsistentRead: true }),
        )
      ).Item
    : undefined;
  const matchItems = match
    ? [
        ...(oldEntry?.patientId === record.patientId
          ? [
              {
                Delete: {
                  TableName: table.tableName,
                  Key: keys.patientMatch(record.clinicId, match.from),
                  ConditionExpression: 'patientId = :patientId',
                  ExpressionAttributeValues: { ':patientId': record.patientId },
                },
              },
            ]
          : []),
        {
          Put: {
            TableName: table.tableName,
            Item: {
              ...keys.patientMatch(record.clinicId, match.to),
              type: 'PatientMatch',
              patientId: record.patientId,
              createdAt: now.toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ]
    : [];
  const newEntryIndex = match ? matchItems.length : -1; // the record's Put is item 0
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.tableName,
              Item: { ...key, ...record },
              ...(readAt
                ? { ConditionExpression: 'updatedAt = :readAt', ExpressionAttributeValues: { ':readAt': readAt } }
                : { ConditionExpression: 'attribute_not_exists(PK)' }),
            },
          },
          ...matchItems,
          auditPut(table.tableName, audit, now),
        ],
      }),
    );
    return 'CORRECTED';
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    if (match && reasons[newEntryIndex]?.Code === 'ConditionalCheckFailed') return 'MATCH_TAKEN';
    if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict'))
      return 'CHANGED_MEANWHILE';
    throw error;
  }
}

/** The patients' port: every read is audited, before it is made, in the caller's session (readPatient). */
export interface PatientStore {
  read(ref: PatientRef, audit: AuditSession, projection?: undefined): Promise<PatientRecord>;
  read<K extends keyof PatientRecord>(ref: PatientRef, audit: AuditSession, projection: readonly K[]): Promise<Pick<PatientRecord, K>>;
  /** The patient's coverage on file (keys.coverage), if any. */
  readCoverage(ref: PatientRef, audit: AuditSession): Promise<CoverageRecord | undefined>;
  /** Whether the clinic has this patient: reads the item's key only, nothing of the patient. */
  exists(clinicId: string, patientId: string): Promise<boolean>;
  /** Writes a staff correction of the patient or their coverage, if unchanged since read (writeCorrection). */
  correct(
    record: PatientRecord | CoverageRecord,
    readAt: string | undefined,
    match: { from: string; to: string } | undefined,
    audit: AuditEvent,
    now: Date,
  ): Promise<CorrectionOutcome>;
}

/** The DynamoDB adapter of the patient store. */
export function dynamoPatientStore(table: TableRef): PatientStore {
  return {
    read: ((ref: PatientRef, audit: AuditSession, projection?: readonly (keyof PatientRecord)[]) =>
      readPatient(table, ref, audit, projection)) as PatientStore['read'],
    readCoverage: (ref, audit) => readCoverage(table, ref, audit),
    exists: async (clinicId, patientId) => {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: keys.patient(clinicId, patientId), ProjectionExpression: 'SK' }),
      );
      return Item !== undefined;
    },
    correct: (record, readAt, match, audit, now) => writeCorrection(table, record, readAt, match, audit, now),
  };
}
