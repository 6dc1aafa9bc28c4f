import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DuplicateResolvedSchema } from '#contract/api/correction-schema.ts';
import { API_ROUTES } from '#contract/api-routes.ts';
import { DEMO_STAFF, type StaffRole } from '#contract/staff-roles.ts';
import { type DuplicateStore, dynamoDuplicateStore } from '#functions/corrections/duplicate-store.ts';
import { makeResolveDuplicate } from '#functions/corrections/resolve-duplicate.handler.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { patientMatchHash } from '#model/patient-match.ts';
import type { CoverageRecord, PatientRecord, SubmissionRecord } from '#model/patient-records.ts';
import { auditRecordOfItem, type StoredAuditRecord } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import type { PatientStore } from '#shared/patient-store.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { patient as patientFixture } from '#test/support/fixtures/records.ts';
import { TEST_IDENTITY_KEY } from '#test/support/identity-key.ts';
import { localTable } from '#test/support/local-table.ts';

/** The time of the resolutions; the records were stored earlier that day (one audit partition for the whole file). */
const now = new Date('2026-12-01T10:00:00.000Z');
const STORED_AT = '2026-12-01T08:00:00.000Z';
const SUBMITTED_AT = '2026-12-01T09:00:00.000Z';

const table = await localTable('resolve-duplicate');
const stores = dynamoStores(table, () => now);
const duplicates = dynamoDuplicateStore(table);
const resolveDuplicate = makeResolveDuplicate({ ...stores, duplicates, now: () => now });

const ROUTE = (() => {
  const route = API_ROUTES.find((r) => r.function === 'resolveDuplicate');
  if (!route) throw new Error('No route of resolveDuplicate');
  return `${route.method} ${route.path}`;
})();

/** The demo staff (one per role), as their ID tokens' claims. */
const PERSON = Object.fromEntries(
  DEMO_STAFF.map(({ username, roles }) => [roles[0], { sub: `u-${username}`, username, groups: `[${roles.join(' ')}]` }]),
) as Record<StaffRole, StaffClaims & { sub: string; username: string }>;
const actorOf = (role: StaffRole) => `user:${PERSON[role].sub}`;

const newClinic = () => `clinic-${randomUUID().slice(0, 8)}`;

async function put(item: Record<string, unknown>): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

async function getItem(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...rest } = Item;
  return rest;
}

/** The submitter's details: the same name and birth date as the matched patient, the rest theirs. */
const SUBMITTED = {
  email: 'jq.new@example.org',
  phone: '+16175550199',
  address: { line1: '400 Beacon St', city: 'Boston', state: 'MA', postalCode: '02115' },
  communication: { email: true, sms: true },
  sex: 'male' as const,
  preferredLanguage: 'es',
};
const SUBMITTED_MEMBER_ID = 'W-SUBMITTED-9911';
const MATCHED_MEMBER_ID = 'W-MATCHED-1234';

interface Seeded {
  clinicId: string;
  journeyId: string;
  submissionId: string;
  /** The patient matched by name and birth date (holds the match entry). */
  matched: PatientRecord;
  matchedCoverage: CoverageRecord;
  /** The patient intake registered apart (the journey's). */
  submitter: PatientRecord;
  submitterCoverage: CoverageRecord;
  submission: SubmissionRecord;
  journey: JourneyRecord;
}

const coverageOf = (clinicId: string, patient: PatientRecord, memberId: string, updatedAt: string): CoverageRecord => ({
  type: 'Coverage',
  clinicId,
  patientId: patient.patientId,
  payerId: '60054',
  payerName: 'Aetna',
  memberId,
  groupNumber: 'GRP-1001',
  subscriber: { relationship: 'self', firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate },
  updatedAt,
});

/**
 * Two patients as intake leaves a possible duplicate: the matched one (with its match entry and coverage), the
 * submitter registered apart (no match entry) with their coverage, the submitter's journey (WAITING_FOR_STAFF at
 * intake unless told) and their submission naming the matched patient and the fields.
 */
