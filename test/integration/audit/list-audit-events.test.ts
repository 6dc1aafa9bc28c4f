import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditEventPageSchema } from '#contract/api/audit-event-schema.ts';
import { STAFF_ROLES } from '#contract/staff-roles.ts';
import { dynamoAuditTrail } from '#functions/audit/audit-trail-store.ts';
import { makeListAuditEvents } from '#functions/audit/list-audit-events.handler.ts';
import type { AuditEvent } from '#shared/audit.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { localTable } from '#test/support/local-table.ts';

const table = await localTable('audit-events');
const log = dynamoAuditLog(table);
const ROUTE = 'GET /v1/clinics/{clinicId}/audit-events';
const now = new Date('2026-12-10T12:00:00.000Z');
const list = makeListAuditEvents({ trail: dynamoAuditTrail(table), audit: log, now: () => now });
const ADMIN: StaffClaims = { sub: 'u-admin', username: 'admin', groups: '[admin]' };

const get = async (clinicId: string, query: Record<string, string>, person: StaffClaims | null = ADMIN) => {
  const response = await list(
    staffEvent({ pathParameters: { clinicId }, routeKey: ROUTE, queryStringParameters: query, person }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? '{}') };
};

const event = (clinicId: string, overrides: Partial<AuditEvent>): AuditEvent => ({
  clinicId,
  actor: 'function:screenIntake',
  action: 'patient.read',
  outcome: 'success',
  ...overrides,
});

/**
 * A clinic's trail over three days: p-1 read by the front desk and a stage, p-2 by billing, a contact about nobody;
 * another clinic's record of a patient with the same ID. [time, actor, patient, action].
 */
async function seedTrail() {
  const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
  const records: Array<[string, string, string | undefined, AuditEvent['action']]> = [
    ['2026-12-01T09:00:00.000Z', 'function:submitIntake', 'p-1', 'patient.create'],
    ['2026-12-01T09:05:00.000Z', 'function:screenIntake', 'p-1', 'patient.read'],
    ['2026-12-01T23:59:59.999Z', 'user:u-billing', 'p-2', 'coverage.read'],
    ['2026-12-02T00:00:00.000Z', 'user:u-frontdesk', 'p-1', 'staffTask.read'],
    ['2026-12-02T08:30:00.000Z', 'user:u-frontdesk', undefined, 'contact.log'],
    ['2026-12-03T10:00:00.000Z', 'user:u-frontdesk', 'p-1', 'coverage.write'],
  ];
  for (const [at, actor, patientId, action] of records)
    await log.record(event(clinicId, { actor, action, ...(patientId ? { patientId, journeyId: `j-${patientId}` } : {}) }), new Date(at));
  await log.record(event(`clinic-${randomUUID().slice(0, 8)}`, { patientId: 'p-1' }), new Date('2026-12-01T10:00:00.000Z'));
  return clinicId;
}

