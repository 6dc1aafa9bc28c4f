import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';
import { hashApiKey } from './api-key.ts';

/** Stores a key's hash for a clinic; the authorizer accepts the key for that clinic's paths from then on. */
export async function storeApiKey(table: TableRef, clinicId: string, apiKey: string, keyId: string, createdAt: string): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { ...keys.apiKey(clinicId, hashApiKey(apiKey)), type: 'ApiKey', clinicId, keyId, createdAt },
    }),
  );
}
