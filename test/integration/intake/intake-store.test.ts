import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { IntakeSubmissionSchema } from '#contract/api/submission-schema.ts';
import {
  coverageRecord,
  newPatientRecord,
  patientContactUpdate,
  submissionIdOf,
  submissionRecord,
} from '#functions/intake/intake-records.ts';
import { dynamoIntakeStore, type IntakeWrite } from '#functions/intake/intake-store.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { keys } from '#shared/keys.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { validSubmissionBody } from '#test/support/fixtures/submission.ts';
import { TEST_IDENTITY_KEY } from '#test/support/identity-key.ts';
import { localTable } from '#test/support/local-table.ts';

const now = new Date('2026-11-27T10:00:00.000Z');

const table = await localTable('intake-store');
const store = dynamoIntakeStore(table);

/** An intake as submitIntake builds it: a new patient unless `existingPatientId` is given; fresh IDs (and key) each time. */
function intakeWrite(
  clinicId: string,
  options: {
    idempotencyKey?: string;
    matchHash?: string;
    existingPatientId?: string;
    phone?: string;
    /** The existing patient's and coverage's `updatedAt` as read (default: as the first write left them, `now`). */
    readAt?: { patient: string; coverage?: string };
  } = {},
) {
  const body = IntakeSubmissionSchema.parse(validSubmissionBody({ contact: { phone: options.phone ?? '201-555-0199' } }));
  const idempotencyKey = options.idempotencyKey ?? `key:${randomUUID()}`;
  const ids = {
    submissionId: submissionIdOf(clinicId, idempotencyKey, TEST_IDENTITY_KEY),
    journeyId: randomUUID(),
    patientId: options.existingPatientId ?? randomUUID(),
  };
  const write: IntakeWrite = {
    clinicId,
    bodyHash: 'body-hash',
    patient: options.existingPatientId
      ? {
          kind: 'existing',
          update: patientContactUpdate(ids.patientId, body, now),
          readAt: options.readAt ?? { patient: now.toISOString(), coverage: now.toISOString() },
        }
      : { kind: 'new', record: newPatientRecord(clinicId, ids.patientId, body, now), matchHash: options.matchHash ?? randomUUID() },
    coverage: coverageRecord(clinicId, ids.patientId, body, now),
    submission: submissionRecord(clinicId, ids, body, now),
    journey: newJourneyRecord({ clinicId, ...ids }, now),
    audit: {
      clinicId,
      actor: 'api-key:key-1',
      patientId: ids.patientId,
      journeyId: ids.journeyId,
      actions: [options.existingPatientId ? 'patient.match' : 'patient.create', 'coverage.write', 'submission.create'],
      outcome: 'success',
    },
  };
  return { write, ids };
}

const get = async (key: { PK: string; SK: string }) =>
  (await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }))).Item;
async function audits(clinicId: string) {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.audit(clinicId, now.toISOString().slice(0, 10), '').PK },
    }),
  );
  return Items;
}

