import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CorrectionAppliedSchema } from '#contract/api/correction-schema.ts';
import { API_ROUTES } from '#contract/api-routes.ts';
import { DEMO_STAFF, type StaffRole } from '#contract/staff-roles.ts';
import { makeCorrectCoverage } from '#functions/corrections/correct-coverage.handler.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import type { CoverageRecord, InsuranceCoverage, PatientRecord } from '#model/patient-records.ts';
import { auditRecordOfItem, type StoredAuditRecord } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import type { PatientStore } from '#shared/patient-store.ts';
import { dynamoStores } from '#shared/stores.ts';
import { lambdaContext, type StaffClaims, staffEvent } from '#test/support/api-event.ts';
import { medicareSecondaryPayerAnswers, patient as patientFixture } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

/** The time of the corrections; the records were stored earlier that day (one audit partition for the whole file). */
const now = new Date('2026-12-01T10:00:00.000Z');
const STORED_AT = '2026-12-01T08:00:00.000Z';

const table = await localTable('correct-coverage');
const stores = dynamoStores(table, () => now);

/** Runs once between the handler's coverage read and its write, when set: someone else writing meanwhile. */
let meanwhile: (() => Promise<void>) | undefined;
const racedPatients: PatientStore = {
  ...stores.patients,
  async readCoverage(ref, audit) {
    const read = await stores.patients.readCoverage(ref, audit);
    const write = meanwhile;
    meanwhile = undefined;
    await write?.();
    return read;
  },
};
/** The handler's clock: a test may move it (later the same day) to see whether a write happened. */
let clock = now;
const correctCoverage = makeCorrectCoverage({ ...stores, patients: racedPatients, now: () => clock });

