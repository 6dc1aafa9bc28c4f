import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { INDEX_ARRIVAL_ORDER, TABLE_SCHEMA } from '#contract/table-schema.ts';
import { CONFIG_KEYS, readConfig } from '#infra/config.ts';

const SENDER = 'front-desk@clinic.example';

/** Reads the config from a context that names a sender unless the test says otherwise. */
function configFrom(context: Record<string, unknown>) {
  return readConfig(new App({ context: { senderEmail: SENDER, ...context } }).node);
}

describe('Function: readConfig', () => {
  it('returns the defaults of every key but the sender', () => {
    // Act
    const config = configFrom({});

    // Assess
    expect(config).toEqual({
      environment: 'production',
      senderEmail: SENDER,
      clearinghouseBaseUrl: 'https://healthcare.us.stedi.com',
      paymentsBaseUrl: 'https://api.stripe.com',
      logRetentionDays: 365,
      apiRateLimit: 50,
      apiBurstLimit: 100,
    });
  });

  it('accepts numbers given as strings, as `-c key=value` passes them', () => {
    // Act
    const config = configFrom({ logRetentionDays: '731', apiRateLimit: '10', apiBurstLimit: '20' });

    // Assess
    expect(config).toMatchObject({ logRetentionDays: 731, apiRateLimit: 10, apiBurstLimit: 20 });
  });

  it('reads the queue leads as JSON from `-c`, or as the object cdk.json holds', () => {
    // Act
    const fromFlag = configFrom({ queueLeadEmails: '{"eligibility":"lead@clinic.example"}' });
    const fromFile = configFrom({ queueLeadEmails: { 'clinical-triage': 'charge-nurse@clinic.example' } });

    // Assess
    expect(fromFlag.queueLeadEmails).toEqual({ eligibility: 'lead@clinic.example' });
    expect(fromFile.queueLeadEmails).toEqual({ 'clinical-triage': 'charge-nurse@clinic.example' });
  });

  it('reads the indexes to deploy for an upgrade: a beginning of the order they arrived in, and nothing else', () => {
    // Act
    const config = configFrom({ tableIndexes: 'GSI1, GSI3,GSI2' });
    const refused = ['GSI1,GSI9', 'GSI3', 'GSI1,GSI2', 'GSI1,GSI1', 'GSI1,GSI3,GSI2,GSI4,GSI4'].map((tableIndexes) => {
      try {
        configFrom({ tableIndexes });
        return 'accepted';
      } catch (error) {
        return (error as Error).message.includes('tableIndexes') ? 'refused' : 'other';
      }
    });

    // Assess
    expect(config.tableIndexes).toEqual(['GSI1', 'GSI3', 'GSI2']);
    expect(refused).toEqual(['refused', 'refused', 'refused', 'refused', 'refused']);
    expect([...INDEX_ARRIVAL_ORDER].sort()).toEqual(TABLE_SCHEMA.globalSecondaryIndexes.map((index) => index.indexName).sort());
  });

  it('treats an empty value as unset', () => {
    // Act
    const config = configFrom({ alarmEmail: '', clearinghouseSecretArn: '' });

    // Assess
    expect(config.alarmEmail).toBeUndefined();
    expect(config.clearinghouseSecretArn).toBeUndefined();
  });

  it.each([{ senderEmail: undefined }, { senderEmail: '' }, { senderEmail: undefined, senderDomain: 'clinic.example' }])(
    'refuses to run without a sender address (%o), naming the key',
    (context) => {
      // Act & assess
      expect(() => configFrom(context)).toThrow(/senderEmail: required/);
    },
  );

  it.each([
    [{ senderEmail: 'not-an-address' }, /senderEmail: must be an email address/],
    [{ senderDomain: 'clinic.example', senderEmail: 'desk@other.example' }, /senderEmail must be an address at senderDomain/],
    [{ logRetentionDays: 100 }, /logRetentionDays: must be one of/],
    [{ clearinghouseSecretArn: 'my-secret' }, /clearinghouseSecretArn: must be a full Secrets Manager secret ARN/],
    [{ paymentsBaseUrl: 'http://api.stripe.com' }, /paymentsBaseUrl/],
    [{ environment: 'staging' }, /environment/],
    [{ queueLeadEmails: '{"waiting-room":"lead@clinic.example"}' }, /queueLeadEmails/],
    [{ queueLeadEmails: '{"eligibility":"not-an-address"}' }, /queueLeadEmails/],
    [{ queueLeadEmails: 'eligibility=lead@clinic.example' }, /queueLeadEmails/],
  ])('rejects %o and names the key', (context, message) => {
    // Act & assess
    expect(() => configFrom(context)).toThrow(message);
  });

  it('accepts a sender address at the verified domain, case-insensitively', () => {
    // Act
    const config = configFrom({ senderDomain: 'Clinic.example', senderEmail: 'desk@clinic.EXAMPLE' });

    // Assess
    expect(config.senderDomain).toBe('Clinic.example');
  });
});

describe('Document: README deploy section', () => {
  it('names every context key that readConfig reads', () => {
    // Prepare
    const readme = readFileSync('README.md', 'utf8');
    const deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('\n## ', readme.indexOf('## Deploy') + 1));

    // Act
    const missing = CONFIG_KEYS.filter((key) => !deploy.includes(`\`${key}\``));

    // Assess
    expect(missing).toEqual([]);
  });
});
