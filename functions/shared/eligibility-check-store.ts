import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** The port staff views read eligibility checks through. */
export interface EligibilityChecks {
  get(ref: JourneyRef): Promise<EligibilityCheckRecord | undefined>;
}

/** A journey's last eligibility check (keys.eligibility), as the eligibility stage wrote it: read by staff views too. */
export async function eligibilityCheckOf(table: TableRef, ref: JourneyRef): Promise<EligibilityCheckRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.eligibility(ref.clinicId, ref.journeyId) }),
  );
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...record } = Item;
  return record as EligibilityCheckRecord;
}
