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
  calendar: 'CatalogCalendar',
  payerTerms: 'PayerTerms',
} as const;

/**
 * Loads a clinic's whole catalog with one paginated Query on the catalog's own partition (a few dozen items): its cost
 * does not grow with the clinic's patients, submissions or keys, which live elsewhere.
 */
async function loadCatalog(table: TableRef, clinicId: string): Promise<ClinicCatalog | undefined> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.catalogPartition(clinicId) },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  // An admin's change of hours or calendar (functions/scheduling/calendar-store.ts) leaves its revision and author on the item.
  const ofType = <T>(type: string) =>
    items
      .filter((i) => i.type === type)
      .map(({ PK, SK, type: _t, calendarRevision: _r, changedBy: _b, changedAt: _a, ...rest }) => rest as T);
  const [profile] = ofType<ClinicProfile>(CATALOG_ITEM_TYPES.profile);
  if (!profile) return undefined;
  return {
    profile,
    locations: ofType<Location>(CATALOG_ITEM_TYPES.location),
    departments: ofType<Department>(CATALOG_ITEM_TYPES.department),
    resources: ofType<Resource>(CATALOG_ITEM_TYPES.resource),
    appointmentTypes: ofType<AppointmentType>(CATALOG_ITEM_TYPES.appointmentType),
    ...calendarOf(ofType<Pick<ClinicCatalog, 'closures' | 'unavailability'>>(CATALOG_ITEM_TYPES.calendar)[0]),
    ...payerTermsOf(ofType<PayerTerms>(CATALOG_ITEM_TYPES.payerTerms)[0]),
  };
}

/** What the clinic has agreed with or learnt of its payers: one item, read with the rest. */
type PayerTerms = Pick<ClinicCatalog, 'payerNetworks' | 'priorAuthorizationRules' | 'payerRates'>;

/** The payer terms' lists, those that hold anything. */
function payerTermsOf(item: PayerTerms | undefined): PayerTerms {
  return {
    ...(item?.payerNetworks?.length ? { payerNetworks: item.payerNetworks } : {}),
    ...(item?.priorAuthorizationRules?.length ? { priorAuthorizationRules: item.priorAuthorizationRules } : {}),
    ...(item?.payerRates?.length ? { payerRates: item.payerRates } : {}),
  };
}

/** The calendar item's lists, those that hold anything. */
function calendarOf(
  item: Pick<ClinicCatalog, 'closures' | 'unavailability'> | undefined,
): Pick<ClinicCatalog, 'closures' | 'unavailability'> {
  return {
    ...(item?.closures?.length ? { closures: item.closures } : {}),
    ...(item?.unavailability?.length ? { unavailability: item.unavailability } : {}),
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
    // Closures and time off in one item: dated entries that come and go, read with the rest.
    {
      ...keys.catalogCalendar(c),
      type: CATALOG_ITEM_TYPES.calendar,
      closures: catalog.closures ?? [],
      unavailability: catalog.unavailability ?? [],
    },
    {
      ...keys.catalogPayerTerms(c),
      type: CATALOG_ITEM_TYPES.payerTerms,
      payerNetworks: catalog.payerNetworks ?? [],
      priorAuthorizationRules: catalog.priorAuthorizationRules ?? [],
      payerRates: catalog.payerRates ?? [],
    },
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

/**
 * Keeps each clinic's catalog in the function for a short time: every journey task loads it, and it changes when the
 * clinic edits its offer, which may take `ttlMs` to reach warm functions. A clinic not found is not kept.
 */
export function cachedCatalogStore(store: CatalogStore, options: { ttlMs: number; now: () => Date }): CatalogStore {
  const cache = new Map<string, { catalog: ClinicCatalog; until: number }>();
  return {
    async load(clinicId) {
      const at = options.now().getTime();
      const hit = cache.get(clinicId);
      if (hit && hit.until > at) return hit.catalog;
      const catalog = await store.load(clinicId);
      if (catalog) cache.set(clinicId, { catalog, until: at + options.ttlMs });
      else cache.delete(clinicId);
      return catalog;
    },
    async put(catalog) {
      await store.put(catalog);
      cache.delete(catalog.profile.clinicId);
    },
  };
}
