import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '#infra/function-catalog.ts';
import { requireEnv } from './env.ts';

type SecretName = 'clearinghouseApiKey' | 'paymentsApiKey';

/**
 * A dependency's API key. Deployed, the stack passes `<NAME>_SECRET_ARN` and the key is read from Secrets Manager
 * (cached for 5 minutes, so a rotated key is picked up without a redeploy); the local cloud passes the key itself in
 * `<NAME>`. Either way the key never sits in the function's configuration in AWS.
 */
export function secretProvider(name: SecretName): () => Promise<string> {
  const secretArn = process.env[`${ENV[name]}_SECRET_ARN`];
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

export async function resolveApiKey(source: ApiKeySource): Promise<string> {
  return typeof source === 'string' ? source : source();
}
