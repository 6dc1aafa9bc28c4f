import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JourneyStatus } from '#contract/journey-workflow.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { dynamoJourneyStore, journeyItem } from '#shared/journey-store.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const journeys = dynamoJourneyStore({ client, tableName: 't' });
const clinicId = 'c-1';
const window = { clinicId, from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' };

/** A stored journey item of this ID, start and status. */
const item = (journeyId: string, createdAt: string, status: JourneyStatus = 'RUNNING') =>
  journeyItem({ ...newJourneyRecord({ clinicId, journeyId, submissionId: 's', patientId: 'p' }, new Date(createdAt)), status });
/** The index entry of an item (GSI4 projects keys only). */
const entry = (stored: Record<string, unknown>) => ({ PK: stored.PK, SK: stored.SK, GSI4PK: stored.GSI4PK, createdAt: stored.createdAt });

/** The index answers each status's query with these entries, `pageSize` at a time, in the order given. */
function givenIndex(byStatus: Partial<Record<JourneyStatus, Array<Record<string, unknown>>>>, items: Array<Record<string, unknown>>) {
  ddb.on(QueryCommand).callsFake((input) => {
    const status = String(input.ExpressionAttributeValues[':status']).split('#').at(-1) as JourneyStatus;
    const all = byStatus[status] ?? [];
    const start = input.ExclusiveStartKey ? all.findIndex((e) => e.PK === input.ExclusiveStartKey.PK) + 1 : 0;
    const page = all.slice(start, start + input.Limit);
    const last = page.at(-1);
    return { Items: page, ...(start + input.Limit < all.length && last ? { LastEvaluatedKey: last } : {}) };
  });
  ddb.on(BatchGetCommand).callsFake((input) => {
    const wanted = input.RequestItems.t.Keys as Array<{ PK: string }>;
    return { Responses: { t: items.filter((stored) => wanted.some((k) => k.PK === stored.PK)) } };
  });
}

beforeEach(() => ddb.reset());

describe('Journey store: listing by status through the keys-only index (mocked index)', () => {
  it('lists a journey found under two statuses (its status changed between the queries) once, and asks for its item once', async () => {
    // Prepare
    const moved = item('j-moved', '2026-12-01T09:00:00.000Z', 'WAITING_FOR_STAFF');
    const other = item('j-other', '2026-12-01T10:00:00.000Z');
    givenIndex({ RUNNING: [entry(moved), entry(other)], WAITING_FOR_STAFF: [entry(moved)] }, [moved, other]);

    // Act
    const page = await journeys.list({ ...window, statuses: ['RUNNING', 'WAITING_FOR_STAFF'], limit: 10 });

    // Assess
    expect(page.journeys.map((j) => j.journeyId)).toEqual(['j-moved', 'j-other']);
    expect(ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.t?.Keys).toHaveLength(2);
  });

  it('pages journeys that share a start millisecond in ID order, whatever order the index gives them', async () => {
    // Prepare: five journeys of one millisecond, the index answering them out of ID order
    const same = ['j-c', 'j-a', 'j-e', 'j-b', 'j-d'].map((id) => item(id, '2026-12-01T09:00:00.000Z'));
    const later = item('j-later', '2026-12-01T09:00:00.001Z');
    givenIndex({ RUNNING: [...same, later].map(entry) }, [...same, later]);

    // Act
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await journeys.list({ ...window, statuses: ['RUNNING'], limit: 2, ...(after ? { after } : {}) });
      pages.push(page.journeys.map((j) => j.journeyId));
      after = page.next;
    } while (after);

    // Assess
    expect(pages).toEqual([
      ['j-a', 'j-b'],
      ['j-c', 'j-d'],
      ['j-e', 'j-later'],
    ]);
  });

  it('reads nothing for a cursor at or past the end of the window', async () => {
    // Act
    const page = await journeys.list({ ...window, statuses: ['RUNNING'], limit: 2, after: `2026-12-02T00:00:00.000Z#${'0'.repeat(36)}` });

    // Assess
    expect(page).toEqual({ journeys: [] });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
