import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRecord } from '#model/journey.ts';
import type { CoverageRecord, PatientRecord, SubmissionRecord } from '#model/patient-records.ts';
import { type AuditRecord, auditPut } from '#shared/audit.ts';
import { journeyItem } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';
import type { PatientContactUpdate } from './intake-records.ts';

/** What a repeated submission is answered with: the first submission's IDs, read from the submission itself. */
export interface IdempotencyEntry {
  submissionId: string;
  journeyId: string;
  /** Hash of the first body; a different body under the same Idempotency-Key is a conflict. */
  bodyHash: string;
}

/** Everything one intake writes, all or nothing. */
export interface IntakeWrite {
  clinicId: string;
  /** Kept on the submission: a reused key with another body is told apart by it. */
  bodyHash: string;
  /**
   * A new patient takes the match entry of their name and birth date (`matchHash`), except one registered apart as a
   * possible duplicate of the patient who holds it (no `matchHash`: the entry stays theirs).
   */
  patient:
    | { kind: 'new'; record: PatientRecord; matchHash?: string }
    /** `readAt`: the patient's and coverage's `updatedAt` as intake read them: written only if still so. */
    | { kind: 'existing'; update: PatientContactUpdate; readAt: { patient: string; coverage?: string } };
  coverage: CoverageRecord;
  submission: SubmissionRecord;
  journey: JourneyRecord;
  /** Written in the same transaction: the record exists exactly when the writes it describes do. */
  audit: AuditRecord;
}

/**
 * WRITTEN: this call won. DUPLICATE: the key's submission exists (another request with the same key won).
 * PATIENT_MATCH_TAKEN: another submission registered the same new patient first. CONFLICT: a concurrent transaction
 * held one of the items. The last three are answered by reading again.
 */
export type IntakeWriteOutcome = 'WRITTEN' | 'DUPLICATE' | 'PATIENT_MATCH_TAKEN' | 'CONFLICT';

/** The intake's port to storage. */
export interface IntakeStore {
  /**
   * The first submission under an idempotency key, by the submission ID the key stands for (submissionIdOf), if any:
   * its IDs and body hash. Submissions never expire: a replay of a finished journey's form, however late, finds it.
   */
  findIdempotency(clinicId: string, submissionId: string): Promise<IdempotencyEntry | undefined>;
  /** The patient registered under this match hash, if any. */
  findPatientIdByMatch(clinicId: string, matchHash: string): Promise<string | undefined>;
  /** Writes the whole intake at once, or nothing; see IntakeWriteOutcome. */
  writeIntake(write: IntakeWrite, now: Date): Promise<IntakeWriteOutcome>;
}

