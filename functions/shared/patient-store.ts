import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PatientRecord } from '#model/patient-records.ts';
import { dynamoAuditLog } from './audit-store.ts';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** Which patient, and the journey their audit record names. A JourneyRecord fits as it is. */
export interface PatientRef {
  clinicId: string;
  patientId: string;
  journeyId: string;
}

/**
 * Reads a patient — only the projected attributes when `projection` is given (minimum necessary) — and records a
 * `patient.read` audit event for it, `failure` when the patient does not exist (and then throws). The one place
 * patients are read, so no reader can forget the audit.
 */
async function readPatient(
  table: TableRef,
  ref: PatientRef,
  actor: string,
  projection?: readonly (keyof PatientRecord)[],
  now = new Date(),
): Promise<Partial<PatientRecord>> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.patient(ref.clinicId, ref.patientId),
      ...(projection ? projectionOf(projection) : {}),
    }),
  );
  await dynamoAuditLog(table).record(
    {
      clinicId: ref.clinicId,
      actor,
      action: 'patient.read',
      journeyId: ref.journeyId,
      patientId: ref.patientId,
      outcome: Item ? 'success' : 'failure',
    },
    now,
  );
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

/** The patients' port: every read is audited (readPatient). */
export interface PatientStore {
  read(ref: PatientRef, actor: string, projection?: undefined, now?: Date): Promise<PatientRecord>;
  read<K extends keyof PatientRecord>(
    ref: PatientRef,
    actor: string,
    projection: readonly K[],
    now?: Date,
  ): Promise<Pick<PatientRecord, K>>;
}

/** The DynamoDB adapter of the patient store. */
export function dynamoPatientStore(table: TableRef): PatientStore {
  return {
    read: ((ref: PatientRef, actor: string, projection?: readonly (keyof PatientRecord)[], now?: Date) =>
      readPatient(table, ref, actor, projection, now)) as PatientStore['read'],
  };
}