const ROUTE = (() => {
  const route = API_ROUTES.find((r) => r.function === 'correctCoverage');
  if (!route) throw new Error('No route of correctCoverage');
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

const INSURANCE = {
  payerId: '60054',
  payerName: 'Aetna',
  memberId: 'W123456789',
  groupNumber: 'GRP-1',
} as const;

interface Seeded {
  clinicId: string;
  journeyId: string;
  patientId: string;
  patient: PatientRecord;
}

/** A journey of its own clinic, its patient and (unless `coverage: null`) their insurance on file. */
async function seed(
  options: { clinicId?: string; status?: JourneyRecord['status']; coverage?: Partial<InsuranceCoverage> | CoverageRecord | null } = {},
): Promise<Seeded> {
  const clinicId = options.clinicId ?? newClinic();
  const journeyId = randomUUID();
  const patientId = `p-${journeyId.slice(0, 8)}`;
  const patient: PatientRecord = { ...patientFixture, clinicId, patientId, updatedAt: STORED_AT };
  const journey: JourneyRecord = {
    ...newJourneyRecord({ clinicId, journeyId, submissionId: `s-${journeyId}`, patientId }, new Date(STORED_AT)),
    status: options.status ?? 'WAITING_FOR_STAFF',
  };
  await put({ ...keys.journey(clinicId, journeyId), ...journey });
  await put({ ...keys.patient(clinicId, patientId), ...patient });
  if (options.coverage !== null) {
    const coverage =
      options.coverage && 'selfPay' in options.coverage
        ? { ...options.coverage, clinicId, patientId }
        : {
            type: 'Coverage',
            clinicId,
            patientId,
            ...INSURANCE,
            subscriber: { relationship: 'self', firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate },
            updatedAt: STORED_AT,
            ...options.coverage,
          };
    await put({ ...keys.coverage(clinicId, patientId), ...coverage });
  }
  return { clinicId, journeyId, patientId, patient };
}

interface Call {
  clinicId: string;
  journeyId: string;
  body: unknown;
  /** Claims of the caller: a role's demo person, claims of one's own, or null for none. */
  as?: StaffRole | StaffClaims | null;
}

/** PATCH …/coverage as API Gateway hands it to the function: the status and the parsed body. */
async function patch({ clinicId, journeyId, body, as = 'front-desk' }: Call) {
  const person = typeof as === 'string' ? PERSON[as] : as;
  const response = await correctCoverage(
    staffEvent({
      routeKey: ROUTE,
      pathParameters: { clinicId, journeyId },
      body,
      person: person === null ? null : { clinicId, ...person },
    }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

async function storedCoverage(s: Pick<Seeded, 'clinicId' | 'patientId'>): Promise<Record<string, unknown> | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.coverage(s.clinicId, s.patientId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { PK: _pk, SK: _sk, ...coverage } = Item;
  return coverage;
}

/** The raw audit items of the journey (today's partition of its clinic), in key order. */
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
const writeAudits = async (s: Pick<Seeded, 'clinicId' | 'journeyId'>) =>
  (await audits(s)).filter((record) => record.actions.includes('coverage.write'));

const errorPaths = (body: Record<string, unknown>) => ((body.errors ?? []) as Array<{ path: string }>).map((error) => error.path);

describe('Function: correctCoverage (PATCH …/journeys/{journeyId}/coverage) on DynamoDB Local', () => {
  it('corrects the member ID alone, keeps the rest of the policy, and audits the changed field by name only', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status, body } = await patch({ ...s, body: { memberId: 'W987654321' } });

    // Assess
    expect(status).toBe(200);
    expect(CorrectionAppliedSchema.parse(body)).toEqual({
      journeyId: s.journeyId,
      changedFields: expect.any(Array),
      coverage: { ...INSURANCE, memberId: 'W987654321', subscriberRelationship: 'self' },
    });
    // The subscriber, rebuilt from the same values (DynamoDB returns its map keys in another order), is not named.
    expect(body.changedFields).toEqual(['memberId']);
    expect(await storedCoverage(s)).toEqual({
      type: 'Coverage',
      clinicId: s.clinicId,
      patientId: s.patientId,
      ...INSURANCE,
      memberId: 'W987654321',
      subscriber: { relationship: 'self', firstName: s.patient.firstName, lastName: s.patient.lastName, birthDate: s.patient.birthDate },
      updatedAt: now.toISOString(),
    });
    const written = await writeAudits(s);
    expect.soft(written.map((record) => record.fields)).toEqual([['memberId']]);
    expect(written).toEqual([
      expect.objectContaining({
        clinicId: s.clinicId,
        actor: actorOf('front-desk'),
        actions: ['coverage.write'],
        fields: expect.arrayContaining(['memberId']),
        journeyId: s.journeyId,
        patientId: s.patientId,
        outcome: 'success',
        via: ROUTE,
      }),
    ]);
    // Every access in the person's name, the reads recorded as well as the write.
    const all = await audits(s);
    expect(new Set(all.map((record) => record.actor))).toEqual(new Set([actorOf('front-desk')]));
    expect(all.flatMap((record) => record.actions)).toEqual(expect.arrayContaining(['journey.read', 'coverage.read', 'coverage.write']));
    const itemsText = JSON.stringify(await auditItems(s));
    for (const value of ['W987654321', 'W123456789', s.patient.lastName, s.patient.birthDate]) expect(itemsText).not.toContain(value);
  });

  it('adds a second plan and the MSP answers, keeps them through a later correction of the first, and removes the second', async () => {
    // Prepare
    const s = await seed();
    const secondary = {
      payerId: 'CMSMA',
      payerName: 'Medicare',
      memberId: '1EG4-TE5-MK73',
      subscriber: { relationship: 'self' },
      planType: 'medicare',
    };
    const msp = medicareSecondaryPayerAnswers;

    // Act
    const added = await patch({ ...s, body: { secondary, medicareSecondaryPayer: msp, planType: 'commercial' } });
    const memberFixed = await patch({ ...s, body: { memberId: 'W987654321' } });
    const afterFix = await storedCoverage(s);
    const removed = await patch({ ...s, body: { removeSecondary: true } });

    // Assess
    expect(added.status).toBe(200);
    expect((added.body.changedFields as string[]).sort()).toEqual(['medicareSecondaryPayer', 'planType', 'secondary']);
    expect(added.body.coverage).toMatchObject({
      planType: 'commercial',
      secondary: { payerId: 'CMSMA', planType: 'medicare', subscriberRelationship: 'self' },
    });
    expect(memberFixed.body.changedFields).toEqual(['memberId']);
    expect(afterFix).toMatchObject({ memberId: 'W987654321', secondary: { memberId: '1EG4-TE5-MK73' }, medicareSecondaryPayer: msp });
    // The Medicare plan gone, its MSP answers go with it; answers for a patient with no Medicare plan are refused.
    expect(removed.body.changedFields).toEqual(['secondary', 'medicareSecondaryPayer']);
    expect(await storedCoverage(s)).not.toHaveProperty('secondary');
    expect(await storedCoverage(s)).not.toHaveProperty('medicareSecondaryPayer');
    const refused = await patch({ ...s, body: { medicareSecondaryPayer: msp } });
    expect(refused).toMatchObject({ status: 400, body: { errors: [{ path: 'medicareSecondaryPayer' }] } });
  });

  it('answers the same correction again with no changed field, and writes neither the coverage nor a write audit', async () => {
    // Prepare
    const s = await seed();
    const first = await patch({ ...s, body: { memberId: 'W555', groupNumber: 'GRP-2' } });
    const afterFirst = await storedCoverage(s);

    // Act: the same body, a minute later
    clock = new Date(now.getTime() + 60_000);
    const again = await patch({ ...s, body: { memberId: 'W555', groupNumber: 'GRP-2' } }).finally(() => {
      clock = now;
    });

    // Assess
    expect(first.status).toBe(200);
    expect.soft(first.body.changedFields).toEqual(['memberId', 'groupNumber']);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, changedFields: [] });
    expect(await storedCoverage(s)).toEqual(afterFirst);
    expect((await writeAudits(s)).map((record) => record.fields)).toHaveLength(1);
  });

  it('names no subscriber change when the subscriber is as it was (the stored map comes back in another key order)', async () => {
    // Prepare: the policy as intake stores it, then read back as DynamoDB returns it (map keys in its own order)
    const s = await seed();
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.coverage(s.clinicId, s.patientId), ConsistentRead: true }),
    );
    const storedOrder = Object.keys(Item?.subscriber ?? {});

    // Act
    const { status, body } = await patch({ ...s, body: { groupNumber: 'GRP-9' } });
    const again = await patch({ ...s, body: { groupNumber: 'GRP-9' } });

    // Assess
    // What makes the bug show: DynamoDB does not keep a map's key order, and changedCoverageFields
    // (functions/model/coverage.ts:48) compares JSON.stringify of the stored and the rebuilt subscriber.
    expect(storedOrder).not.toEqual(['relationship', 'firstName', 'lastName', 'birthDate']);
    expect(status).toBe(200);
    expect.soft(body.changedFields).toEqual(['groupNumber']);
    // A repeat is no change: nothing written, nothing audited as written.
    expect.soft(again.body.changedFields).toEqual([]);
    expect.soft((await writeAudits(s)).map((record) => record.fields)).toEqual([['groupNumber']]);
  });

  it('trims what it is sent as intake does: a member ID with spaces around it is no change', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status, body } = await patch({ ...s, body: { memberId: `  ${INSURANCE.memberId} ` } });

    // Assess
    expect(status).toBe(200);
    expect(body.changedFields).toEqual([]);
    expect(await writeAudits(s)).toEqual([]);
  });

  it('confirms self-pay: the coverage becomes self-pay alone, and only `selfPay` is named as changed', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status, body } = await patch({ ...s, body: { selfPay: true } });
    const again = await patch({ ...s, body: { selfPay: true } });

    // Assess
    expect(status).toBe(200);
    expect(body).toEqual({ journeyId: s.journeyId, changedFields: ['selfPay'], coverage: { selfPay: true } });
    expect(await storedCoverage(s)).toEqual({
      type: 'Coverage',
      clinicId: s.clinicId,
      patientId: s.patientId,
      selfPay: true,
      updatedAt: now.toISOString(),
    });
    expect(again).toEqual({ status: 200, body: { journeyId: s.journeyId, changedFields: [], coverage: { selfPay: true } } });
    expect((await writeAudits(s)).map((record) => record.fields)).toEqual([['selfPay']]);
  });

  it('confirms self-pay for a patient with no insurance on file', async () => {
    // Prepare
    const s = await seed({ coverage: null });

    // Act
    const { status, body } = await patch({ ...s, body: { selfPay: true } });

    // Assess
    expect(status).toBe(200);
    expect(body.changedFields).toEqual(['selfPay']);
    expect(await storedCoverage(s)).toMatchObject({ selfPay: true });
  });

  it('refuses a switch from self-pay back to insurance that names only the member ID, naming the missing fields', async () => {
    // Prepare
    const s = await seed();
    expect((await patch({ ...s, body: { selfPay: true } })).status).toBe(200);

    // Act
    const { status, body } = await patch({ ...s, body: { memberId: 'W123456789' } });

    // Assess
    expect(status).toBe(400);
    expect(errorPaths(body)).toEqual(expect.arrayContaining(['payerId', 'payerName', 'subscriber']));
    expect(errorPaths(body)).not.toContain('memberId');
    expect(await storedCoverage(s)).toMatchObject({ selfPay: true });
    expect((await writeAudits(s)).map((record) => record.fields)).toEqual([['selfPay']]);
  });

  it('switches from self-pay back to insurance given the whole policy', async () => {
    // Prepare
    const s = await seed({ coverage: { type: 'Coverage', clinicId: '', patientId: '', selfPay: true, updatedAt: STORED_AT } });

    // Act
    const { status, body } = await patch({
      ...s,
      body: { ...INSURANCE, subscriber: { relationship: 'spouse', firstName: 'Sam', lastName: 'Quintero', birthDate: '1982-02-02' } },
    });

    // Assess
    expect(status).toBe(200);
    expect(body.changedFields).toContain('selfPay');
    expect(body.coverage).toEqual({ ...INSURANCE, subscriberRelationship: 'spouse' });
    const stored = await storedCoverage(s);
    expect(stored).not.toHaveProperty('selfPay');
    expect(stored).toMatchObject({
      ...INSURANCE,
      subscriber: { relationship: 'spouse', firstName: 'Sam', lastName: 'Quintero', birthDate: '1982-02-02' },
    });
  });

  it.each([
    ['self-pay with another field', { selfPay: true, memberId: 'W1' }, ['selfPay']],
    ['self-pay false', { selfPay: false }, ['selfPay']],
    ['an empty body', {}, ['']],
    ['an unknown field', { memberId: 'W1', planName: 'Gold' }, ['planName']],
    ['a member ID with other characters', { memberId: 'W12 34!' }, ['memberId']],
    ['an empty member ID', { memberId: '   ' }, ['memberId']],
    ['a payer ID with spaces', { payerId: '600 54' }, ['payerId']],
    ['a spouse subscriber without names', { subscriber: { relationship: 'spouse' } }, ['subscriber.firstName', 'subscriber.lastName']],
    ['a subscriber of an unknown relationship', { subscriber: { relationship: 'cousin' } }, ['subscriber.relationship']],
    ['a self subscriber with a name', { subscriber: { relationship: 'self', firstName: 'Jo' } }, ['subscriber.firstName']],
  ])('answers %s with 400 naming the field, and writes nothing', async (_name, correction, paths) => {
    // Prepare
    const s = await seed();
    const before = await storedCoverage(s);

    // Act
    const { status, body } = await patch({ ...s, body: correction });

    // Assess
    expect(status).toBe(400);
    expect(errorPaths(body)).toEqual(expect.arrayContaining(paths));
    expect(await storedCoverage(s)).toEqual(before);
    expect(await audits(s)).toEqual([]);
  });

  it('answers a body that is not JSON with 400', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status } = await patch({ ...s, body: '{"memberId": ' });

    // Assess
    expect(status).toBe(400);
  });

  it('answers a journey of another clinic, and an unknown journey, with 404, and reads nothing', async () => {
    // Prepare
    const other = await seed();
    const mine = await seed();

    // Act
    const theirs = await patch({ clinicId: mine.clinicId, journeyId: other.journeyId, body: { memberId: 'W1' } });
    const unknown = await patch({ clinicId: mine.clinicId, journeyId: randomUUID(), body: { memberId: 'W1' } });

    // Assess
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await storedCoverage(other)).toMatchObject({ memberId: INSURANCE.memberId, updatedAt: STORED_AT });
    expect(await audits(other)).toEqual([]);
  });

  it.each(['COMPLETED', 'CANCELLED', 'FAILED'] as const)('answers a %s journey with 409 and leaves the coverage', async (status) => {
    // Prepare
    const s = await seed({ status });

    // Act
    const answer = await patch({ ...s, body: { memberId: 'W1' } });

    // Assess
    expect(answer.status).toBe(409);
    expect(await storedCoverage(s)).toMatchObject({ memberId: INSURANCE.memberId, updatedAt: STORED_AT });
    expect(await writeAudits(s)).toEqual([]);
  });

  it('corrects a running journey too (one not parked yet)', async () => {
    // Prepare
    const s = await seed({ status: 'RUNNING' });

    // Act
    const answer = await patch({ ...s, body: { memberId: 'W1' } });

    // Assess
    expect(answer.status).toBe(200);
  });

  it('answers 409 when the coverage changed between its read and the write, and keeps what was written meanwhile', async () => {
    // Prepare
    const s = await seed();
    const theirs = { memberId: 'W-MEANWHILE', updatedAt: '2026-12-01T09:59:59.000Z' };
    meanwhile = async () => {
      const current = await storedCoverage(s);
      await put({ ...keys.coverage(s.clinicId, s.patientId), ...current, ...theirs });
    };

    // Act
    const { status, body } = await patch({ ...s, body: { memberId: 'W-MINE' } });

    // Assess
    expect(meanwhile).toBeUndefined();
    expect(status).toBe(409);
    expect(body).toEqual({ message: expect.stringMatching(/changed meanwhile/) });
    expect(await storedCoverage(s)).toMatchObject(theirs);
    expect(await writeAudits(s)).toEqual([]);
  });

  it('answers 409 when a coverage was written where there was none when read', async () => {
    // Prepare
    const s = await seed({ coverage: null });
    meanwhile = async () => {
      await put({
        ...keys.coverage(s.clinicId, s.patientId),
        type: 'Coverage',
        clinicId: s.clinicId,
        patientId: s.patientId,
        ...INSURANCE,
        subscriber: { relationship: 'self', firstName: 'Jordan', lastName: 'Quintero', birthDate: '1984-07-09' },
        updatedAt: STORED_AT,
      });
    };

    // Act
    const { status } = await patch({ ...s, body: { selfPay: true } });

    // Assess
    expect(status).toBe(409);
    expect(await storedCoverage(s)).toMatchObject({ memberId: INSURANCE.memberId });
  });

  it.each(['front-desk', 'billing', 'admin'] as const)('lets %s correct the coverage (200), audited in their name', async (role) => {
    // Prepare
    const s = await seed();

    // Act
    const { status } = await patch({ ...s, body: { memberId: `W-${role}` }, as: role });

    // Assess
    expect(status).toBe(200);
    expect(await storedCoverage(s)).toMatchObject({ memberId: `W-${role}` });
    expect((await writeAudits(s)).map((record) => record.actor)).toEqual([actorOf(role)]);
  });

  it.each(['clinical', 'radiology', 'ops'] as const)('refuses %s with 403 and writes nothing', async (role) => {
    // Prepare
    const s = await seed();

    // Act
    const { status } = await patch({ ...s, body: { memberId: 'W1' }, as: role });

    // Assess
    expect(status).toBe(403);
    expect(await storedCoverage(s)).toMatchObject({ memberId: INSURANCE.memberId, updatedAt: STORED_AT });
    expect(await audits(s)).toEqual([]);
  });

  it('refuses a person of another clinic (403), one with no role (403), no token (401), and an access token (401)', async () => {
    // Prepare
    const s = await seed();

    // Act
    const answers = [
      await patch({ ...s, body: { memberId: 'W1' }, as: { ...PERSON['front-desk'], clinicId: newClinic() } }),
      await patch({ ...s, body: { memberId: 'W1' }, as: { sub: 'u-visitor', username: 'visitor', groups: '[]' } }),
      await patch({ ...s, body: { memberId: 'W1' }, as: null }),
      await patch({ ...s, body: { memberId: 'W1' }, as: { ...PERSON['front-desk'], tokenUse: 'access' } }),
    ];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([403, 403, 401, 401]);
    expect(await storedCoverage(s)).toMatchObject({ memberId: INSURANCE.memberId, updatedAt: STORED_AT });
    expect(await audits(s)).toEqual([]);
  });

  it('checks who asks before what they send: a clinician with an invalid body gets 403, not 400', async () => {
    // Prepare
    const s = await seed();

    // Act
    const { status } = await patch({ ...s, body: { unknown: 1 }, as: 'clinical' });

    // Assess
    expect(status).toBe(403);
  });
});
