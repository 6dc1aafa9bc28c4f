import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '#contract/function-catalog.ts';
import { requireEnv } from './env.ts';

type SecretName = 'clearinghouseApiKey' | 'paymentsApiKey' | 'patientIdentityKey';

/** The variable that names the Secrets Manager secret holding each key. */
const SECRET_ARN_ENV = {
  clearinghouseApiKey: ENV.clearinghouseApiKeySecretArn,
  paymentsApiKey: ENV.paymentsApiKeySecretArn,
  patientIdentityKey: ENV.patientIdentityKeySecretArn,
} as const satisfies Record<SecretName, string>;

/**
 * A dependency's API key. Deployed, the stack passes the secret's ARN (e.g. CLEARINGHOUSE_API_KEY_SECRET_ARN) and the
 * key is read from Secrets Manager (cached for 5 minutes, so a rotated key is picked up without a redeploy); the local
 * cloud passes the key itself (e.g. CLEARINGHOUSE_API_KEY). Either way the key never sits in the function's
 * configuration in AWS.
 */
export function secretProvider(name: SecretName): () => Promise<string> {
  const secretArn = process.env[SECRET_ARN_ENV[name]];
  if (!secretArn) {
    const value = requireEnv(name);
    return async () => value;
  }
  return async () => {
    const value = await getSecret(secretArn, { maxAge: 300 });
    if (typeof value !== 'string' || value.length === 0) throw new Error(`Secret for ${ENV[name]} is empty`);
    return value;
  };
}

/** An API key given as is (tests, local cloud) or as a provider that reads it when needed (Secrets Manager). */
export type ApiKeySource = string | (() => Promise<string>);

/** The key itself, reading it from its provider when it is one. */
export async function resolveApiKey(source: ApiKeySource): Promise<string> {
  return typeof source === 'string' ? source : source();
}
