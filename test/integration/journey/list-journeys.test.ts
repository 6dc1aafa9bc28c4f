import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { JourneyPageSchema } from '#contract/api/journey-list-schema.ts';
import { STAFF_ROLES } from '#contract/staff-roles.ts';
import { makeListJourneys } from '#functions/journey/list-journeys.handler.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { dynamoJourneyStore, journeyItem } from '#shared/journey-store.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('list-journeys');
const journeys = dynamoJourneyStore(table);
const ROUTE = 'GET /v1/clinics/{clinicId}/journeys';
const now = new Date('2026-12-10T12:00:00.000Z');
const list = makeListJourneys({ journeys, now: () => now });

const get = async (clinicId: string, query: Record<string, string>, person?: StaffClaims | null) => {
  const response = await list(
    staffEvent({
      pathParameters: { clinicId },
      routeKey: ROUTE,
      queryStringParameters: query,
      ...(person !== undefined ? { person } : {}),
    }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') };
};

/** A journey started at `createdAt`, stored as intake stores it (RUNNING, intake in progress). */
async function started(clinicId: string, createdAt: string) {
  const journeyId = randomUUID();
  const record = newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId: 'p-1' }, new Date(createdAt));
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: journeyItem(record) }));
  return { clinicId, journeyId };
}

/** Five journeys of a clinic on 1–5 December, moved through the statuses the store's own writes set. */
async function seedClinic() {
  const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
  const [a, b, c, d, e] = await Promise.all(['01', '02', '03', '04', '05'].map((day) => started(clinicId, `2026-12-${day}T09:00:00.000Z`)));
  if (!a || !b || !c || !d || !e) throw new Error('seed');
  const at = new Date('2026-12-06T10:00:00.000Z');
  // b parks at eligibility (a stage's update that sets the journey's status)
  const claimed = await journeys.beginAttempt(b);
  await journeys.updateStage(
    claimed,
    'ELIGIBILITY',
    { status: 'WAITING_FOR_STAFF', staffTaskId: 'st-b', journeyStatus: 'WAITING_FOR_STAFF' },
    at,
  );
  // c completes, d's execution stopped in scheduling and is held for staff, e is cancelled
  const done = { status: 'COMPLETED', at: at.toISOString() } as const;
  const allDone = { INTAKE: done, ELIGIBILITY: done, SCHEDULING: done, PAYMENT: done, CONFIRMATION: done };
  await journeys.close(c, { status: 'COMPLETED', stages: allDone, removeAppointment: false }, at);
  await journeys.holdStopped(d, 'SCHEDULING', { status: 'FAILED', at: at.toISOString(), staffTaskId: 'st-d' }, at);
  await journeys.close(
    e,
    { status: 'CANCELLED', stages: { INTAKE: { status: 'SKIPPED', at: at.toISOString() } }, removeAppointment: false },
    at,
  );
  return { clinicId, ids: { a: a.journeyId, b: b.journeyId, c: c.journeyId, d: d.journeyId, e: e.journeyId } };
}

