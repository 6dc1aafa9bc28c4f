import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import { dynamoIntakeStore } from '#functions/intake/intake-store.ts';
import { makeSubmitIntake } from '#functions/intake/submit-intake.handler.ts';
import { ensureTable } from '#local/create-table.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { apiEvent, lambdaContext } from '#test/support/api-event.ts';
import { validSubmissionBody } from '#test/support/fixtures/submission.ts';
import { testIdentityKey } from '#test/support/identity-key.ts';

const tableName = `intake-it-${randomUUID().slice(0, 8)}`;
const client = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(client);
const table = { client: documents, tableName };
// DynamoDB is the real DynamoDB Local; the workflow engine is an in-memory fake that records each start.
let started: JourneyRef[] = [];
const handler = makeSubmitIntake({
  intakes: dynamoIntakeStore(table),
  journeys: dynamoJourneyStore(table),
  workflow: { start: async (ref) => void started.push(ref) },
  now: () => new Date(),
  newId: randomUUID,
  sleep: (ms) => setTimeout(ms),
  identityKey: testIdentityKey,
  patients: dynamoPatientStore(table),
  audit: dynamoAuditLog(table),
});

const submit = async (clinicId: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await handler(
    apiEvent({ body, headers, pathParameters: { clinicId }, authorizer: { clinicId, keyId: 'key-1' } }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body) };
};
const get = async (key: { PK: string; SK: string }) => (await documents.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
const query = async (PK: string, skPrefix?: string) =>
  (
    await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :sk)' : 'PK = :pk',
        ExpressionAttributeValues: { ':pk': PK, ...(skPrefix ? { ':sk': skPrefix } : {}) },
      }),
    )
  ).Items ?? [];
/** The actions of the clinic's audit records today, every record's in one sorted list. */
const auditActions = async (clinicId: string) =>
  (await query(keys.audit(clinicId, new Date().toISOString().slice(0, 10), '').PK)).flatMap((a) => a.actions as string[]).sort();

beforeAll(async () => {
  await ensureTable(client, tableName);
});

beforeEach(() => {
  started = [];
});

