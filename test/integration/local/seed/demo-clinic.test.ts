import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY_ID, DEMO_CLINIC_ID, demoClinicCatalog, seedDemoClinic } from '#local/seed/demo-clinic.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { hashApiKey } from '#shared/http/api-key.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';
import { localTable } from '#test/support/local-table.ts';

const API_KEY = 'demo-api-key-for-tests';
let table: TableRef;

beforeAll(async () => {
  table = await localTable('demo-seed');
  await seedDemoClinic(table, { apiKey: API_KEY });
});

describe('Function: seedDemoClinic', () => {
  it('writes a catalog that the catalog store reads back exactly', async () => {
    // Act
    const catalog = await dynamoCatalogStore(table).load(DEMO_CLINIC_ID);

    // Assess
    expect(catalog).toEqual(demoClinicCatalog);
  });

  it('stores only the hash of the API key', async () => {
    // Act
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.apiKey(DEMO_CLINIC_ID, hashApiKey(API_KEY)) }),
    );

    // Assess
    expect(Item).toMatchObject({ type: 'ApiKey', clinicId: DEMO_CLINIC_ID, keyId: DEMO_API_KEY_ID });
    expect(JSON.stringify(Item)).not.toContain(API_KEY);
  });
});
