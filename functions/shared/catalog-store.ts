import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AppointmentType, ClinicCatalog, ClinicProfile, Department, Location, Resource } from '#model/clinic-catalog.ts';
import { keys } from './keys.ts';
import { conditionHeld, type TableRef } from './table.ts';

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

/** What loading a catalog did with the calendar admins maintain through the API (functions/scheduling/calendar.ts). */
export interface CatalogPutOutcome {
  /** The closures and time off were kept: an admin has changed them since a catalog last set them. */
  calendarKept: boolean;
  /** Resources whose weekly hours were kept for the same reason (the rest of each resource was written). */
  hoursKept: string[];
}

export interface CatalogPutOptions {
  /**
   * `keep` (the default): closures, time off and weekly hours an admin has changed through the API stay as they are,
   * so reloading a clinic's catalog to add a type never wipes a provider's holiday. `replace`: the file's win.
   */
  calendar?: 'keep' | 'replace';
}

/**
 * Writes a clinic's catalog, the counterpart of loadCatalog: loading the same catalog twice leaves the table as
 * loading it once. Items removed from a catalog are not deleted (appointments may still refer to them). What an admin
 * has changed through the calendar routes (items that carry `changedBy`) is kept unless the options say `replace`.
 */
async function putCatalog(table: TableRef, catalog: ClinicCatalog, options: CatalogPutOptions = {}): Promise<CatalogPutOutcome> {
  const keep = (options.calendar ?? 'keep') === 'keep';
  const c = catalog.profile.clinicId;
  const items: Array<Record<string, unknown>> = [
    { ...keys.clinic(c), type: CATALOG_ITEM_TYPES.profile, ...catalog.profile },
    ...catalog.locations.map((l) => ({ ...keys.location(c, l.locationId), type: CATALOG_ITEM_TYPES.location, ...l })),
    ...catalog.departments.map((d) => ({ ...keys.department(c, d.departmentId), type: CATALOG_ITEM_TYPES.department, ...d })),
    ...catalog.appointmentTypes.map((t) => ({ ...keys.appointmentType(c, t.code), type: CATALOG_ITEM_TYPES.appointmentType, ...t })),
    {
      ...keys.catalogPayerTerms(c),
      type: CATALOG_ITEM_TYPES.payerTerms,
      payerNetworks: catalog.payerNetworks ?? [],
      priorAuthorizationRules: catalog.priorAuthorizationRules ?? [],
      payerRates: catalog.payerRates ?? [],
    },
  ];
  await Promise.all(items.map((Item) => table.client.send(new PutCommand({ TableName: table.tableName, Item }))));
  // Closures and time off in one item: dated entries that come and go, read with the rest.
  const calendar = {
    ...keys.catalogCalendar(c),
    type: CATALOG_ITEM_TYPES.calendar,
    closures: catalog.closures ?? [],
    unavailability: catalog.unavailability ?? [],
  };
  const [calendarWritten, ...resourcesWritten] = await Promise.all([
    putUnlessChangedByAdmin(table, calendar, keep),
    ...catalog.resources.map((r) =>
      putResource(table, { ...keys.resource(c, r.resourceId), type: CATALOG_ITEM_TYPES.resource, ...r }, keep),
    ),
  ]);
  return {
    calendarKept: !calendarWritten,
    hoursKept: catalog.resources.flatMap((r, i) => (resourcesWritten[i] ? [] : [r.resourceId])).sort(),
  };
}

/** A plain put, or (keeping) one that holds only while no admin has changed the item; true when it was written. */
async function putUnlessChangedByAdmin(table: TableRef, Item: Record<string, unknown>, keep: boolean): Promise<boolean> {
  const put = new PutCommand({
    TableName: table.tableName,
    Item,
    ...(keep ? { ConditionExpression: 'attribute_not_exists(changedBy)' } : {}),
  });
  return conditionHeld(table.client.send(put));
}

/** A resource as the catalog has it; where an admin has changed its hours, everything but them. True: hours written. */
async function putResource(table: TableRef, item: Record<string, unknown>, keep: boolean): Promise<boolean> {
  if (await putUnlessChangedByAdmin(table, item, keep)) return true;
  const { PK, SK, weeklyHours: _fileHours, ...rest } = item;
  const names = Object.keys(rest);
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { PK, SK },
      UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, rest[name]])),
    }),
  );
  return false;
}

/** The clinic catalog's port: what the clinic offers, where, by whom. */
export interface CatalogStore {
  load(clinicId: string): Promise<ClinicCatalog | undefined>;
  put(catalog: ClinicCatalog, options?: CatalogPutOptions): Promise<CatalogPutOutcome>;
}

/** The DynamoDB adapter of the catalog store. */
export function dynamoCatalogStore(table: TableRef): CatalogStore {
  return { load: (clinicId) => loadCatalog(table, clinicId), put: (catalog, options) => putCatalog(table, catalog, options) };
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
    async put(catalog, options) {
      const outcome = await store.put(catalog, options);
      cache.delete(catalog.profile.clinicId);
      return outcome;
    },
  };
}