/** The DynamoDB adapter: one TransactWriteItems per intake, guarded by conditions on the submission and match items. */
export function dynamoIntakeStore(table: TableRef): IntakeStore {
  const { client, tableName: TableName } = table;
  return {
    async findIdempotency(clinicId, submissionId) {
      // Only the IDs and the hash: the submission's answers are not read (nor audited) to answer a repeat.
      const { Item } = await client.send(
        new GetCommand({
          TableName,
          Key: keys.submission(clinicId, submissionId),
          ConsistentRead: true,
          ProjectionExpression: 'submissionId, journeyId, bodyHash',
        }),
      );
      if (!Item) return undefined;
      return { submissionId: String(Item.submissionId), journeyId: String(Item.journeyId), bodyHash: String(Item.bodyHash) };
    },

    async findPatientIdByMatch(clinicId, matchHash) {
      const { Item } = await client.send(new GetCommand({ TableName, Key: keys.patientMatch(clinicId, matchHash), ConsistentRead: true }));
      return Item ? String(Item.patientId) : undefined;
    },

    async writeIntake(write, now) {
      const { clinicId, submission, journey, coverage } = write;
      const at = now.toISOString();
      const patientItems =
        write.patient.kind === 'new'
          ? [
              {
                Put: {
                  TableName,
                  Item: { ...keys.patient(clinicId, write.patient.record.patientId), ...write.patient.record },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              ...(write.patient.matchHash
                ? [
                    {
                      Put: {
                        TableName,
                        Item: {
                          ...keys.patientMatch(clinicId, write.patient.matchHash),
                          type: 'PatientMatch',
                          patientId: write.patient.record.patientId,
                          createdAt: at,
                        },
                        ConditionExpression: 'attribute_not_exists(PK)',
                      },
                    },
                  ]
                : []),
            ]
          : [patientUpdate(TableName, clinicId, write.patient.update, write.patient.readAt.patient)];
      // A returning patient's coverage is replaced only as intake read it (a staff correction meanwhile wins).
      const coverageRead = write.patient.kind === 'existing' ? write.patient.readAt.coverage : undefined;
      const coverageCondition =
        write.patient.kind !== 'existing'
          ? {}
          : coverageRead
            ? { ConditionExpression: 'updatedAt = :coverageReadAt', ExpressionAttributeValues: { ':coverageReadAt': coverageRead } }
            : { ConditionExpression: 'attribute_not_exists(PK)' };
      const transactItems = [
        // First: the idempotency claim (CancellationReasons[0] tells a duplicate).
        {
          Put: {
            TableName,
            Item: { ...keys.submission(clinicId, submission.submissionId), ...submission, bodyHash: write.bodyHash },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName,
            Item: journeyItem(journey),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        ...patientItems,
        { Put: { TableName, Item: { ...keys.coverage(clinicId, coverage.patientId), ...coverage }, ...coverageCondition } },
        auditPut(TableName, write.audit, now),
      ];
      try {
        // The token makes the SDK's own retry of this call (e.g. after a timeout) succeed instead of failing its conditions.
        // The journey's ID, not the submission's: that one is the same for every attempt under a key, and a token reused
        // with other items fails as IdempotentParameterMismatch instead of telling a duplicate.
        await client.send(new TransactWriteCommand({ TransactItems: transactItems, ClientRequestToken: journey.journeyId }));
        return 'WRITTEN';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) && (error as Error).name !== 'TransactionCanceledException') throw error;
        const codes = ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
        if (codes[0] === 'ConditionalCheckFailed') return 'DUPLICATE';
        const matchIndex = transactItems.findIndex((item) => 'Put' in item && String(item.Put.Item.SK).startsWith('PATIENTMATCH#'));
        if (matchIndex >= 0 && codes[matchIndex] === 'ConditionalCheckFailed') return 'PATIENT_MATCH_TAKEN';
        // A returning patient's record or coverage changed since intake read it: read again (CONFLICT).
        const readAtIndexes = transactItems.flatMap((item, index) =>
          ('Update' in item && String(item.Update.Key.SK) === 'PROFILE') || ('Put' in item && String(item.Put.Item.SK) === 'COVERAGE')
            ? [index]
            : [],
        );
        if (codes.includes('TransactionConflict') || readAtIndexes.some((index) => codes[index] === 'ConditionalCheckFailed'))
          return 'CONFLICT';
        throw error;
      }
    },
  };
}

/**
 * Updates a returning patient's contact details, only while the record is as intake read it (a staff correction or
 * merge meanwhile is never overwritten; a stale match never creates a stub).
 */
function patientUpdate(TableName: string, clinicId: string, update: PatientContactUpdate, readAt: string) {
  const { patientId, ...fields } = update;
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    Update: {
      TableName,
      Key: keys.patient(clinicId, patientId),
      UpdateExpression: `SET ${entries.map(([name]) => `#${name} = :${name}`).join(', ')}`,
      ConditionExpression: '#updatedAtRead = :readAt',
      ExpressionAttributeNames: { ...Object.fromEntries(entries.map(([name]) => [`#${name}`, name])), '#updatedAtRead': 'updatedAt' },
      ExpressionAttributeValues: { ...Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])), ':readAt': readAt },
    },
  };
}
