import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { hashApiKey } from '#shared/http/api-key.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** A stored API key as the authorizer needs it: its ID (named in the audit trail) and whether it was revoked. */
export interface ApiKeyEntry {
  keyId: string;
  revokedAt?: string;
}

/** The clinics' API keys: only a key's hash is stored (keys.apiKey); the key itself is shown once, when issued. */
export interface ApiKeyStore {
  /** Stores a key's hash for a clinic; the authorizer accepts the key for that clinic's paths from then on. */
  store(clinicId: string, apiKey: string, keyId: string, createdAt: string): Promise<void>;
  /** The key with this hash stored for this clinic, if any: a key is stored under its clinic, so no other clinic finds it. */
  find(clinicId: string, keyHash: string): Promise<ApiKeyEntry | undefined>;
}

/** The DynamoDB adapter of the API key store (keys.apiKey). */
export function dynamoApiKeyStore(table: TableRef): ApiKeyStore {
  return {
    async store(clinicId, apiKey, keyId, createdAt) {
      await table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...keys.apiKey(clinicId, hashApiKey(apiKey)), type: 'ApiKey', clinicId, keyId, createdAt },
        }),
      );
    },
    async find(clinicId, keyHash) {
      const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.apiKey(clinicId, keyHash) }));
      if (!Item) return undefined;
      return { keyId: String(Item.keyId), ...(Item.revokedAt ? { revokedAt: String(Item.revokedAt) } : {}) };
    },
  };
}