describe('Intake store on DynamoDB Local', () => {
  it('writes a new patient, their match, coverage, submission (the idempotency claim), journey and audit record together', async () => {
    // Prepare
    const clinicId = 'clinic-store-new';
    const { write, ids } = intakeWrite(clinicId, { idempotencyKey: 'key:first', matchHash: 'match-1' });

    // Act
    const outcome = await store.writeIntake(write, now);

    // Assess
    expect(outcome).toBe('WRITTEN');
    expect(await get(keys.patient(clinicId, ids.patientId))).toMatchObject({ type: 'Patient', phone: '+12015550199' });
    expect(await get(keys.coverage(clinicId, ids.patientId))).toMatchObject({ type: 'Coverage', memberId: 'W123456789' });
    expect(await get(keys.submission(clinicId, ids.submissionId))).toMatchObject({
      type: 'Submission',
      journeyId: ids.journeyId,
      bodyHash: 'body-hash',
    });
    expect(await get(keys.journey(clinicId, ids.journeyId))).toMatchObject({ submissionId: ids.submissionId, status: 'RUNNING' });
    expect(await store.findPatientIdByMatch(clinicId, 'match-1')).toBe(ids.patientId);
    expect(await store.findIdempotency(clinicId, submissionIdOf(clinicId, 'key:first', TEST_IDENTITY_KEY))).toEqual({
      submissionId: ids.submissionId,
      journeyId: ids.journeyId,
      bodyHash: 'body-hash',
    });
    // One audit record of the three writes, committed with them.
    expect(auditRecords(await audits(clinicId))).toEqual([
      expect.objectContaining({
        actor: 'api-key:key-1',
        actions: ['patient.create', 'coverage.write', 'submission.create'],
        patientId: ids.patientId,
        journeyId: ids.journeyId,
        outcome: 'success',
      }),
    ]);
  });

  it('finds nothing for an unknown idempotency key or patient', async () => {
    // Act
    const entry = await store.findIdempotency('clinic-store-empty', submissionIdOf('clinic-store-empty', 'key:unknown', TEST_IDENTITY_KEY));
    const patientId = await store.findPatientIdByMatch('clinic-store-empty', 'unknown');

    // Assess
    expect(entry).toBeUndefined();
    expect(patientId).toBeUndefined();
  });

  it('answers DUPLICATE for a second write under the same idempotency key, and writes none of it', async () => {
    // Prepare
    const clinicId = 'clinic-store-duplicate';
    await store.writeIntake(intakeWrite(clinicId, { idempotencyKey: 'key:same' }).write, now);
    const { write, ids } = intakeWrite(clinicId, { idempotencyKey: 'key:same' });

    // Act
    const outcome = await store.writeIntake(write, now);

    // Assess
    expect(outcome).toBe('DUPLICATE');
    expect(await get(keys.journey(clinicId, ids.journeyId))).toBeUndefined();
    expect(await get(keys.patient(clinicId, ids.patientId))).toBeUndefined();
    expect(await audits(clinicId)).toHaveLength(1);
  });

  it('answers PATIENT_MATCH_TAKEN when another intake registered the same new patient first', async () => {
    // Prepare
    const clinicId = 'clinic-store-match';
    await store.writeIntake(intakeWrite(clinicId, { matchHash: 'same-person' }).write, now);
    const { write, ids } = intakeWrite(clinicId, { matchHash: 'same-person' });

    // Act
    const outcome = await store.writeIntake(write, now);

    // Assess
    expect(outcome).toBe('PATIENT_MATCH_TAKEN');
    expect(await get(keys.submission(clinicId, ids.submissionId))).toBeUndefined();
    expect(await get(keys.patient(clinicId, ids.patientId))).toBeUndefined();
  });

  it("updates a returning patient's contact details and keeps the rest", async () => {
    // Prepare
    const clinicId = 'clinic-store-returning';
    const first = intakeWrite(clinicId);
    await store.writeIntake(first.write, now);
    const { write } = intakeWrite(clinicId, { existingPatientId: first.ids.patientId, phone: '201-555-0177' });

    // Act
    const outcome = await store.writeIntake(write, now);

    // Assess
    expect(outcome).toBe('WRITTEN');
    expect(await get(keys.patient(clinicId, first.ids.patientId))).toMatchObject({
      firstName: 'Maria',
      createdAt: now.toISOString(),
      phone: '+12015550177',
    });
    expect(
      auditRecords(await audits(clinicId))
        .map((a) => a.actions[0])
        .sort(),
    ).toEqual(['patient.create', 'patient.match']);
  });

  it('answers DUPLICATE for a concurrent second write under the same key, whatever its body, and keeps the first', async () => {
    // Prepare
    const clinicId = 'clinic-store-race';
    const first = intakeWrite(clinicId, { idempotencyKey: 'key:race' });
    const second = intakeWrite(clinicId, { idempotencyKey: 'key:race' });
    second.write.bodyHash = 'another-body-hash';

    // Act
    const outcomes = await Promise.all([store.writeIntake(first.write, now), store.writeIntake(second.write, now)]);

    // Assess: one wins; the loser sees DUPLICATE (or CONFLICT while the winner's transaction is in flight).
    expect(outcomes.filter((o) => o === 'WRITTEN')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'WRITTEN')[0]).toMatch(/^(DUPLICATE|CONFLICT)$/);
    const winner = outcomes[0] === 'WRITTEN' ? first : second;
    expect(await store.findIdempotency(clinicId, submissionIdOf(clinicId, 'key:race', TEST_IDENTITY_KEY))).toEqual({
      submissionId: submissionIdOf(clinicId, 'key:race', TEST_IDENTITY_KEY),
      journeyId: winner.ids.journeyId,
      bodyHash: winner.write.bodyHash,
    });
  });

  it('writes nothing for a returning patient changed since intake read them (CONFLICT: read again)', async () => {
    // Prepare: staff corrected the patient after intake compared them
    const clinicId = 'clinic-store-corrected';
    const first = intakeWrite(clinicId);
    await store.writeIntake(first.write, now);
    const { write, ids } = intakeWrite(clinicId, {
      existingPatientId: first.ids.patientId,
      phone: '201-555-0177',
      readAt: { patient: '2026-11-30T09:00:00.000Z', coverage: now.toISOString() },
    });

    // Act
    const outcome = await store.writeIntake(write, now);

    // Assess
    expect(outcome).toBe('CONFLICT');
    expect(await get(keys.patient(clinicId, first.ids.patientId))).not.toMatchObject({ phone: '+12015550177' });
    expect(await get(keys.journey(clinicId, ids.journeyId))).toBeUndefined();
  });

  it('refuses to update a patient that does not exist, so a stale match never creates a stub', async () => {
    // Prepare
    const clinicId = 'clinic-store-stale';
    const { write, ids } = intakeWrite(clinicId, { existingPatientId: 'patient-gone' });

    // Act
    const outcome = await store.writeIntake(write, now);

    // Assess
    expect(outcome).toBe('CONFLICT');
    expect(await get(keys.patient(clinicId, 'patient-gone'))).toBeUndefined();
    expect(await get(keys.journey(clinicId, ids.journeyId))).toBeUndefined();
    expect(await audits(clinicId)).toEqual([]);
  });
});