/** Every page of a query, following `next`: each page's journeys as `<id letter> <status> <stage>`. */
async function allPages(clinicId: string, query: Record<string, string>, ids: Record<string, string>) {
  const letter = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await get(clinicId, { ...query, ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    const page = JourneyPageSchema.parse(body);
    pages.push(page.journeys.map((j) => `${letter[j.journeyId]} ${j.status} ${j.stage ?? '-'}`));
    cursor = page.next;
  } while (cursor);
  return pages;
}

describe('Function: listJourneys on DynamoDB Local', () => {
  it('lists every status by start, oldest first, each journey under the status its last write set', async () => {
    // Prepare
    const { clinicId, ids } = await seedClinic();

    // Act
    const pages = await allPages(clinicId, {}, ids);

    // Assess
    expect(pages).toEqual([
      ['a RUNNING INTAKE', 'b WAITING_FOR_STAFF ELIGIBILITY', 'c COMPLETED -', 'd WAITING_FOR_STAFF SCHEDULING', 'e CANCELLED -'],
    ]);
  });

  it('filters by statuses and by stage, and pages through the cursor across statuses, each journey once', async () => {
    // Prepare
    const { clinicId, ids } = await seedClinic();

    // Act
    const waiting = await allPages(clinicId, { status: 'WAITING_FOR_STAFF' }, ids);
    const paged = await allPages(clinicId, { status: 'RUNNING,WAITING_FOR_STAFF,CANCELLED', limit: '2' }, ids);
    const atScheduling = await allPages(clinicId, { status: 'WAITING_FOR_STAFF', stage: 'SCHEDULING' }, ids);

    // Assess
    expect(waiting).toEqual([['b WAITING_FOR_STAFF ELIGIBILITY', 'd WAITING_FOR_STAFF SCHEDULING']]);
    expect(paged).toEqual([
      ['a RUNNING INTAKE', 'b WAITING_FOR_STAFF ELIGIBILITY'],
      ['d WAITING_FOR_STAFF SCHEDULING', 'e CANCELLED -'],
    ]);
    expect(atScheduling).toEqual([['d WAITING_FOR_STAFF SCHEDULING']]);
  });

  it('shows the task a waiting journey waits on, and nothing of the patient', async () => {
    // Prepare
    const { clinicId, ids } = await seedClinic();

    // Act
    const { body } = await get(clinicId, { status: 'WAITING_FOR_STAFF' });

    // Assess
    expect(JourneyPageSchema.parse(body).journeys).toEqual([
      expect.objectContaining({ journeyId: ids.b, stage: 'ELIGIBILITY', stageStatus: 'WAITING_FOR_STAFF', staffTaskId: 'st-b' }),
      expect.objectContaining({ journeyId: ids.d, stage: 'SCHEDULING', stageStatus: 'FAILED' }),
    ]);
    expect(JSON.stringify(body)).not.toContain('p-1');
  });

  it('keeps to the window of starts, and to the clinic', async () => {
    // Prepare
    const { clinicId, ids } = await seedClinic();
    await seedClinic();

    // Act
    const window = await allPages(clinicId, { from: '2026-12-02T09:00:00Z', to: '2026-12-04T09:00:00Z' }, ids);
    const defaultWindow = await allPages(clinicId, {}, ids);
    const longAgo = await allPages(clinicId, { to: '2026-11-30T00:00:00Z' }, ids);

    // Assess
    expect(window).toEqual([['b WAITING_FOR_STAFF ELIGIBILITY', 'c COMPLETED -']]);
    expect(defaultWindow.flat()).toHaveLength(5);
    expect(longAgo).toEqual([[]]);
  });

  it('pages journeys that started in the same millisecond, each once, in the order of their IDs', async () => {
    // Prepare
    const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
    const same = await Promise.all(Array.from({ length: 5 }, () => started(clinicId, '2026-12-01T09:00:00.000Z')));
    const later = await started(clinicId, '2026-12-01T09:00:00.001Z');

    // Act
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const { body } = await get(clinicId, { limit: '2', ...(cursor ? { cursor } : {}) });
      const page = JourneyPageSchema.parse(body);
      pages.push(page.journeys.map((j) => j.journeyId));
      cursor = page.next;
    } while (cursor);

    // Assess
    const ids = same.map((j) => j.journeyId).sort();
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), [ids[4], later.journeyId]]);
  });

  it.each(STAFF_ROLES)('lets %s list journeys; refuses another clinic (403) and no token (401)', async (role) => {
    // Prepare
    const { clinicId } = await seedClinic();
    const person = { sub: `u-${role}`, username: role, groups: `[${role}]` };

    // Act
    const allowed = await get(clinicId, {}, person);
    const elsewhere = await get(clinicId, {}, { ...person, clinicId: 'clinic-other' });
    const anonymous = await get(clinicId, {}, null);

    // Assess
    expect([allowed.status, elsewhere.status, anonymous.status]).toEqual([200, 403, 401]);
  });

  it.each([
    [{ status: 'PARKED' }, 'status'],
    [{ status: 'RUNNING,' }, 'status'],
    [{ stage: 'BILLING' }, 'stage'],
    [{ from: '2026-12-03T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'to'],
    [{ cursor: 'x' }, 'cursor'],
    [{ limit: '0' }, 'limit'],
    [{ patientId: 'p-1' }, 'patientId'],
    [{ from: '2027-01-01T00:00:00Z' }, 'from'],
  ])('answers 400 naming the field for %j', async (query, path) => {
    // Act
    const { status, body } = await get('clinic-1', query);

    // Assess
    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});
