import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AppointmentType, ClinicCatalog, ClinicProfile, Department, Location, Resource } from '#model/clinic-catalog.ts';
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
async function loadCatalog(table: TableRef, clinicId: string): Promise<ClinicCatalog | undefined> {
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

/**
 * Writes a clinic's catalog, the counterpart of loadCatalog. Plain puts: loading the same catalog twice leaves the
 * table as loading it once. Items removed from a catalog are not deleted (appointments may still refer to them).
 */
async function putCatalog(table: TableRef, catalog: ClinicCatalog): Promise<void> {
  const c = catalog.profile.clinicId;
  const items: Array<Record<string, unknown>> = [
    { ...keys.clinic(c), type: CATALOG_ITEM_TYPES.profile, ...catalog.profile },
    ...catalog.locations.map((l) => ({ ...keys.location(c, l.locationId), type: CATALOG_ITEM_TYPES.location, ...l })),
    ...catalog.departments.map((d) => ({ ...keys.department(c, d.departmentId), type: CATALOG_ITEM_TYPES.department, ...d })),
    ...catalog.resources.map((r) => ({ ...keys.resource(c, r.resourceId), type: CATALOG_ITEM_TYPES.resource, ...r })),
    ...catalog.appointmentTypes.map((t) => ({ ...keys.appointmentType(c, t.code), type: CATALOG_ITEM_TYPES.appointmentType, ...t })),
  ];
  await Promise.all(items.map((Item) => table.client.send(new PutCommand({ TableName: table.tableName, Item }))));
}

/** The clinic catalog's port: what the clinic offers, where, by whom. */
export interface CatalogStore {
  load(clinicId: string): Promise<ClinicCatalog | undefined>;
  put(catalog: ClinicCatalog): Promise<void>;
}

/** The DynamoDB adapter of the catalog store. */
export function dynamoCatalogStore(table: TableRef): CatalogStore {
  return { load: (clinicId) => loadCatalog(table, clinicId), put: (catalog) => putCatalog(table, catalog) };
}
