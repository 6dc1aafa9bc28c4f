import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AppointmentType, ClinicCatalog, ClinicProfile, Department, Location, Resource } from './clinic-catalog.ts';
import { keys } from './keys.ts';
import type { TableRef } from './table.ts';

/** Item `type` attribute of each catalog item kind, as written by the seed and read here. */
export const CATALOG_ITEM_TYPES = {
  profile: 'ClinicProfile',
  location: 'Location',
  department: 'Department',
  resource: 'Resource',
  appointmentType: 'AppointmentType',
} as const;

/**
 * Loads a clinic's whole catalog with one paginated Query on the clinic partition (a few dozen items). API key
 * hashes share that partition but are filtered out by type and never returned.
 */
export async function loadCatalog(table: TableRef, clinicId: string): Promise<ClinicCatalog | undefined> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        FilterExpression: '#type IN (:profile, :location, :department, :resource, :appointmentType)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':pk': keys.clinicPartition(clinicId),
          ':profile': CATALOG_ITEM_TYPES.profile,
          ':location': CATALOG_ITEM_TYPES.location,
          ':department': CATALOG_ITEM_TYPES.department,
          ':resource': CATALOG_ITEM_TYPES.resource,
          ':appointmentType': CATALOG_ITEM_TYPES.appointmentType,
        },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const ofType = <T>(type: string) => items.filter((i) => i.type === type).map(({ PK, SK, type: _t, ...rest }) => rest as T);
  const [profile] = ofType<ClinicProfile>(CATALOG_ITEM_TYPES.profile);
  if (!profile) return undefined;
  return {
    profile,
    locations: ofType<Location>(CATALOG_ITEM_TYPES.location),
    departments: ofType<Department>(CATALOG_ITEM_TYPES.department),
    resources: ofType<Resource>(CATALOG_ITEM_TYPES.resource),
    appointmentTypes: ofType<AppointmentType>(CATALOG_ITEM_TYPES.appointmentType),
  };
}