async function seed(
  options: {
    clinicId?: string;
    status?: JourneyRecord['status'];
    submitter?: Partial<PatientRecord>;
    submitterMemberId?: string;
    submission?: Partial<SubmissionRecord>;
    flagged?: boolean;
  } = {},
): Promise<Seeded> {
  const clinicId = options.clinicId ?? newClinic();
  const journeyId = randomUUID();
  const submissionId = `s-${journeyId}`;
  const matched: PatientRecord = { ...patientFixture, clinicId, patientId: `p-${randomUUID().slice(0, 8)}`, updatedAt: STORED_AT };
  const submitter: PatientRecord = {
    ...patientFixture,
    ...SUBMITTED,
    clinicId,
    patientId: `p-${randomUUID().slice(0, 8)}`,
    createdAt: SUBMITTED_AT,
    updatedAt: SUBMITTED_AT,
    ...options.submitter,
  };
  const matchedCoverage = coverageOf(clinicId, matched, MATCHED_MEMBER_ID, STORED_AT);
  const submitterCoverage = coverageOf(clinicId, submitter, options.submitterMemberId ?? SUBMITTED_MEMBER_ID, SUBMITTED_AT);
  const submission: SubmissionRecord = {
    type: 'Submission',
    clinicId,
    submissionId,
    journeyId,
    patientId: submitter.patientId,
    receivedAt: SUBMITTED_AT,
    source: 'web-form',
    visit: { appointmentTypeCode: 'OFFICE_VISIT', preferences: {} },
    consents: { treatment: true, privacyNotice: true, financialResponsibility: true },
    ...(options.flagged === false
      ? {}
      : { possibleDuplicateOf: matched.patientId, duplicateFields: ['email', 'phone', 'address', 'insurance'] }),
    ...options.submission,
  };
  const fresh = newJourneyRecord({ clinicId, journeyId, submissionId, patientId: submitter.patientId }, new Date(SUBMITTED_AT));
  const journey: JourneyRecord = {
    ...fresh,
    status: options.status ?? 'WAITING_FOR_STAFF',
    stages: {
      ...fresh.stages,
      INTAKE: { status: 'WAITING_FOR_STAFF', at: SUBMITTED_AT, reason: 'Possible duplicate', staffTaskId: `t-${journeyId}` },
    },
  };
  await put({ ...keys.patient(clinicId, matched.patientId), ...matched });
  await put({
    ...keys.patientMatch(clinicId, patientMatchHash(matched, TEST_IDENTITY_KEY)),
    type: 'PatientMatch',
    patientId: matched.patientId,
    createdAt: STORED_AT,
  });
  await put({ ...keys.coverage(clinicId, matched.patientId), ...matchedCoverage });
  await put({ ...keys.patient(clinicId, submitter.patientId), ...submitter });
  await put({ ...keys.coverage(clinicId, submitter.patientId), ...submitterCoverage });
  await put({ ...keys.submission(clinicId, submissionId), ...submission });
  await put({ ...keys.journey(clinicId, journeyId), ...journey });
  return { clinicId, journeyId, submissionId, matched, matchedCoverage, submitter, submitterCoverage, submission, journey };
}

/** Every stored item of a seed, as it is now: what "writes nothing" compares. */
async function snapshot(s: Seeded) {
  return {
    matched: await getItem(keys.patient(s.clinicId, s.matched.patientId)),
    matchedCoverage: await getItem(keys.coverage(s.clinicId, s.matched.patientId)),
    submitter: await getItem(keys.patient(s.clinicId, s.submitter.patientId)),
    submitterCoverage: await getItem(keys.coverage(s.clinicId, s.submitter.patientId)),
    submission: await getItem(keys.submission(s.clinicId, s.submissionId)),
    journey: await getItem(keys.journey(s.clinicId, s.journeyId)),
    match: await getItem(keys.patientMatch(s.clinicId, patientMatchHash(s.matched, TEST_IDENTITY_KEY))),
  };
}

type Resolve = typeof resolveDuplicate;

/** POST …/duplicate-resolution as API Gateway hands it to the function: the status and the parsed body. */
async function resolve(
  s: Pick<Seeded, 'clinicId' | 'journeyId'>,
  body: unknown,
  as: StaffRole | null = 'front-desk',
  handler: Resolve = resolveDuplicate,
) {
  const response = await handler(
    staffEvent({
      routeKey: ROUTE,
      pathParameters: { clinicId: s.clinicId, journeyId: s.journeyId },
      body,
      person: as === null ? null : { clinicId: s.clinicId, ...PERSON[as] },
    }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

/** The raw audit items of the journey (today's partition of its clinic). */
async function auditItems(s: Pick<Seeded, 'clinicId' | 'journeyId'>): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      FilterExpression: 'journeyId = :journeyId',
      ExpressionAttributeValues: { ':pk': keys.audit(s.clinicId, now.toISOString().slice(0, 10), '').PK, ':journeyId': s.journeyId },
      ConsistentRead: true,
    }),
  );
  return Items;
}
const audits = async (s: Pick<Seeded, 'clinicId' | 'journeyId'>): Promise<StoredAuditRecord[]> =>
  (await auditItems(s)).map(auditRecordOfItem);
