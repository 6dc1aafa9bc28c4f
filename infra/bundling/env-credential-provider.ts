import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What deployed bundles get instead of `@aws-sdk/credential-provider-node` (the alias is in HOUSE_BUNDLING,
 * infra/constructs/patient-access-function.ts). Every SDK client imports that package's `defaultProvider`, the chain
 * that tries the environment, SSO, the shared INI files, a credential process, a web identity token and the instance
 * metadata service, with the STS and SSO-OIDC clients it needs for them: about 93 KiB and 20 ms of cold import in every
 * handler. In Lambda the execution role's credentials are always in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so a bundle needs only the chain's first link: `fromEnv()`.
 *
 * Tests and the local cloud run the source, not the bundles, and keep the SDK's full chain.
 */

type CredentialProvider = ReturnType<typeof fromEnv>;
type ProviderInit = Parameters<typeof fromEnv>[0];

export const MISSING_ENV_CREDENTIALS =
  'No AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). This bundle reads credentials ' +
  'from the environment only, as Lambda provides them; the SDK default chain (profiles, SSO, instance metadata) is ' +
  'not bundled: see infra/bundling/env-credential-provider.ts.';

/** The SDK clients' `credentialDefaultProvider`: the environment's credentials, or a clear error when there are none. */
export function defaultProvider(init: ProviderInit = {}): CredentialProvider {
  const fromEnvironment = fromEnv(init);
  return async (...args) => {
    try {
      return await fromEnvironment(...args);
    } catch (error) {
      throw new Error(MISSING_ENV_CREDENTIALS, { cause: error });
    }
  };
}

/** The other exports of `@aws-sdk/credential-provider-node`, as it defines them (no SDK module imports them today). */
export const credentialsWillNeedRefresh = (credentials: { expiration?: Date }): boolean => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: { expiration?: Date }): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
