import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoCalendarStore } from '#functions/scheduling/calendar-store.ts';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('catalog-store');
const catalogs = dynamoCatalogStore(table);

/** The demo catalog under another clinic ID, so each test has a clinic partition of its own. */
function catalogOf(clinicId: string): ClinicCatalog {
  return { ...demoClinicCatalog, profile: { ...demoClinicCatalog.profile, clinicId } };
}

/**
 * The catalog with each list in ID order: the store keeps a catalog's items under their IDs and returns them in
 * key order, so the order they were listed in is not part of what it stores.
 */
function inIdOrder(catalog: ClinicCatalog): ClinicCatalog {
  const by =
    <T>(id: (item: T) => string) =>
    (items: T[]) =>
      [...items].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  return {
    profile: catalog.profile,
    locations: by<ClinicCatalog['locations'][number]>((l) => l.locationId)(catalog.locations),
    departments: by<ClinicCatalog['departments'][number]>((d) => d.departmentId)(catalog.departments),
    resources: by<ClinicCatalog['resources'][number]>((r) => r.resourceId)(catalog.resources),
    appointmentTypes: by<ClinicCatalog['appointmentTypes'][number]>((t) => t.code)(catalog.appointmentTypes),
    // The payer terms are one item, kept in the order listed.
    ...(catalog.payerNetworks ? { payerNetworks: catalog.payerNetworks } : {}),
    ...(catalog.priorAuthorizationRules ? { priorAuthorizationRules: catalog.priorAuthorizationRules } : {}),
    ...(catalog.payerRates ? { payerRates: catalog.payerRates } : {}),
  };
}

/** The same table through a client that keeps every raw Query response: what left DynamoDB for the function. */
function recordingQueries(): { table: TableRef; responses: unknown[] } {
  const responses: unknown[] = [];
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') responses.push(result.output);
      return result;
    },
    { step: 'initialize' },
  );
  return { table: { ...table, client }, responses };
}

describe('Catalog store: dynamoCatalogStore on DynamoDB Local', () => {
  it('loads the catalog it put, every item with every field', async () => {
    // Prepare
    const catalog = catalogOf('clinic-put-load');

    // Act
    await catalogs.put(catalog);
    const loaded = await catalogs.load('clinic-put-load');

    // Assess
    expect(loaded).toEqual(inIdOrder(catalog));
    expect(loaded?.resources).toHaveLength(demoClinicCatalog.resources.length);
    expect(loaded?.appointmentTypes).toHaveLength(demoClinicCatalog.appointmentTypes.length);
    expect(loaded?.priorAuthorizationRules).toEqual(demoClinicCatalog.priorAuthorizationRules);
    expect(loaded?.payerRates).toHaveLength(2);
  });

  it('keeps the clinic’s network status with each payer', async () => {
    // Prepare
    const catalog = {
      ...catalogOf('clinic-networks'),
      payerNetworks: [{ payerId: '87726', locationId: 'denver-cherry-creek', network: 'OUT' as const }],
    };

    // Act
    await catalogs.put(catalog);

    // Assess
    expect((await catalogs.load('clinic-networks'))?.payerNetworks).toEqual(catalog.payerNetworks);
  });

  it('loads the same catalog after it is put twice', async () => {
    // Prepare
    const catalog = catalogOf('clinic-put-twice');
    await catalogs.put(catalog);

    // Act
    await catalogs.put(catalog);

    // Assess
    expect(await catalogs.load('clinic-put-twice')).toEqual(inIdOrder(catalog));
  });

  it("keeps an admin's time off, closures and hours when the catalog is loaded again, and takes the file's when asked", async () => {
    // Prepare: loaded once, then an admin books a provider's holiday and changes their hours through the API's store
    const clinicId = 'clinic-reloaded';
    const catalog = catalogOf(clinicId);
    const [provider] = catalog.resources;
    if (!provider) throw new Error('The demo clinic has resources');
    const first = await catalogs.put(catalog);
    const calendar = dynamoCalendarStore(table);
    const by = { actor: 'user:admin-1', at: new Date('2026-12-01T09:00:00.000Z') };
    const holiday = {
      resourceId: provider.resourceId,
      kind: 'time-off' as const,
      start: '2027-01-04T00:00:00Z',
      end: '2027-01-09T00:00:00Z',
    };
    const { revision } = await calendar.read(clinicId);
    expect(await calendar.save(clinicId, { closures: [], unavailability: [holiday] }, revision, by, [])).toBe(true);
    const hours = await calendar.readHours(clinicId, provider.resourceId);
    if (!hours) throw new Error('The resource was loaded');
    const adminHours = { MON: [{ start: '10:00', end: '14:00' }] };
    expect(await calendar.saveHours(clinicId, hours, adminHours, by, [])).toBe(true);

    // Act: the same file again, with a provider renamed
    const renamed = { ...catalog, resources: catalog.resources.map((r, i) => (i === 0 ? { ...r, name: 'Dr. Renamed' } : r)) };
    const seenByAnAdmin = await calendar.read(clinicId);
    const kept = await catalogs.put(renamed);
    const afterKeep = await catalogs.load(clinicId);
    // The load moved the revision on: an admin's write from what they read before it is refused, to be made again.
    const staleWrite = await calendar.save(clinicId, { closures: [], unavailability: [] }, seenByAnAdmin.revision, by, []);
    const replaced = await catalogs.put(renamed, { calendar: 'replace' });
    const afterReplace = await catalogs.load(clinicId);

    // Assess
    expect(first).toEqual({ calendarKept: false, hoursKept: [] });
    expect(kept).toEqual({ calendarKept: true, hoursKept: [provider.resourceId] });
    expect(staleWrite).toBe(false);
    expect(afterKeep?.unavailability).toEqual([holiday]);
    expect(afterKeep?.resources.find((r) => r.resourceId === provider.resourceId)).toMatchObject({
      name: 'Dr. Renamed',
      weeklyHours: adminHours,
    });
    expect(replaced).toEqual({ calendarKept: false, hoursKept: [] });
    expect(afterReplace?.unavailability).toEqual(catalog.unavailability);
    expect(afterReplace?.resources.find((r) => r.resourceId === provider.resourceId)?.weeklyHours).toEqual(provider.weeklyHours);
  });

  it('finds no catalog for a clinic that has none', async () => {
    // Prepare
    await catalogs.put(catalogOf('clinic-known'));

    // Act
    const loaded = await catalogs.load('clinic-unknown');

    // Assess
    expect(loaded).toBeUndefined();
  });

  it('never reads the API key hashes stored in the clinic partition', async () => {
    // Prepare
    const clinicId = 'clinic-with-keys';
    await catalogs.put(catalogOf(clinicId));
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.apiKey(clinicId, 'hash-of-a-key'),
          type: 'ApiKey',
          clinicId,
          keyId: 'key-1',
          createdAt: '2026-12-01T10:00:00.000Z',
        },
      }),
    );
    const recording = recordingQueries();

    // Act
    const loaded = await dynamoCatalogStore(recording.table).load(clinicId);

    // Assess
    expect(loaded).toEqual(inIdOrder(catalogOf(clinicId)));
    expect(recording.responses).not.toHaveLength(0);
    expect(JSON.stringify(recording.responses)).not.toContain('hash-of-a-key');
  });
});
