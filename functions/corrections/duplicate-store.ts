import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CoverageRecord, PatientRecord } from '#model/patient-records.ts';
import { type AuditEvent, auditPut } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** The journey whose patient intake registered apart as a possible duplicate, and that patient's submission. */
export interface HeldJourney {
  clinicId: string;
  journeyId: string;
  submissionId: string;
  /** The patient intake registered apart (the submitter). */
  patientId: string;
}

export interface Merge {
  held: HeldJourney;
  /** The patient matched by name and birth date, as corrected with the submitter's details, and when it was read. */
  merged: PatientRecord;
  readAt: string;
  /** When the submitter's patient and coverage records were read: they are removed only if still as read. */
  submitterReadAt: { patient: string; coverage?: string };
  /** When the matched patient's coverage was read (absent: they had none): replaced only if still as read. */
  matchedCoverageReadAt?: string;
  /** The submitter's coverage, now the matched patient's. */
  coverage?: CoverageRecord;
  /** The journey's staff tasks (the intake hold, a triage slip): they name the matched patient from now on. */
  taskIds: readonly string[];
  /** One record per patient: the one merged into, the one merged away. */
  audits: readonly AuditEvent[];
}

/** RESOLVED; or CHANGED_MEANWHILE: the journey, the submission or the patient moved on since they were read. */
export type ResolutionOutcome = 'RESOLVED' | 'CHANGED_MEANWHILE';

/** The possible-duplicate resolutions' port: each all or nothing, only while the journey still waits unresolved. */
export interface DuplicateStore {
  keepApart(held: HeldJourney, audit: AuditEvent, now: Date): Promise<ResolutionOutcome>;
  merge(merge: Merge, now: Date): Promise<ResolutionOutcome>;
}

/** The DynamoDB adapter: one transaction per resolution, conditional on the submission being still unresolved. */
export function dynamoDuplicateStore(table: TableRef): DuplicateStore {
  const submissionResolved = (held: HeldJourney, resolution: 'MERGE' | 'KEEP_APART', patientId: string) => ({
    Update: {
      TableName: table.tableName,
      Key: keys.submission(held.clinicId, held.submissionId),
      UpdateExpression: 'SET duplicateResolution = :resolution, patientId = :patientId',
      ConditionExpression: 'attribute_exists(possibleDuplicateOf) AND attribute_not_exists(duplicateResolution) AND patientId = :held',
      ExpressionAttributeValues: { ':resolution': resolution, ':patientId': patientId, ':held': held.patientId },
    },
  });
  const send = async (items: object[]): Promise<ResolutionOutcome> => {
    try {
      await table.client.send(new TransactWriteCommand({ TransactItems: items as never }));
      return 'RESOLVED';
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return 'CHANGED_MEANWHILE';
      throw error;
    }
  };
  return {
    keepApart: (held, audit, now) => send([submissionResolved(held, 'KEEP_APART', held.patientId), auditPut(table.tableName, audit, now)]),
    merge: ({ held, merged, readAt, submitterReadAt, matchedCoverageReadAt, coverage, taskIds, audits }, now) =>
      send([
        {
          Put: {
            TableName: table.tableName,
            Item: { ...keys.patient(merged.clinicId, merged.patientId), ...merged },
            ConditionExpression: 'updatedAt = :readAt',
            ExpressionAttributeValues: { ':readAt': readAt },
          },
        },
        ...(coverage
          ? [
              {
                Put: {
                  TableName: table.tableName,
                  Item: { ...keys.coverage(merged.clinicId, merged.patientId), ...coverage },
                  ...(matchedCoverageReadAt
                    ? {
                        ConditionExpression: 'updatedAt = :coverageReadAt',
                        ExpressionAttributeValues: { ':coverageReadAt': matchedCoverageReadAt },
                      }
                    : { ConditionExpression: 'attribute_not_exists(PK)' }),
                },
              },
            ]
          : []),
        {
          Update: {
            TableName: table.tableName,
            Key: keys.journey(held.clinicId, held.journeyId),
            UpdateExpression: 'SET patientId = :merged',
            // Parked at intake: no stage runs (nor has run past intake) while the journey's patient changes.
            ConditionExpression: 'patientId = :held AND #status = :waiting AND stages.INTAKE.#status = :waiting',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':merged': merged.patientId, ':held': held.patientId, ':waiting': 'WAITING_FOR_STAFF' },
          },
        },
        submissionResolved(held, 'MERGE', merged.patientId),
        ...taskIds.map((taskId) => ({
          Update: {
            TableName: table.tableName,
            Key: keys.staffTask(held.clinicId, taskId),
            UpdateExpression: 'SET patientId = :merged',
            ConditionExpression: 'patientId = :held',
            ExpressionAttributeValues: { ':merged': merged.patientId, ':held': held.patientId },
          },
        })),
        {
          Delete: {
            TableName: table.tableName,
            Key: keys.patient(held.clinicId, held.patientId),
            ConditionExpression: 'updatedAt = :readAt',
            ExpressionAttributeValues: { ':readAt': submitterReadAt.patient },
          },
        },
        {
          Delete: {
            TableName: table.tableName,
            Key: keys.coverage(held.clinicId, held.patientId),
            ...(submitterReadAt.coverage
              ? { ConditionExpression: 'updatedAt = :readAt', ExpressionAttributeValues: { ':readAt': submitterReadAt.coverage } }
              : { ConditionExpression: 'attribute_not_exists(PK)' }),
          },
        },
        ...audits.map((audit) => auditPut(table.tableName, audit, now)),
      ]),
  };
}
