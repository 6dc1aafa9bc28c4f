import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { JourneyTimelineSchema } from '#contract/api/journey-timeline-schema.ts';
import { makeJourneyTimeline } from '#functions/journey/journey-timeline.handler.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { openedStaffTask, serviceLevelsOf } from '#model/staff-task.ts';
import { keys } from '#shared/keys.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const table = await localTable('journey-timeline');
const stores = dynamoStores(table);
const now = new Date('2026-12-01T12:00:00.000Z');
const ROUTE = 'GET /v1/clinics/{clinicId}/journeys/{journeyId}/timeline';
const timeline = makeJourneyTimeline({ ...stores, now: () => now });

const get = async (clinicId: string, journeyId: string, person?: StaffClaims | null) => {
  const response = await timeline(
    staffEvent({ pathParameters: { clinicId, journeyId }, routeKey: ROUTE, ...(person !== undefined ? { person } : {}) }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') };
};

/** A journey parked at eligibility at 10:05, its task claimed at 10:20 and decided RETRY at 10:30 by people. */
async function seedJourney(clinicId: string) {
  const journeyId = randomUUID();
  const journey = newJourneyRecord(
    { clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: 'p-1' },
    new Date('2026-12-01T10:00:00.000Z'),
  );
  journey.stages.INTAKE = { status: 'COMPLETED', at: '2026-12-01T10:01:00.000Z' };
  journey.stages.ELIGIBILITY = {
    status: 'IN_PROGRESS',
    at: '2026-12-01T10:30:00.000Z',
    reason: 'Retried by staff.',
    staffTaskId: 'st-elig',
  };
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.journey(clinicId, journeyId), ...journey } }));
  const task = openedStaffTask(
    {
      clinicId,
      taskId: 'st-elig',
      journeyId,
      patientId: 'p-1',
      kind: 'STAGE_BLOCKED',
      stage: 'ELIGIBILITY',
      reason: 'Member not found: W123',
      taskToken: 't',
      checkpoint: 'EligibilityNeedsStaff',
    },
    serviceLevelsOf(undefined),
    'function:parkForStaff',
    new Date('2026-12-01T10:05:00.000Z'),
  );
  task.history.push(
    { at: '2026-12-01T10:20:00.000Z', by: 'user:u-frontdesk', event: 'claimed' },
    { at: '2026-12-01T10:30:00.000Z', by: 'user:u-frontdesk', event: 'decided' },
  );
  await stores.tasks.open(task);
  return journeyId;
}

describe('Function: getJourneyTimeline', () => {
  it('tells what happened, oldest first, with who did it, and no reason or note', async () => {
    // Prepare
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const journeyId = await seedJourney(clinicId);

    // Act
    const { status, body } = await get(clinicId, journeyId);

    // Assess
    expect(status).toBe(200);
    const parsed = JourneyTimelineSchema.parse(body);
    expect(parsed.events.map((e) => [e.at.slice(11, 16), e.kind, e.event, e.by ?? ''])).toEqual([
      ['10:00', 'journey', 'STARTED', ''],
      ['10:01', 'stage', 'COMPLETED', ''],
      ['10:05', 'task', 'opened', 'function:parkForStaff'],
      ['10:20', 'task', 'claimed', 'user:u-frontdesk'],
      ['10:30', 'stage', 'IN_PROGRESS', ''],
      ['10:30', 'task', 'decided', 'user:u-frontdesk'],
    ]);
    expect(JSON.stringify(body)).not.toContain('W123');
  });

  it('audits the reads in the person’s name before making them; 404 for another clinic’s journey, 401 without a token', async () => {
    // Prepare
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const journeyId = await seedJourney(clinicId);

    // Act
    await get(clinicId, journeyId, { sub: 'u-ops', username: 'ops', groups: '[ops]' });
    const elsewhere = await get(`clinic-${randomUUID().slice(0, 8)}`, journeyId);
    const anonymous = await get(clinicId, journeyId, null);

    // Assess
    expect(auditRecords(await journeyAudits(table, { clinicId, journeyId }, now))).toEqual([
      expect.objectContaining({ actor: 'user:u-ops', actions: ['journey.read', 'staffTask.read'], patientId: 'p-1', via: ROUTE }),
    ]);
    expect([elsewhere.status, anonymous.status]).toEqual([404, 401]);
  });
});
