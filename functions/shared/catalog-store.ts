import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
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
async function loadCatalog(table: TableRef, clinicId: string, consistent = false): Promise<ClinicCatalog | undefined> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.catalogPartition(clinicId) },
        ExclusiveStartKey: startKey,
        ConsistentRead: consistent,
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
 * Writes a clinic's catalog, the counterpart of loadCatalog: loading the same catalog twice loads the same catalog
 * (the calendar items' revision moves on). Items removed from a catalog are not deleted (appointments may still refer
 * to them). What an admin has changed through the calendar routes (items that carry `changedBy`) is kept whole unless
 * the options say `replace`: their closures and time off (the file's new ones are not merged in), a resource's hours.
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
    putCalendarItem(table, calendar, keep, ['closures', 'unavailability']),
    ...catalog.resources.map((r) =>
      putCalendarItem(table, { ...keys.resource(c, r.resourceId), type: CATALOG_ITEM_TYPES.resource, ...r }, keep, ['weeklyHours']),
    ),
  ]);
  return {
    calendarKept: !calendarWritten,
    hoursKept: catalog.resources.flatMap((r, i) => (resourcesWritten[i] ? [] : [r.resourceId])).sort(),
  };
}

/**
 * The revision every write of a calendar item checks (the calendar item, a resource and its hours): admins' changes
 * (functions/scheduling/calendar-store.ts) and a catalog load alike.
 */
export const CALENDAR_REVISION = 'calendarRevision';

/** The condition of a write at `revision` (0: never written at a revision: an item from before, or none). */
export function atRevision(revision: number) {
  return revision === 0
    ? { ConditionExpression: 'attribute_not_exists(#rev)', ExpressionAttributeNames: { '#rev': CALENDAR_REVISION } }
    : {
        ConditionExpression: '#rev = :rev',
        ExpressionAttributeNames: { '#rev': CALENDAR_REVISION },
        ExpressionAttributeValues: { ':rev': revision },
      };
}

/** What marks an admin's change of a calendar item. */
const ADMIN_MARKS = ['changedBy', 'changedAt'] as const;
const CALENDAR_WRITE_ATTEMPTS = 3;

/**
 * Writes an item admins also change through the calendar routes (the calendar item, a resource and its hours) at the
 * revision read, one more: an admin's write in between fails its own revision check and is made again from a fresh
 * read, and this one, failing, reads again. Keeping, where an admin has changed the item (`changedBy`), `adminFields`
 * and the marks stay theirs and the rest is the file's. True when the file's `adminFields` were written.
 */
async function putCalendarItem(
  table: TableRef,
  item: Record<string, unknown>,
  keep: boolean,
  adminFields: readonly string[],
): Promise<boolean> {
  for (let attempt = 0; attempt < CALENDAR_WRITE_ATTEMPTS; attempt++) {
    const { Item: current } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: { PK: item.PK, SK: item.SK }, ConsistentRead: true }),
    );
    const revision = (current?.[CALENDAR_REVISION] as number | undefined) ?? 0;
    const kept = keep && current?.changedBy !== undefined;
    const theirs = kept
      ? Object.fromEntries([...adminFields, ...ADMIN_MARKS].flatMap((f) => (current?.[f] === undefined ? [] : [[f, current[f]]])))
      : {};
    const written = await conditionHeld(
      table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...item, ...theirs, [CALENDAR_REVISION]: revision + 1 },
          ...atRevision(revision),
        }),
      ),
    );
    if (written) return !kept;
  }
  // The items written before this one stay written: loading the catalog again completes it.
  throw new Error(`${String(item.SK)} of ${String(item.PK)} keeps changing under the load: load the catalog again`);
}

/** The clinic catalog's port: what the clinic offers, where, by whom. */
export interface CatalogStore {
  /** `consistent`: a strongly consistent read, for a decision that must see a change made a moment ago. */
  load(clinicId: string, options?: { consistent?: boolean }): Promise<ClinicCatalog | undefined>;
  put(catalog: ClinicCatalog, options?: CatalogPutOptions): Promise<CatalogPutOutcome>;
}

/** The DynamoDB adapter of the catalog store. */
export function dynamoCatalogStore(table: TableRef): CatalogStore {
  return {
    load: (clinicId, options) => loadCatalog(table, clinicId, options?.consistent),
    put: (catalog, options) => putCatalog(table, catalog, options),
  };
}

/**
 * Keeps each clinic's catalog in the function for a short time: every journey task loads it, and it changes when the
 * clinic edits its offer, which may take `ttlMs` to reach warm functions. A clinic not found is not kept.
 */
export function cachedCatalogStore(store: CatalogStore, options: { ttlMs: number; now: () => Date }): CatalogStore {
  const cache = new Map<string, { catalog: ClinicCatalog; until: number }>();
  return {
    async load(clinicId, loadOptions) {
      if (loadOptions?.consistent) return store.load(clinicId, loadOptions);
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
