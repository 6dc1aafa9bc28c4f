import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '#contract/function-catalog.ts';
import { resolveApiKey, secretProvider } from '#shared/secrets.ts';

// Powertools' getSecret builds its own SecretsManagerClient; mocking the class stubs send on every instance.
const secretsManager = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:clearinghouse-api-key-AbCdEf';

beforeEach(() => {
  secretsManager.reset();
  clearCaches();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('Function: secretProvider', () => {
  it('returns the key from the plain variable when no secret ARN is set, without calling Secrets Manager', async () => {
    // Prepare
    vi.stubEnv(ENV.clearinghouseApiKeySecretArn, '');
    vi.stubEnv(ENV.clearinghouseApiKey, 'plain-local-key');

    // Act
    const key = await secretProvider('clearinghouseApiKey')();

    // Assess
    expect(key).toBe('plain-local-key');
    expect(secretsManager).not.toHaveReceivedAnyCommand();
  });

  it('reads the key from the secret the ARN variable names, ignoring the plain variable', async () => {
    // Prepare
    vi.stubEnv(ENV.paymentsApiKeySecretArn, SECRET_ARN);
    vi.stubEnv(ENV.paymentsApiKey, 'must-not-be-used');
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 'sk_live_from_secret' });

    // Act
    const key = await secretProvider('paymentsApiKey')();

    // Assess
    expect(key).toBe('sk_live_from_secret');
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('reads the secret once for repeated reads within 5 minutes, and again after', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T08:00:00Z'));
    vi.stubEnv(ENV.clearinghouseApiKeySecretArn, SECRET_ARN);
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'key-1' }).resolves({ SecretString: 'key-2' });
    const provider = secretProvider('clearinghouseApiKey');

    // Act
    const first = await provider();
    vi.setSystemTime(new Date('2026-11-27T08:04:59Z'));
    const cached = await provider();
    vi.setSystemTime(new Date('2026-11-27T08:05:01Z'));
    const refreshed = await provider();

    // Assess
    expect([first, cached, refreshed]).toEqual(['key-1', 'key-1', 'key-2']);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('throws, naming the variable but not the value, when the secret is empty', async () => {
    // Prepare
    vi.stubEnv(ENV.clearinghouseApiKeySecretArn, SECRET_ARN);
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '' });

    // Act & assess
    await expect(secretProvider('clearinghouseApiKey')()).rejects.toThrow(`Secret for ${ENV.clearinghouseApiKey} is empty`);
  });

  it('fails at once when neither the secret ARN nor the plain key is set', () => {
    // Prepare
    vi.stubEnv(ENV.paymentsApiKeySecretArn, '');
    vi.stubEnv(ENV.paymentsApiKey, '');

    // Act & assess
    expect(() => secretProvider('paymentsApiKey')).toThrow(`Environment variable ${ENV.paymentsApiKey} is not set`);
  });
});

describe('Function: resolveApiKey', () => {
  it('returns a key given as is and calls a provider otherwise', async () => {
    // Act
    const given = await resolveApiKey('as-is');
    const provided = await resolveApiKey(async () => 'from-provider');

    // Assess
    expect([given, provided]).toEqual(['as-is', 'from-provider']);
  });
});
