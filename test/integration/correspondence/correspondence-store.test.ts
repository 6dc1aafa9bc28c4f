import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/create-table.ts';
import { keys } from '#shared/keys.ts';
import { type CorrespondenceStore, dynamoCorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { clinicProfile } from '#test/support/fixtures/records.ts';

let store: CorrespondenceStore;

beforeAll(async () => {
  const client = new DynamoDBClient({});
  const tableName = `correspondence-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  const table = { client: DynamoDBDocumentClient.from(client), tableName };
  const put = (Item: Record<string, unknown>) => table.client.send(new PutCommand({ TableName: tableName, Item }));
  await put({ ...keys.clinic('c-1'), type: 'ClinicProfile', ...clinicProfile });
  store = dynamoCorrespondenceStore(table);
});

describe('Function: dynamoCorrespondenceStore on DynamoDB Local', () => {
  it('reads the clinic profile, without the table keys', async () => {
    // Act
    const read = await store.getClinicProfile('c-1');

    // Assess
    expect(read).toEqual({ type: 'ClinicProfile', ...clinicProfile });
  });

  it('reads nothing for a clinic it does not hold', async () => {
    // Act
    const missingClinic = await store.getClinicProfile('c-2');

    // Assess
    expect(missingClinic).toBeUndefined();
  });
});