const resolutionAudits = async (s: Pick<Seeded, 'clinicId' | 'journeyId'>) =>
  (await audits(s)).filter((record) => record.actions.some((action) => action === 'patient.merge' || action === 'patient.separate'));

describe('Function: resolveDuplicate (POST …/journeys/{journeyId}/duplicate-resolution) on DynamoDB Local', () => {
  it('MERGE: the matched patient takes the submitted details and insurance, the journey and submission become theirs, the other record goes', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status, body } = await resolve(s, { resolution: 'MERGE' });

    // Assess
    expect(status).toBe(200);
    expect(DuplicateResolvedSchema.parse(body)).toEqual({ journeyId: s.journeyId, resolution: 'MERGE', patientId: s.matched.patientId });
    const after = await snapshot(s);
    expect(after.matched).toEqual({ ...s.matched, ...SUBMITTED, updatedAt: now.toISOString() });
    // Who the matched patient is stays theirs: the name, birth date and the record's creation.
    expect(after.matched).toMatchObject({
      firstName: s.matched.firstName,
      lastName: s.matched.lastName,
      birthDate: s.matched.birthDate,
      createdAt: s.matched.createdAt,
    });
    expect(after.matchedCoverage).toEqual({ ...s.submitterCoverage, patientId: s.matched.patientId, updatedAt: now.toISOString() });
    expect(after.journey).toEqual({ ...s.journey, patientId: s.matched.patientId });
    expect(after.submission).toEqual({ ...s.submission, patientId: s.matched.patientId, duplicateResolution: 'MERGE' });
    expect(after.submitter).toBeUndefined();
    expect(after.submitterCoverage).toBeUndefined();
    expect(after.match).toMatchObject({ type: 'PatientMatch', patientId: s.matched.patientId });
  });

  it('MERGE: audits one patient.merge per patient in the person’s name, the matched one naming the changed fields, never the values', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status } = await resolve(s, { resolution: 'MERGE' });

    // Assess
    expect(status).toBe(200);
    const merges = (await audits(s)).filter((record) => record.actions.includes('patient.merge'));
    expect(merges).toHaveLength(2);
    const common = { clinicId: s.clinicId, actor: actorOf('front-desk'), journeyId: s.journeyId, outcome: 'success', via: ROUTE };
    const intoMatched = merges.find((record) => record.patientId === s.matched.patientId);
    const ofSubmitter = merges.find((record) => record.patientId === s.submitter.patientId);
    expect(intoMatched).toMatchObject({ ...common, actions: ['patient.merge'] });
    expect(ofSubmitter).toMatchObject({ ...common, actions: ['patient.merge'] });
    expect(ofSubmitter).not.toHaveProperty('fields');
    // Every carried-over field differs in this seed, and so does the insurance.
    expect(new Set(intoMatched?.fields)).toEqual(
      new Set(['email', 'phone', 'address', 'communication', 'sex', 'preferredLanguage', 'coverage']),
    );
    // The reads were audited for each patient before they were made.
    const all = await audits(s);
    const readsOf = (patientId: string) =>
      all.filter((record) => record.patientId === patientId && !record.actions.includes('patient.merge')).flatMap((r) => r.actions);
    expect(readsOf(s.submitter.patientId)).toEqual(
      expect.arrayContaining(['journey.read', 'submission.read', 'patient.read', 'coverage.read']),
    );
    expect(readsOf(s.matched.patientId)).toEqual(expect.arrayContaining(['patient.read']));
    expect(new Set(all.map((record) => record.actor))).toEqual(new Set([actorOf('front-desk')]));
    const itemsText = JSON.stringify(await auditItems(s));
    for (const value of [
      SUBMITTED.email,
      SUBMITTED.phone,
      '555-0199',
      SUBMITTED.address.line1,
      s.matched.email ?? '',
      s.matched.phone ?? '',
      s.matched.address?.line1 ?? '',
      SUBMITTED_MEMBER_ID,
      MATCHED_MEMBER_ID,
      s.matched.lastName,
      s.matched.birthDate,
    ])
      expect(itemsText).not.toContain(value);
  });

  it('MERGE: names only the fields that changed (the same email, consents, sex and language are not named)', async () => {
    // Prepare: the submitter differs from the matched patient in phone and address only (same insurance too)
    const s = await seed({
      submitter: {
        email: patientFixture.email,
        communication: patientFixture.communication,
        sex: undefined,
        preferredLanguage: undefined,
      },
      submitterMemberId: MATCHED_MEMBER_ID,
      submission: { duplicateFields: ['phone', 'address'] },
    });

    // Act
    const { status } = await resolve(s, { resolution: 'MERGE' });

    // Assess
    expect(status).toBe(200);
    const stored = await getItem(keys.patient(s.clinicId, s.matched.patientId));
    expect(stored).toEqual({ ...s.matched, phone: SUBMITTED.phone, address: SUBMITTED.address, updatedAt: now.toISOString() });
    const intoMatched = (await resolutionAudits(s)).find((record) => record.patientId === s.matched.patientId);
    expect(intoMatched?.fields).toEqual(expect.arrayContaining(['phone', 'address']));
    // The same payer, member ID, group and subscriber as the matched patient's: the audit names no coverage change.
    expect(intoMatched?.fields).toEqual(['phone', 'address']);
  });

  it('KEEP_APART: the submission is resolved as two people, both patients and the journey untouched, audited patient.separate', async () => {
    // Prepare
    const s = await seed();
    const before = await snapshot(s);

    // Act
    const { status, body } = await resolve(s, { resolution: 'KEEP_APART' }, 'billing');

    // Assess
    expect(status).toBe(200);
    expect(DuplicateResolvedSchema.parse(body)).toEqual({
      journeyId: s.journeyId,
      resolution: 'KEEP_APART',
      patientId: s.submitter.patientId,
    });
    const after = await snapshot(s);
    expect(after).toEqual({ ...before, submission: { ...before.submission, duplicateResolution: 'KEEP_APART' } });
    expect(await resolutionAudits(s)).toEqual([
      expect.objectContaining({
        clinicId: s.clinicId,
        actor: actorOf('billing'),
        actions: ['patient.separate'],
        journeyId: s.journeyId,
        patientId: s.submitter.patientId,
        outcome: 'success',
        via: ROUTE,
      }),
    ]);
    const itemsText = JSON.stringify(await auditItems(s));
    for (const value of [SUBMITTED.phone, SUBMITTED.email, s.matched.lastName, SUBMITTED_MEMBER_ID]) expect(itemsText).not.toContain(value);
  });

  it('answers the same MERGE again with the same answer, and writes nothing more', async () => {
    // Prepare
    const s = await seed();
    const first = await resolve(s, { resolution: 'MERGE' });
    const afterFirst = await snapshot(s);

    // Act
    const again = await resolve(s, { resolution: 'MERGE' }, 'admin');

    // Assess
    expect(first).toEqual({ status: 200, body: { journeyId: s.journeyId, resolution: 'MERGE', patientId: s.matched.patientId } });
    expect(again).toEqual(first);
    expect(await snapshot(s)).toEqual(afterFirst);
    expect((await resolutionAudits(s)).map((record) => record.actor)).toEqual([actorOf('front-desk'), actorOf('front-desk')]);
  });

  it('answers the same KEEP_APART again with the same answer, and writes nothing more', async () => {
    // Prepare
    const s = await seed();
    const first = await resolve(s, { resolution: 'KEEP_APART' });
    const afterFirst = await snapshot(s);

    // Act
    const again = await resolve(s, { resolution: 'KEEP_APART' });

    // Assess
    expect(first).toEqual({
      status: 200,
      body: { journeyId: s.journeyId, resolution: 'KEEP_APART', patientId: s.submitter.patientId },
    });
    expect(again).toEqual(first);
    expect(await snapshot(s)).toEqual(afterFirst);
    expect(await resolutionAudits(s)).toHaveLength(1);
  });

  it.each([
    ['KEEP_APART after a MERGE', 'MERGE', 'KEEP_APART'],
    ['MERGE after a KEEP_APART', 'KEEP_APART', 'MERGE'],
  ] as const)('refuses %s with 409 and writes nothing', async (_name, first, then) => {
    // Prepare
    const s = await seed();
    expect((await resolve(s, { resolution: first })).status).toBe(200);
    const afterFirst = await snapshot(s);
    const auditedFirst = await resolutionAudits(s);

    // Act
    const { status, body } = await resolve(s, { resolution: then });

    // Assess
    expect(status).toBe(409);
    expect(body).toEqual({ message: expect.stringContaining(first) });
    expect(await snapshot(s)).toEqual(afterFirst);
    expect(await resolutionAudits(s)).toEqual(auditedFirst);
  });

  it.each(['MERGE', 'KEEP_APART'] as const)(
    'refuses %s of a journey whose patient is not held as a possible duplicate with 409',
    async (resolution) => {
      // Prepare
      const s = await seed({ flagged: false });
      const before = await snapshot(s);

      // Act
      const { status, body } = await resolve(s, { resolution });

      // Assess
      expect(status).toBe(409);
      expect(body).toEqual({ message: expect.stringMatching(/not held as a possible duplicate/) });
      expect(await snapshot(s)).toEqual(before);
      expect(await resolutionAudits(s)).toEqual([]);
    },
  );

  it.each([
    ['MERGE', 'RUNNING'],
    ['KEEP_APART', 'RUNNING'],
    ['MERGE', 'COMPLETED'],
    ['KEEP_APART', 'CANCELLED'],
  ] as const)('refuses %s of a journey that is %s (not waiting for staff) with 409 and writes nothing', async (resolution, status) => {
    // Prepare
    const s = await seed({ status });
    const before = await snapshot(s);

    // Act
    const answer = await resolve(s, { resolution });

    // Assess
    expect(answer.status).toBe(409);
    expect(await snapshot(s)).toEqual(before);
    expect(await resolutionAudits(s)).toEqual([]);
  });

  it('answers an unknown journey and a journey of another clinic with 404', async () => {
    // Prepare
    const mine = await seed();
    const other = await seed();
    const otherBefore = await snapshot(other);

    // Act
    const unknown = await resolve({ clinicId: mine.clinicId, journeyId: randomUUID() }, { resolution: 'MERGE' });
    const foreign = await resolve({ clinicId: mine.clinicId, journeyId: other.journeyId }, { resolution: 'MERGE' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
    expect(await snapshot(other)).toEqual(otherBefore);
  });

  it.each(['clinical', 'radiology', 'ops'] as const)('refuses %s staff with 403 and writes nothing', async (role) => {
    // Prepare
    const s = await seed();
    const before = await snapshot(s);

    // Act
    const merge = await resolve(s, { resolution: 'MERGE' }, role);
    const keepApart = await resolve(s, { resolution: 'KEEP_APART' }, role);

    // Assess
    expect([merge.status, keepApart.status]).toEqual([403, 403]);
    expect(await snapshot(s)).toEqual(before);
    expect(await audits(s)).toEqual([]);
  });

  it('refuses a request without a token (401) and a body that is not a resolution (400)', async () => {
    // Prepare
    const s = await seed();
    const before = await snapshot(s);

    // Act
    const answers = [
      await resolve(s, { resolution: 'MERGE' }, null),
      await resolve(s, { resolution: 'SPLIT' }),
      await resolve(s, {}),
      await resolve(s, { resolution: 'MERGE', patientId: s.matched.patientId }),
    ];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([401, 400, 400, 400]);
    expect(await snapshot(s)).toEqual(before);
  });

  it('admits front-desk, billing and admin', async () => {
    // Prepare
    const seeds = [await seed(), await seed(), await seed()];

    // Act
    const answers = [
      await resolve(seeds[0] as Seeded, { resolution: 'MERGE' }, 'front-desk'),
      await resolve(seeds[1] as Seeded, { resolution: 'MERGE' }, 'billing'),
      await resolve(seeds[2] as Seeded, { resolution: 'KEEP_APART' }, 'admin'),
    ];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('writes nothing (409) when the matched patient changed between its read and the merge', async () => {
    // Prepare: a patient store whose read of the matched patient is followed by someone else's write of it
    const s = await seed();
    const racingPatients: PatientStore = {
      ...stores.patients,
      read: (async (ref: Parameters<PatientStore['read']>[0], audit: Parameters<PatientStore['read']>[1], projection?: undefined) => {
        const read = await stores.patients.read(ref, audit, projection);
        if (ref.patientId === s.matched.patientId)
          await table.client.send(
            new UpdateCommand({
              TableName: table.tableName,
              Key: keys.patient(s.clinicId, s.matched.patientId),
              UpdateExpression: 'SET email = :email, updatedAt = :at',
              ExpressionAttributeValues: { ':email': 'meanwhile@example.org', ':at': '2026-12-01T09:30:00.000Z' },
            }),
          );
        return read;
      }) as PatientStore['read'],
    };
    const racing = makeResolveDuplicate({ ...stores, patients: racingPatients, duplicates, now: () => now });
    const before = await snapshot(s);

    // Act
    const { status, body } = await resolve(s, { resolution: 'MERGE' }, 'front-desk', racing);

    // Assess
    expect(status).toBe(409);
    expect(body).toEqual({ message: expect.stringMatching(/changed meanwhile/) });
    expect(await snapshot(s)).toEqual({
      ...before,
      matched: { ...before.matched, email: 'meanwhile@example.org', updatedAt: '2026-12-01T09:30:00.000Z' },
    });
    expect(await resolutionAudits(s)).toEqual([]);
    // Nothing was resolved: a MERGE sent again once the change is read goes through.
    const again = await resolve(s, { resolution: 'MERGE' });
    expect(again.status).toBe(200);
    expect(await getItem(keys.patient(s.clinicId, s.matched.patientId))).toMatchObject({ phone: SUBMITTED.phone, email: SUBMITTED.email });
  });

  it.each([
    ['patient', 'SET phone = :value, updatedAt = :at', '+16175550177'],
    ['coverage', 'SET memberId = :value, updatedAt = :at', 'W-CORRECTED-4242'],
  ] as const)('writes nothing (409) when the submitter’s %s was corrected between its read and the merge', async (what, update, value) => {
    // Prepare: a patient store whose read of the submitter's record is followed by a staff correction of it (PATCH
    // …/patient or …/coverage of this very journey writes the submitter's record while it waits)
    const s = await seed();
    const key = what === 'patient' ? keys.patient(s.clinicId, s.submitter.patientId) : keys.coverage(s.clinicId, s.submitter.patientId);
    const correctAfterRead = async () =>
      table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: key,
          UpdateExpression: update,
          ExpressionAttributeValues: { ':value': value, ':at': '2026-12-01T09:30:00.000Z' },
        }),
      );
    const racingPatients: PatientStore = {
      ...stores.patients,
      read: (async (ref: Parameters<PatientStore['read']>[0], audit: Parameters<PatientStore['read']>[1], projection?: undefined) => {
        const read = await stores.patients.read(ref, audit, projection);
        if (what === 'patient' && ref.patientId === s.submitter.patientId) await correctAfterRead();
        return read;
      }) as PatientStore['read'],
      readCoverage: async (ref, audit) => {
        const read = await stores.patients.readCoverage(ref, audit);
        if (what === 'coverage' && ref.patientId === s.submitter.patientId) await correctAfterRead();
        return read;
      },
    };
    const racing = makeResolveDuplicate({ ...stores, patients: racingPatients, duplicates, now: () => now });

    // Act
    const { status } = await resolve(s, { resolution: 'MERGE' }, 'front-desk', racing);
    const after = await snapshot(s);

    // Assess
    // The submitter's record changed after the merge read it: nothing is written, and the correction stands.
    expect(status).toBe(409);
    expect(after[what === 'patient' ? 'submitter' : 'submitterCoverage']).toMatchObject({ updatedAt: '2026-12-01T09:30:00.000Z' });
    expect.soft(after.journey).toMatchObject({ patientId: s.submitter.patientId });
    expect.soft(await resolutionAudits(s)).toEqual([]);
  });

  it('writes nothing (409) when the journey stopped waiting between its read and the merge', async () => {
    // Prepare: a duplicate store whose merge comes after the journey was resumed (RUNNING again)
    const s = await seed();
    const resumedFirst: DuplicateStore = {
      ...duplicates,
      merge: async (merge, at) => {
        await table.client.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: keys.journey(s.clinicId, s.journeyId),
            UpdateExpression: 'SET #status = :running',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':running': 'RUNNING' },
          }),
        );
        return duplicates.merge(merge, at);
      },
    };
    const racing = makeResolveDuplicate({ ...stores, duplicates: resumedFirst, now: () => now });
    const before = await snapshot(s);

    // Act
    const { status } = await resolve(s, { resolution: 'MERGE' }, 'front-desk', racing);

    // Assess
    expect(status).toBe(409);
    expect(await snapshot(s)).toEqual({ ...before, journey: { ...before.journey, status: 'RUNNING' } });
    expect(await resolutionAudits(s)).toEqual([]);
  });
});
