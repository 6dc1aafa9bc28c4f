import { isPathId } from '#contract/api/path-ids.ts';
import { hashApiKey } from '#shared/http/api-key.ts';
import type { ClinicAuthorization } from '#shared/http/authorized-clinic.ts';
import { log } from '#shared/observability.ts';
import type { ApiKeyStore } from './api-key-store.ts';

export interface AuthorizeApiKeyDeps {
  apiKeys: ApiKeyStore;
}

/** What a request presents: its x-api-key header and the clinic in its path. */
export interface PresentedApiKey {
  apiKey: string | undefined;
  clinicId: string | undefined;
}

/**
 * Whom a request is authorized as, or undefined. A key is valid only for the clinic named in the path: the lookup key
 * is (clinicId from the path, hash of the presented key), so a key for clinic A finds nothing under clinic B.
 */
export async function authorizeApiKey(deps: AuthorizeApiKeyDeps, presented: PresentedApiKey): Promise<ClinicAuthorization | undefined> {
  const { apiKey, clinicId } = presented;
  // A clinic ID no clinic can have never reaches the key lookup (an over-long one would not fit a DynamoDB key).
  if (!apiKey || !isPathId(clinicId)) return undefined;
  const key = await deps.apiKeys.find(clinicId, hashApiKey(apiKey));
  if (!key || key.revokedAt) {
    log.warn('API key rejected', { clinicId });
    return undefined;
  }
  return { clinicId, keyId: key.keyId };
}
