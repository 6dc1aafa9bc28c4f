import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ClinicProfile } from '#model/clinic-catalog.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** Whom a message comes from. The patient it goes to is read through the shared PatientStore, which audits the read. */
export interface CorrespondenceStore {
  /** The profile item alone (keys.clinic): name, phone and reply-to are all correspondence needs from the catalog. */
  getClinicProfile(clinicId: string): Promise<ClinicProfile | undefined>;
}

/** The DynamoDB adapter: one GetItem. */
export function dynamoCorrespondenceStore(table: TableRef): CorrespondenceStore {
  return {
    async getClinicProfile(clinicId) {
      const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.clinic(clinicId) }));
      if (!Item) return undefined;
      const { PK: _pk, SK: _sk, ...profile } = Item;
      return profile as ClinicProfile;
    },
  };
}
