import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { JourneyStatus } from '#contract/journey-workflow.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { backfillJourneyStatusIndex } from '#scripts/migrations/journey-status-index.ts';
import { dynamoJourneyStore, journeyItem } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('backfill-journey-index');
const journeys = dynamoJourneyStore(table);
const window = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', limit: 10 };

/** A journey as stored before GSI4: the item without `GSI4PK`. */
async function oldJourney(clinicId: string, status: JourneyStatus, createdAt: string) {
  const journeyId = randomUUID();
  const { GSI4PK: _none, ...item } = journeyItem({
    ...newJourneyRecord({ clinicId, journeyId, submissionId: 's', patientId: 'p' }, new Date(createdAt)),
    status,
  });
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
  return journeyId;
}

describe('Migration: backfillJourneyStatusIndex on DynamoDB Local', () => {
  it('lists journeys written before the index under their status, leaves the others alone, and changes nothing run again', async () => {
    // Prepare
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const waiting = await oldJourney(clinicId, 'WAITING_FOR_STAFF', '2026-06-01T09:00:00.000Z');
    const completed = await oldJourney(clinicId, 'COMPLETED', '2026-06-01T10:00:00.000Z');
    const current = randomUUID();
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: journeyItem(
          newJourneyRecord({ clinicId, journeyId: current, submissionId: 's', patientId: 'p' }, new Date('2026-06-02T09:00:00.000Z')),
        ),
      }),
    );
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { ...keys.eligibility(clinicId, waiting), status: 'ACTIVE' } }),
    );
    const before = await journeys.list({ ...window, clinicId, statuses: ['WAITING_FOR_STAFF', 'COMPLETED', 'RUNNING'] });

    // Act
    const first = await backfillJourneyStatusIndex(table);
    const again = await backfillJourneyStatusIndex(table);

    // Assess
    const after = await journeys.list({ ...window, clinicId, statuses: ['WAITING_FOR_STAFF', 'COMPLETED', 'RUNNING'] });
    expect(before.journeys.map((j) => j.journeyId)).toEqual([current]);
    expect(after.journeys.map((j) => [j.journeyId, j.status])).toEqual([
      [waiting, 'WAITING_FOR_STAFF'],
      [completed, 'COMPLETED'],
      [current, 'RUNNING'],
    ]);
    expect(first.updated).toBe(2);
    expect(again.updated).toBe(0);
  });
});
