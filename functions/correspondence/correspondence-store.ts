import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ClinicProfile } from '#model/clinic-catalog.ts';
import type { PatientRecord } from '#model/patient-records.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** Who a message goes to and whom it comes from: the two records correspondence reads besides the journey. */
export interface CorrespondenceStore {
  /** The patient (keys.patient): name, address and consent to email. The caller audits the read. */
  getPatient(clinicId: string, patientId: string): Promise<PatientRecord | undefined>;
  /** The profile item alone (keys.clinic): name, phone and reply-to are all correspondence needs from the catalog. */
  getClinicProfile(clinicId: string): Promise<ClinicProfile | undefined>;
}

/** The DynamoDB adapter: one GetItem each. */
export function dynamoCorrespondenceStore(table: TableRef): CorrespondenceStore {
  const get = async (Key: { PK: string; SK: string }) => {
    const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key }));
    if (!Item) return undefined;
    const { PK: _pk, SK: _sk, ...item } = Item;
    return item;
  };
  return {
    getPatient: async (clinicId, patientId) => (await get(keys.patient(clinicId, patientId))) as PatientRecord | undefined,
    getClinicProfile: async (clinicId) => (await get(keys.clinic(clinicId))) as ClinicProfile | undefined,
  };
}
