import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider, MISSING_ENV_CREDENTIALS } from '#infra/bundling/env-credential-provider.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Function: defaultProvider (deployed bundles, in place of the SDK default chain)', () => {
  it('returns the credentials Lambda puts in the environment', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'session');

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
  });

  it('reads the environment on every call, so rotated credentials are picked up', async () => {
    // Prepare
    const provider = defaultProvider();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'first');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    await provider();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'second');

    // Act
    const credentials = await provider();

    // Assess
    expect(credentials.accessKeyId).toBe('second');
  });

  it.each([
    ['no credentials at all', {}],
    ['a key without its secret', { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE' }],
    ['a profile, which a bundle does not read', { AWS_PROFILE: 'default' }],
  ])('fails with a clear error given %s', async (_case, env: Record<string, string>) => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);

    // Act & assess
    const failure = defaultProvider()();
    await expect(failure).rejects.toThrow(MISSING_ENV_CREDENTIALS);
    await expect(failure).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('is what an SDK client uses when it is given as credentialDefaultProvider, as the alias makes it in a bundle', async () => {
    // Prepare: the client resolves credentials through the provider when it signs a request.
    const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    const client = new DynamoDBClient({ region: 'us-east-1', credentialDefaultProvider: defaultProvider, maxAttempts: 1 });

    // Act & assess: it fails before any request leaves, naming the cause.
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow(MISSING_ENV_CREDENTIALS);
  });
});