/** Every page of a query, following `next`. */
async function allPages(clinicId: string, query: Record<string, string>) {
  const pages: Array<{ at: string; actor: string }[]> = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await get(clinicId, { ...query, ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    const page = AuditEventPageSchema.parse(body);
    pages.push(page.events);
    cursor = page.next;
  } while (cursor);
  return pages.map((page) => page.map((e) => `${e.at.slice(5, 16)} ${e.actor}`));
}

describe('Function: listAuditEvents on DynamoDB Local', () => {
  it("answers who touched a patient's data, oldest first, from their first record, and only this clinic's", async () => {
    // Prepare
    const clinicId = await seedTrail();

    // Act
    const { status, body } = await get(clinicId, { patientId: 'p-1' });

    // Assess
    expect(status).toBe(200);
    expect(AuditEventPageSchema.parse(body)).toEqual({
      events: [
        {
          at: '2026-12-01T09:00:00.000Z',
          actor: 'function:submitIntake',
          actions: ['patient.create'],
          outcome: 'success',
          patientId: 'p-1',
          journeyId: 'j-p-1',
        },
        {
          at: '2026-12-01T09:05:00.000Z',
          actor: 'function:screenIntake',
          actions: ['patient.read'],
          outcome: 'success',
          patientId: 'p-1',
          journeyId: 'j-p-1',
        },
        {
          at: '2026-12-02T00:00:00.000Z',
          actor: 'user:u-frontdesk',
          actions: ['staffTask.read'],
          outcome: 'success',
          patientId: 'p-1',
          journeyId: 'j-p-1',
        },
        {
          at: '2026-12-03T10:00:00.000Z',
          actor: 'user:u-frontdesk',
          actions: ['coverage.write'],
          outcome: 'success',
          patientId: 'p-1',
          journeyId: 'j-p-1',
        },
      ],
      // From their first record reaches back further than the table's 400 days: the rest is in the archive.
      archivedBefore: '2025-11-05T12:00:00.000Z',
    });
  });

  it('reads only the 400 days the table keeps, from the same edge whatever TTL has deleted, and says where older records are', async () => {
    // Prepare: records either side of the edge (now less 400 days); DynamoDB Local never runs TTL, so the older one is
    // still in the table, as it may be in DynamoDB for a while after it expires.
    const clinicId = await seedTrail();
    const edge = '2025-11-05T12:00:00.000Z';
    await log.record(event(clinicId, { patientId: 'p-1', action: 'journey.read' }), new Date('2025-11-05T11:59:59.999Z'));
    await log.record(event(clinicId, { patientId: 'p-1', action: 'coverage.read' }), new Date(edge));

    // Act
    const byPatient = await allPages(clinicId, { patientId: 'p-1', to: '2025-11-30' });
    const byDays = await get(clinicId, { from: '2025-11-01', to: '2025-11-20' });
    const older = await get(clinicId, { patientId: 'p-1', to: '2025-11-04' });
    const recent = await get(clinicId, { from: '2026-12-01', to: '2026-12-03' });

    // Assess
    expect(byPatient).toEqual([[`11-05T12:00 function:screenIntake`]]);
    expect(byDays.body).toMatchObject({ events: [{ at: edge, actions: ['coverage.read'] }], archivedBefore: edge });
    expect([older.status, older.body]).toEqual([200, { events: [], archivedBefore: edge }]);
    expect(recent.body.archivedBefore).toBeUndefined();
  });

  it('pages a patient’s records and a window of days through the cursor, each record once, across day partitions', async () => {
    // Prepare
    const clinicId = await seedTrail();

    // Act
    const byPatient = await allPages(clinicId, { patientId: 'p-1', limit: '3' });
    const byDays = await allPages(clinicId, { from: '2026-12-01', to: '2026-12-02', limit: '2' });

    // Assess
    expect(byPatient).toEqual([
      ['12-01T09:00 function:submitIntake', '12-01T09:05 function:screenIntake', '12-02T00:00 user:u-frontdesk'],
      ['12-03T10:00 user:u-frontdesk'],
    ]);
    expect(byDays).toEqual([
      ['12-01T09:00 function:submitIntake', '12-01T09:05 function:screenIntake'],
      ['12-01T23:59 user:u-billing', '12-02T00:00 user:u-frontdesk'],
      ['12-02T08:30 user:u-frontdesk'],
    ]);
  });

  it('keeps to the window: from a time, before a time, and a day given as `to` included whole', async () => {
    // Prepare
    const clinicId = await seedTrail();

    // Act
    const patientWindow = await allPages(clinicId, { patientId: 'p-1', from: '2026-12-01T09:05:00Z', to: '2026-12-03T10:00:00Z' });
    const oneDay = await allPages(clinicId, { from: '2026-12-02', to: '2026-12-02' });
    const withOffset = await allPages(clinicId, { from: '2026-12-02T09:00:00+01:00', to: '2026-12-04' });

    // Assess
    expect(patientWindow).toEqual([['12-01T09:05 function:screenIntake', '12-02T00:00 user:u-frontdesk']]);
    expect(oneDay).toEqual([['12-02T00:00 user:u-frontdesk', '12-02T08:30 user:u-frontdesk']]);
    expect(withOffset).toEqual([['12-02T08:30 user:u-frontdesk', '12-03T10:00 user:u-frontdesk']]);
  });

  it('records the query in the admin’s name, under the patient asked about, before reading', async () => {
    // Prepare
    const clinicId = await seedTrail();

    // Act
    const { body: first } = await get(clinicId, { patientId: 'p-2' });
    const { body: second } = await get(clinicId, { patientId: 'p-2', to: '2026-12-11' });

    // Assess
    expect(AuditEventPageSchema.parse(first).events.map((e) => e.actor)).toEqual(['user:u-billing']);
    expect(AuditEventPageSchema.parse(second).events.map((e) => [e.actor, e.actions, e.via])).toEqual([
      ['user:u-billing', ['coverage.read'], undefined],
      ['user:u-admin', ['audit.read'], ROUTE],
      ['user:u-admin', ['audit.read'], ROUTE],
    ]);
  });

  it('records a page of days under each patient it shows, so each one’s history says the admin saw who touched it', async () => {
    // Prepare
    const clinicId = await seedTrail();

    // Act
    await get(clinicId, { from: '2026-12-01', to: '2026-12-01' });
    const { body } = await get(clinicId, { patientId: 'p-2', to: '2026-12-11' });

    // Assess
    expect(AuditEventPageSchema.parse(body).events.map((e) => [e.actor, e.actions, e.at])).toEqual([
      ['user:u-billing', ['coverage.read'], '2026-12-01T23:59:59.999Z'],
      ['user:u-admin', ['audit.read'], now.toISOString()],
      ['user:u-admin', ['audit.read'], now.toISOString()],
    ]);
  });

  it('does not record again the audit reads a page of days shows (paging today would otherwise feed itself)', async () => {
    // Prepare: a page of 1 December recorded the admin's read under p-1, today
    const clinicId = await seedTrail();
    await get(clinicId, { from: '2026-12-01', to: '2026-12-01' });

    // Act: a page of today shows that record (an audit read of p-1)
    await get(clinicId, { from: '2026-12-10', to: '2026-12-10' });
    const { body } = await get(clinicId, { patientId: 'p-1', from: '2026-12-10', to: '2026-12-11' });

    // Assess: the first page's record, and the patient query's own; none from the page of today
    expect(AuditEventPageSchema.parse(body).events.map((e) => [e.actor, e.actions])).toEqual([
      ['user:u-admin', ['audit.read']],
      ['user:u-admin', ['audit.read']],
    ]);
  });

  it('answers an empty page for a cursor past the window, and 400 for a window that reaches back too far or starts after now', async () => {
    // Prepare
    const clinicId = await seedTrail();
    const { body: first } = await get(clinicId, { from: '2026-12-03', to: '2026-12-04', limit: '1' });
    const pastTheEnd = `${'2026-12-05T00:00:00.000Z'}#${'A'.repeat(16)}`;

    // Act
    const beyond = await get(clinicId, { from: '2026-12-01', to: '2026-12-02', cursor: pastTheEnd });
    const tooFar = await get(clinicId, { from: '2026-01-01' });
    const future = await get(clinicId, { patientId: 'p-1', from: '2027-01-01' });

    // Assess
    expect(AuditEventPageSchema.parse(first).events).toHaveLength(1);
    expect([beyond.status, beyond.body]).toEqual([200, { events: [] }]);
    expect([tooFar.status, tooFar.body.errors]).toEqual([
      400,
      [{ path: 'from', message: 'without a patient, at most 31 days before `to`' }],
    ]);
    expect([future.status, future.body.errors]).toEqual([400, [{ path: 'from', message: 'must be before `to` (now, unless given)' }]]);
  });

  it.each(STAFF_ROLES.map((role) => [role, role === 'admin' ? 200 : 403] as const))(
    '%s may list audit events: %s',
    async (role, expected) => {
      // Prepare
      const clinicId = await seedTrail();

      // Act
      const { status } = await get(clinicId, { patientId: 'p-1' }, { sub: `u-${role}`, username: role, groups: `[${role}]` });

      // Assess
      expect(status).toBe(expected);
    },
  );

  it('refuses another clinic’s admin (403) and a request without a token (401), reading and recording nothing', async () => {
    // Prepare
    const clinicId = await seedTrail();

    // Act
    const elsewhere = await get(clinicId, { patientId: 'p-1' }, { ...ADMIN, clinicId: 'clinic-other' });
    const anonymous = await get(clinicId, { patientId: 'p-1' }, null);

    // Assess
    expect([elsewhere.status, anonymous.status]).toEqual([403, 401]);
    const trail = await dynamoAuditTrail(table).list({ clinicId, from: '2026-12-10', to: '2026-12-11', limit: 10 });
    expect(trail.records).toEqual([]);
  });

  it.each([
    [{ from: '2026-12-03', to: '2026-12-01' }, 'to', 'must be after `from`'],
    [{ from: '2026-10-01', to: '2026-12-01' }, 'from', 'without a patient, at most 31 days'],
    [{ patientId: 'p-1', cursor: 'not-a-position' }, 'cursor', 'the `next` of the previous page'],
    [{ patientId: 'p 1' }, 'patientId', 'use 1 to 100 letters, digits, hyphens or underscores'],
    [{ to: 'yesterday' }, 'to', expect.any(String)],
    [{ actor: 'me' }, 'actor', 'Unknown field'],
  ])('answers 400 naming the field for %j', async (query, path, message) => {
    // Act
    const { status, body } = await get('clinic-1', query);

    // Assess
    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path, message });
  });
});
