import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IntakeSubmissionSchema } from '#contract/api/submission-schema.ts';
import type { JourneyRef } from '#contract/journey-workflow.ts';
import { submissionBodyHash, submissionIdOf } from '#functions/intake/intake-records.ts';
import { dynamoIntakeStore, type IntakeStore, type IntakeWrite } from '#functions/intake/intake-store.ts';
import type { JourneyStarter } from '#functions/intake/journey-starter-port.ts';
import { makeSubmitIntake } from '#functions/intake/submit-intake.handler.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { patientMatchHash } from '#model/patient-match.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { apiEvent, lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { medicareSecondaryPayerAnswers } from '#test/support/fixtures/records.ts';
import { validSubmissionBody } from '#test/support/fixtures/submission.ts';
import { TEST_IDENTITY_KEY, testIdentityKey } from '#test/support/identity-key.ts';
import { inMemoryTable, transactionCancelled } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const tableRef = { client, tableName: 't' };
const now = new Date('2026-11-27T10:00:00.000Z');
let table: ReturnType<typeof inMemoryTable>;
let workflow: ReturnType<typeof fakeWorkflow>;
let intakes: IntakeStore;
let sleeps: number[];

/** Journey executions started in memory; `failWith` makes every start fail as Step Functions would. */
function fakeWorkflow() {
  const started: JourneyRef[] = [];
  let failure: Error | undefined;
  const port: JourneyStarter = {
    async start(ref) {
      if (failure) throw failure;
      started.push(ref);
    },
  };
  return { port, started, failWith: (error: Error) => (failure = error) };
}

const handler = () =>
  makeSubmitIntake({
    intakes,
    journeys: dynamoJourneyStore(tableRef),
    workflow: workflow.port,
    now: () => now,
    newId: randomUUID,
    sleep: async (ms) => void sleeps.push(ms),
    identityKey: testIdentityKey,
    patients: dynamoPatientStore(tableRef),
    audit: dynamoAuditLog(tableRef),
  });
const submit = async (body: unknown = validSubmissionBody(), headers: Record<string, string> = {}) =>
  handler()(apiEvent({ body, headers }), lambdaContext);

const parsed = (body = validSubmissionBody()) => IntakeSubmissionSchema.parse(body);
const hashOf = (body = validSubmissionBody()) => submissionBodyHash(parsed(body));
const journeyOf = (journeyId: string) => table.get(keys.journey('clinic-1', journeyId)) as JourneyRecord | undefined;
/** What the intake handed its store to write (every attempt). */
const writes = () => vi.mocked(intakes.writeIntake).mock.calls.map(([write]) => write as IntakeWrite);

const firstEntry = {
  submissionId: '11111111-1111-4111-8111-111111111111',
  journeyId: '22222222-2222-4222-8222-222222222222',
};
/** The submission an idempotency key claims (keyed by the ID the key derives). */
const submissionKeyOf = (idempotencyKey: string) =>
  keys.submission('clinic-1', submissionIdOf('clinic-1', idempotencyKey, TEST_IDENTITY_KEY));
/** An earlier submission under the key, IDs and body hash as intake stored them (and its journey, when it has a status). */
function givenEarlierSubmission(idempotencyKey: string, bodyHash: string, journeyStatus?: JourneyRecord['status'], extra: object = {}) {
  table.seed(submissionKeyOf(idempotencyKey), {
    type: 'Submission',
    clinicId: 'clinic-1',
    ...firstEntry,
    patientId: 'patient-1',
    bodyHash,
    receivedAt: now.toISOString(),
    ...extra,
  });
  if (journeyStatus) {
    const journey = newJourneyRecord({ clinicId: 'clinic-1', ...firstEntry, patientId: 'patient-1' }, now);
    table.seed(keys.journey('clinic-1', firstEntry.journeyId), { ...journey, status: journeyStatus });
  }
}
/** A registered patient, matched by name and birth date. */
function givenPatient(patientId: string) {
  table.seed(keys.patient('clinic-1', patientId), {
    type: 'Patient',
    patientId,
    firstName: 'Maria',
    lastName: 'García',
    phone: '+12015550123',
    updatedAt: '2026-11-01T00:00:00.000Z',
  });
  table.seed(keys.patientMatch('clinic-1', patientMatchHash(parsed().patient, TEST_IDENTITY_KEY)), { type: 'PatientMatch', patientId });
}

