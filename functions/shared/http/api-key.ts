import { createHash, randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** Only this hash of a clinic's API key is stored (keys.apiKey); the key itself is shown once, when issued. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** A new API key: 24 random bytes, URL-safe, with a prefix that says what it is when it turns up in a paste. */
export function newApiKey(prefix = 'pa'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** Stores a key's hash for a clinic; the authorizer accepts the key for that clinic's paths from then on. */
export async function storeApiKey(table: TableRef, clinicId: string, apiKey: string, keyId: string, createdAt: string): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { ...keys.apiKey(clinicId, hashApiKey(apiKey)), type: 'ApiKey', clinicId, keyId, createdAt },
    }),
  );
}
