import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoApiKeyStore } from '#functions/api/api-key-store.ts';
import { hashApiKey } from '#shared/http/api-key.ts';
import type { TableRef } from '#shared/table.ts';
import { localTable } from '#test/support/local-table.ts';

let table: TableRef;

beforeAll(async () => {
  table = await localTable('api-keys');
  await dynamoApiKeyStore(table).store('clinic-a', 'pa_key-of-clinic-a', 'key-1', '2026-12-01T10:00:00.000Z');
});

describe('Store: dynamoApiKeyStore on DynamoDB Local', () => {
  it("finds a stored key by its clinic and hash, naming the key's ID", async () => {
    // Act
    const found = await dynamoApiKeyStore(table).find('clinic-a', hashApiKey('pa_key-of-clinic-a'));

    // Assess
    expect(found).toEqual({ keyId: 'key-1' });
  });

  it("finds nothing for another clinic's path or for a key that was never stored", async () => {
    // Act
    const otherClinic = await dynamoApiKeyStore(table).find('clinic-b', hashApiKey('pa_key-of-clinic-a'));
    const unknownKey = await dynamoApiKeyStore(table).find('clinic-a', hashApiKey('pa_not-a-key'));

    // Assess
    expect([otherClinic, unknownKey]).toEqual([undefined, undefined]);
  });
});