beforeEach(() => {
  ddb.reset();
  table = inMemoryTable(ddb);
  workflow = fakeWorkflow();
  intakes = dynamoIntakeStore(tableRef);
  vi.spyOn(intakes, 'writeIntake');
  sleeps = [];
});

describe('Function: submitIntake (POST intake-submissions)', () => {
  it('registers a new patient, submission, journey and coverage in one transaction and starts the journey', async () => {
    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body);
    expect(body).toEqual({ submissionId: expect.any(String), journeyId: expect.any(String), status: 'RUNNING' });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const journey = journeyOf(body.journeyId);
    expect(journey).toMatchObject({ submissionId: body.submissionId, status: 'RUNNING', stages: { INTAKE: { status: 'IN_PROGRESS' } } });
    const patientId = String(journey?.patientId);
    expect(table.get(keys.patient('clinic-1', patientId))).toMatchObject({ type: 'Patient', phone: '+12015550123' });
    expect(table.get(keys.patientMatch('clinic-1', patientMatchHash(parsed().patient, TEST_IDENTITY_KEY)))).toMatchObject({ patientId });
    expect(table.get(keys.coverage('clinic-1', patientId))).toMatchObject({ type: 'Coverage', memberId: 'W123456789' });
    expect(table.get(keys.submission('clinic-1', body.submissionId))).toMatchObject({ type: 'Submission', patientId });
    expect(workflow.started).toEqual([{ clinicId: 'clinic-1', journeyId: body.journeyId }]);
  });

  it('keeps a second plan and the Medicare Secondary Payer answers with the coverage', async () => {
    // Prepare
    const msp = {
      ...medicareSecondaryPayerAnswers,
      employerGroupHealthPlan: { currentEmployment: true, employerSize: '20-99' },
    };
    const body = validSubmissionBody();
    const withSecond = {
      ...body,
      insurance: { ...body.insurance, planType: 'commercial' },
      secondaryInsurance: {
        payerId: 'CMSMA',
        payerName: 'Medicare',
        memberId: '1EG4-TE5-MK73',
        subscriber: { relationship: 'self' },
        planType: 'medicare',
      },
      medicareSecondaryPayer: msp,
    };

    // Act
    const response = await submit(withSecond);
    const refused = await submit({ ...body, medicareSecondaryPayer: msp }, { 'idempotency-key': randomUUID() });

    // Assess
    expect(response.statusCode).toBe(202);
    const patientId = String(journeyOf(JSON.parse(response.body).journeyId)?.patientId);
    expect(table.get(keys.coverage('clinic-1', patientId))).toMatchObject({
      planType: 'commercial',
      secondary: {
        payerId: 'CMSMA',
        memberId: '1EG4-TE5-MK73',
        planType: 'medicare',
        subscriber: { relationship: 'self', lastName: body.patient.lastName },
      },
      medicareSecondaryPayer: msp,
    });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).errors).toEqual([expect.objectContaining({ path: 'medicareSecondaryPayer' })]);
  });

  it('audits the patient registration, coverage and submission in the same transaction, with IDs only', async () => {
    // Act
    const body = JSON.parse((await submit()).body);

    // Assess
    // One record of the three writes, with the route they came through.
    const audit = writes()[0]?.audit;
    expect(audit).toEqual({
      clinicId: 'clinic-1',
      actor: 'api-key:key-1',
      patientId: journeyOf(body.journeyId)?.patientId,
      journeyId: body.journeyId,
      actions: ['patient.create', 'coverage.write', 'submission.create'],
      outcome: 'success',
      via: 'POST /v1/clinics/{clinicId}/intake-submissions',
    });
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.filter((item) => String(item.Put?.Item?.PK).includes('#AUDIT#'))).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toMatch(/Maria|1985-04-12|W123456789/);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('reuses a matched patient whose details agree: updates what may change instead of creating a patient', async () => {
    // Prepare
    givenPatient('patient-existing');

    // Act: the same phone, text messages no more
    const response = await submit(validSubmissionBody({ contact: { communication: { email: true, sms: false } } }));

    // Assess
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body);
    expect(table.get(keys.patient('clinic-1', 'patient-existing'))).toMatchObject({ firstName: 'Maria', communication: { sms: false } });
    expect(table.get(keys.submission('clinic-1', body.submissionId))).toMatchObject({ patientId: 'patient-existing' });
    expect(journeyOf(body.journeyId)).toMatchObject({ patientId: 'patient-existing' });
    expect(writes()[0]?.audit.actions).toEqual(['patient.match', 'coverage.write', 'submission.create']);
  });

  it('registers apart a match whose phone disagrees, reading the stored details under an audit record first', async () => {
    // Prepare
    givenPatient('patient-existing');

    // Act
    const response = await submit(validSubmissionBody({ contact: { phone: '201-555-0199' } }));

    // Assess
    const body = JSON.parse(response.body);
    const journey = journeyOf(body.journeyId);
    expect(response.statusCode).toBe(202);
    expect(journey?.patientId).not.toBe('patient-existing');
    expect(table.get(keys.patient('clinic-1', 'patient-existing'))).toMatchObject({ phone: '+12015550123' });
    expect(table.get(keys.submission('clinic-1', body.submissionId))).toMatchObject({
      possibleDuplicateOf: 'patient-existing',
      duplicateFields: ['phone'],
    });
    expect(writes()[0]?.audit.actions).toEqual(['patient.create', 'coverage.write', 'submission.create']);
    expect(auditRecords(table.audits())).toContainEqual(
      expect.objectContaining({ actions: ['patient.read', 'coverage.read'], patientId: 'patient-existing', journeyId: body.journeyId }),
    );
  });

  it('returns the first journey for a repeated body and starts its execution again while it is still RUNNING', async () => {
    // Prepare: the same body was accepted before; a crash may have come between the write and the start.
    givenEarlierSubmission(`body:${hashOf()}`, hashOf(), 'RUNNING');

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ ...firstEntry, status: 'RUNNING' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(workflow.started).toEqual([{ clinicId: 'clinic-1', journeyId: firstEntry.journeyId }]);
  });

  it.each(['WAITING_FOR_STAFF', 'COMPLETED', 'CANCELLED', 'FAILED'] as const)(
    'returns the first journey for a repeated body, writing nothing and starting nothing, once the journey is %s',
    async (journeyStatus) => {
      // Prepare: the journey has got somewhere, so its execution exists (or existed and must not run again).
      givenEarlierSubmission(`body:${hashOf()}`, hashOf(), journeyStatus);

      // Act
      const response = await submit();

      // Assess
      expect(response.statusCode).toBe(202);
      expect(JSON.parse(response.body)).toEqual({ ...firstEntry, status: journeyStatus });
      expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
      expect(workflow.started).toEqual([]);
    },
  );

  it('keys a body without Idempotency-Key by its normalised hash', async () => {
    // Act
    const body = JSON.parse((await submit(validSubmissionBody({ contact: { phone: '+1 (201) 555-0123' } }))).body);

    // Assess
    expect(body.submissionId).toBe(submissionIdOf('clinic-1', `body:${hashOf()}`, TEST_IDENTITY_KEY));
    expect(table.get(submissionKeyOf(`body:${hashOf()}`))).toMatchObject({
      submissionId: body.submissionId,
      journeyId: body.journeyId,
      bodyHash: hashOf(),
    });
    // The claim is the submission itself, which never expires; no separate idempotency entry is written.
    expect(table.get(submissionKeyOf(`body:${hashOf()}`))).not.toHaveProperty('expiresAt');
    expect(table.items().filter((item) => String(item.SK).startsWith('IDEMPOTENCY#'))).toEqual([]);
  });

  it('answers 503 with Retry-After when Step Functions throttles the start, so the client retries', async () => {
    // Prepare
    workflow.failWith(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('5');
  });

  it('answers 500 when the execution cannot be started for a reason that will not pass', async () => {
    // Prepare
    workflow.failWith(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client' }));

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe('{"message":"Internal server error"}');
  });

  it('uses the Idempotency-Key header as the key', async () => {
    // Act
    await submit(validSubmissionBody(), { 'idempotency-key': 'form-submit-0001' });

    // Assess
    expect(table.get(submissionKeyOf('key:form-submit-0001'))).toMatchObject({ bodyHash: hashOf() });
    expect(table.get(submissionKeyOf(`body:${hashOf()}`))).toBeUndefined();
  });

  it('answers 409 for an Idempotency-Key reused with a different body, and writes nothing', async () => {
    // Prepare
    givenEarlierSubmission('key:form-submit-0001', 'another-body-hash');

    // Act
    const response = await submit(validSubmissionBody(), { 'idempotency-key': 'form-submit-0001' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(workflow.started).toEqual([]);
  });

  it('returns the first journey for a repeat of its body however late it comes (the entry never expires)', async () => {
    // Prepare: a submission received long ago (submissions carry no expiry).
    givenEarlierSubmission(`body:${hashOf()}`, hashOf(), undefined, { receivedAt: '2024-01-02T03:04:05.000Z' });

    // Act
    const body = JSON.parse((await submit()).body);

    // Assess
    expect(body.journeyId).toBe(firstEntry.journeyId);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('returns the winner of a concurrent identical submission without waiting', async () => {
    // Prepare: the key's submission appears between the read and the transaction
    table.beforeNext('TransactWrite', () => givenEarlierSubmission(`body:${hashOf()}`, hashOf()));

    // Act
    const response = await submit();

    // Assess
    expect(JSON.parse(response.body)).toMatchObject(firstEntry);
    expect(workflow.started).toEqual([{ clinicId: 'clinic-1', journeyId: firstEntry.journeyId }]);
    expect(sleeps).toEqual([]);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('uses the patient a concurrent submission registered first', async () => {
    // Prepare: another submission for the same new patient wins the match item
    table.beforeNext('TransactWrite', () => givenPatient('patient-winner'));

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    expect(journeyOf(JSON.parse(response.body).journeyId)).toMatchObject({ patientId: 'patient-winner' });
  });

  it('waits and retries after a transaction conflict', async () => {
    // Prepare
    table.beforeNext('TransactWrite', () => {
      throw transactionCancelled(['TransactionConflict', 'None', 'None', 'None', 'None', 'None']);
    });

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    expect(sleeps).toHaveLength(1);
  });

  it.each([
    ['an invalid body', () => apiEvent({ body: validSubmissionBody({ patient: { birthDate: '2999-01-01' } }) }), 400],
    ['malformed JSON', () => apiEvent({ body: '{"patient":' }), 400],
    ['a bad Idempotency-Key', () => apiEvent({ body: validSubmissionBody(), headers: { 'idempotency-key': 'bad key' } }), 400],
    ['a form-encoded body', () => apiEvent({ body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415],
    ['a body over 64 KiB', () => apiEvent({ body: { ...validSubmissionBody(), padding: 'x'.repeat(70_000) } }), 413],
    [
      'a key for another clinic',
      () => apiEvent({ body: validSubmissionBody(), authorizer: { clinicId: 'clinic-2', keyId: 'key-1' } }),
      403,
    ],
  ])('answers %s with %i and touches nothing', async (_label, event, status) => {
    // Act
    const response = await handler()(event(), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/json');
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(workflow.started).toEqual([]);
  });

  it('lists every invalid field in the 400', async () => {
    // Prepare
    const body = validSubmissionBody({ patient: { birthDate: '2999-01-01' }, consents: { treatment: false as never } });

    // Act
    const response = await submit(body);

    // Assess
    expect(JSON.parse(response.body)).toEqual({
      errors: [
        { path: 'patient.birthDate', message: 'must not be in the future' },
        { path: 'consents.treatment', message: 'must be accepted' },
      ],
    });
  });
});
