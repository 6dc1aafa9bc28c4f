import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { dynamoAuditTrail } from '#functions/audit/audit-trail-store.ts';
import { auditItem } from '#shared/audit.ts';
import { batchGetItems } from '#shared/table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const trail = dynamoAuditTrail({ client, tableName: 't' });
const record = (at: string) =>
  auditItem({ clinicId: 'c-1', actor: 'screenIntake', action: 'patient.read', outcome: 'success', patientId: 'p-1' }, new Date(at));
const keyOf = (item: Record<string, unknown>) => ({ PK: item.PK, SK: item.SK, GSI2PK: item.GSI2PK });

describe('Audit trail: a patient’s page through the keys-only index', () => {
  it('gets the records of the index’s keys, asking again for the keys a throttled BatchGet left unprocessed', async () => {
    // Prepare
    ddb.reset();
    const [first, second] = [record('2026-12-01T09:00:00.000Z'), record('2026-12-01T09:05:00.000Z')];
    ddb.on(QueryCommand).resolves({ Items: [keyOf(first), keyOf(second)] });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { t: [second] }, UnprocessedKeys: { t: { Keys: [{ PK: first.PK, SK: first.SK }] } } })
      .resolvesOnce({ Responses: { t: [first] } });

    // Act
    const page = await trail.list({ clinicId: 'c-1', patientId: 'p-1', from: '0000', to: '2026-12-02', limit: 5 });

    // Assess
    expect(page.records.map((r) => r.at)).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-01T09:05:00.000Z']);
    expect(page.next).toBeUndefined();
    expect(ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.t?.Keys?.length)).toEqual([2, 1]);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ IndexName: 'GSI2', Limit: 6 });
  });
});

describe('Function: batchGetItems', () => {
  it('asks for a key once, however often it is named (DynamoDB refuses a BatchGet that repeats a key)', async () => {
    // Prepare
    ddb.reset();
    const stored = record('2026-12-01T09:00:00.000Z');
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [stored] } });
    const key = { PK: String(stored.PK), SK: String(stored.SK) };

    // Act
    const items = await batchGetItems({ client, tableName: 't' }, [key, key]);

    // Assess
    expect(ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.t?.Keys)).toEqual([[key]]);
    expect(items).toEqual([stored, stored]);
  });
});
