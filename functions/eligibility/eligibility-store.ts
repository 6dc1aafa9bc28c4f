import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import type { CoverageRecord } from '#model/patient-records.ts';
import { eligibilityCheckOf, recheckOf } from '#shared/eligibility-check-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/**
 * The eligibility stage's port to storage: the coverage one check reads, and the check's result. The coverage read is
 * not audited here: the caller records it (coverage.read) with its outcome. The patient is read through the shared
 * PatientStore (#shared/patient-store.ts), which audits every read.
 */
export interface EligibilityStore {
  /** The patient's coverage (keys.coverage), if any is on file. */
  getCoverage(clinicId: string, patientId: string): Promise<CoverageRecord | undefined>;
  /** Writes the check's result. A plain put: repeating the same check leaves one item with the same result. */
  putCheck(record: EligibilityCheckRecord): Promise<void>;
  /** The last check's result, for the journey view. */
  getCheck(ref: JourneyRef): Promise<EligibilityCheckRecord | undefined>;
  /** A visit's latest re-check (keys.appointmentEligibility), written whole by each. */
  getRecheck(clinicId: string, appointmentId: string): Promise<EligibilityCheckRecord | undefined>;
  putRecheck(appointmentId: string, record: EligibilityCheckRecord): Promise<void>;
}

/** The DynamoDB adapter of the eligibility store. */
export function dynamoEligibilityStore(table: TableRef): EligibilityStore {
  return {
    getCoverage: (clinicId, patientId) => get<CoverageRecord>(table, keys.coverage(clinicId, patientId)),
    async putCheck(record) {
      await table.client.send(
        new PutCommand({ TableName: table.tableName, Item: { ...keys.eligibility(record.clinicId, record.journeyId), ...record } }),
      );
    },
    getCheck: (ref) => eligibilityCheckOf(table, ref),
    getRecheck: (clinicId, appointmentId) => recheckOf(table, clinicId, appointmentId),
    async putRecheck(appointmentId, record) {
      await table.client.send(
        new PutCommand({ TableName: table.tableName, Item: { ...keys.appointmentEligibility(record.clinicId, appointmentId), ...record } }),
      );
    },
  };
}

/** One item without its keys, or undefined. */
async function get<T>(table: TableRef, key: { PK: string; SK: string }): Promise<T | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }));
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...record } = Item;
  return record as T;
}
