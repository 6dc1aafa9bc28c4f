import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** The port staff views read eligibility checks through. */
export interface EligibilityChecks {
  get(ref: JourneyRef): Promise<EligibilityCheckRecord | undefined>;
  /** A visit's latest re-check before it (keys.appointmentEligibility), if one ran. */
  getRecheck(clinicId: string, appointmentId: string): Promise<EligibilityCheckRecord | undefined>;
}

/** A journey's last eligibility check (keys.eligibility), as the eligibility stage wrote it: read by staff views too. */
export const eligibilityCheckOf = (table: TableRef, ref: JourneyRef) => checkAt(table, keys.eligibility(ref.clinicId, ref.journeyId));

/** A visit's latest re-check (keys.appointmentEligibility). */
export const recheckOf = (table: TableRef, clinicId: string, appointmentId: string) =>
  checkAt(table, keys.appointmentEligibility(clinicId, appointmentId));

/** The shared port over one table. */
export const dynamoEligibilityChecks = (table: TableRef): EligibilityChecks => ({
  get: (ref) => eligibilityCheckOf(table, ref),
  getRecheck: (clinicId, appointmentId) => recheckOf(table, clinicId, appointmentId),
});

async function checkAt(table: TableRef, key: { PK: string; SK: string }): Promise<EligibilityCheckRecord | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }));
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...record } = Item;
  return record as EligibilityCheckRecord;
}