describe('Function: submitIntake on DynamoDB Local', () => {
  it('records a duplicate submission sent 10 times concurrently once, and answers every copy with the same journey', async () => {
    // Prepare
    const clinicId = 'clinic-concurrent';
    const body = validSubmissionBody();

    // Act
    const responses = await Promise.all(Array.from({ length: 10 }, () => submit(clinicId, body)));

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    const journeyIds = new Set(responses.map((r) => r.body.journeyId));
    const submissionIds = new Set(responses.map((r) => r.body.submissionId));
    expect(journeyIds.size).toBe(1);
    expect(submissionIds.size).toBe(1);
    const [journeyId] = journeyIds;
    const journey = await get(keys.journey(clinicId, String(journeyId)));
    expect(journey).toMatchObject({ status: 'RUNNING', submissionId: [...submissionIds][0] });
    expect(await query(`CLINIC#${clinicId}`, 'PATIENTMATCH#')).toHaveLength(1);
    // The submission is the idempotency claim: one, keyed by the ID its key derives, and no entry besides it.
    expect(await get(keys.submission(clinicId, String([...submissionIds][0])))).toMatchObject({ journeyId, bodyHash: expect.any(String) });
    expect(await query(`CLINIC#${clinicId}`, 'IDEMPOTENCY#')).toEqual([]);
    // The write's audit record commits with the transaction, so only the winner's exists: one of each proves one write.
    // A copy that met the winner's patient before the winner's submission read it to compare (an audited read).
    const actions = await auditActions(clinicId);
    expect(actions.filter((action) => !action.endsWith('.read'))).toEqual(['coverage.write', 'patient.create', 'submission.create']);
    const records = await query(keys.audit(clinicId, new Date().toISOString().slice(0, 10), '').PK);
    expect(records.filter((record) => (record.actions as string[]).includes('submission.create'))).toEqual([
      expect.objectContaining({ via: 'POST /v1/clinics/{clinicId}/intake-submissions' }),
    ]);
    expect(records.every((record) => record.via === 'POST /v1/clinics/{clinicId}/intake-submissions')).toBe(true);
    // Every copy (re)starts the one execution, named after the journey.
    expect(started).toHaveLength(10);
    expect(new Set(started.map((ref) => ref.journeyId))).toEqual(journeyIds);
  });

  it("records a returning patient's duplicate submission sent 10 times concurrently once", async () => {
    // Prepare: the patient exists, so only the idempotency entry stands between the copies and ten journeys
    const clinicId = 'clinic-concurrent-returning';
    const earlier = await submit(clinicId, validSubmissionBody());
    const body = validSubmissionBody({ visit: { reasonForVisit: 'Second visit' } });

    // Act
    const responses = await Promise.all(Array.from({ length: 10 }, () => submit(clinicId, body)));

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(new Set(responses.map((r) => r.body.journeyId)).size).toBe(1);
    const submissionIds = new Set(responses.map((r) => r.body.submissionId));
    expect(submissionIds.size).toBe(1);
    expect(submissionIds.has(earlier.body.submissionId)).toBe(false);
    // Writes once; each copy that got as far as matching read the patient to compare (audited: a read per attempt).
    const actions = await auditActions(clinicId);
    expect(actions.filter((action) => !action.endsWith('.read'))).toEqual([
      'coverage.write',
      'coverage.write',
      'patient.create',
      'patient.match',
      'submission.create',
      'submission.create',
    ]);
    expect(actions.filter((action) => action === 'patient.read').length).toBeGreaterThanOrEqual(1);
  });

  it('matches a second submission for the same person to the existing patient and updates what may change', async () => {
    // Prepare
    const clinicId = 'clinic-returning';
    const first = await submit(clinicId, validSubmissionBody());
    const firstJourney = await get(keys.journey(clinicId, first.body.journeyId));

    // Act: another visit, the name typed differently, the same contact details and insurance, no more texts
    const second = await submit(
      clinicId,
      validSubmissionBody({
        patient: { firstName: 'MARIA', lastName: 'Garcia' },
        contact: { communication: { email: true, sms: false } },
        visit: { appointmentTypeCode: 'PRIMARY_CARE_FOLLOW_UP', physicianOrder: undefined, reasonForVisit: 'Follow-up' },
      }),
    );

    // Assess
    expect(second.status).toBe(202);
    expect(second.body.journeyId).not.toBe(first.body.journeyId);
    const secondJourney = await get(keys.journey(clinicId, second.body.journeyId));
    expect(secondJourney?.patientId).toBe(firstJourney?.patientId);
    const patient = await get(keys.patient(clinicId, String(firstJourney?.patientId)));
    expect(patient).toMatchObject({ firstName: 'Maria', lastName: 'García', phone: '+12015550123', communication: { sms: false } });
    expect(await get(keys.submission(clinicId, second.body.submissionId))).not.toHaveProperty('possibleDuplicateOf');
    expect(await query(`CLINIC#${clinicId}`, 'PATIENTMATCH#')).toHaveLength(1);
    expect(await auditActions(clinicId)).toEqual([
      'coverage.read',
      'coverage.write',
      'coverage.write',
      'patient.create',
      'patient.match',
      'patient.read',
      'submission.create',
      'submission.create',
    ]);
  });

  it('registers apart, as a possible duplicate, a match whose phone and insurance disagree, overwriting nothing', async () => {
    // Prepare
    const clinicId = 'clinic-duplicate';
    const first = await submit(clinicId, validSubmissionBody());
    const firstJourney = await get(keys.journey(clinicId, first.body.journeyId));
    const storedBefore = await get(keys.patient(clinicId, String(firstJourney?.patientId)));

    // Act: the same name and birth date, another phone and member ID
    const second = await submit(
      clinicId,
      validSubmissionBody({ contact: { phone: '201-555-0199' }, insurance: { memberId: 'OTHER-MEMBER-1' } }),
    );

    // Assess: a patient of their own, the submission naming the other and the fields, the first patient untouched
    const secondJourney = await get(keys.journey(clinicId, second.body.journeyId));
    expect(second.status).toBe(202);
    expect(secondJourney?.patientId).not.toBe(firstJourney?.patientId);
    expect(await get(keys.submission(clinicId, second.body.submissionId))).toMatchObject({
      patientId: secondJourney?.patientId,
      possibleDuplicateOf: firstJourney?.patientId,
      duplicateFields: ['phone', 'insurance'],
    });
    expect(await get(keys.patient(clinicId, String(firstJourney?.patientId)))).toEqual(storedBefore);
    expect(await get(keys.patient(clinicId, String(secondJourney?.patientId)))).toMatchObject({ phone: '+12015550199' });
    expect(await query(`CLINIC#${clinicId}`, 'PATIENTMATCH#')).toEqual([expect.objectContaining({ patientId: firstJourney?.patientId })]);
  });

  it('registers one patient when different submissions for the same new person arrive at once', async () => {
    // Prepare: five different visits for one person who is not registered yet
    const clinicId = 'clinic-race';
    const bodies = Array.from({ length: 5 }, (_, i) => validSubmissionBody({ visit: { reasonForVisit: `Reason ${i}` } }));

    // Act
    const responses = await Promise.all(bodies.map((body) => submit(clinicId, body)));

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(202));
    expect(new Set(responses.map((r) => r.body.journeyId)).size).toBe(5);
    const journeys = await Promise.all(responses.map((r) => get(keys.journey(clinicId, r.body.journeyId))));
    expect(new Set(journeys.map((j) => j?.patientId)).size).toBe(1);
    expect(await query(`CLINIC#${clinicId}`, 'PATIENTMATCH#')).toHaveLength(1);
  });

  it('answers 409 for an Idempotency-Key reused with another body, and the first journey for the same body', async () => {
    const clinicId = 'clinic-key';
    const headers = { 'idempotency-key': 'web-form-0001' };
    const first = await submit(clinicId, validSubmissionBody(), headers);

    const repeat = await submit(clinicId, validSubmissionBody(), headers);
    const reused = await submit(clinicId, validSubmissionBody({ visit: { reasonForVisit: 'Something else' } }), headers);

    expect(repeat).toEqual(first);
    expect(reused.status).toBe(409);
  });
});
