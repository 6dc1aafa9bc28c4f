import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { IntakeSubmissionSchema } from '#contract/api/submission-schema.ts';
import { submissionBodyHash } from '#functions/intake/intake-records.ts';
import { handler } from '#functions/intake/submit-intake.handler.ts';
import { keys } from '#shared/keys.ts';
import { apiEvent, lambdaContext } from '#test/support/api-event.ts';
import { validSubmissionBody } from '#test/support/fixtures/submission.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

const TABLE = process.env.TABLE_NAME;
const STATE_MACHINE = process.env.JOURNEY_STATE_MACHINE_ARN;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface TableState {
  /** The item under keys.submissionIdempotency, whatever the key. */
  idempotency?: Record<string, unknown>;
  matchedPatientId?: string;
  journeyStatus?: string;
}

/** Answers GetCommand by the kind of item asked for (the SK prefix), like the single table would. */
function givenTable(state: TableState | (() => TableState) = {}) {
  ddb.on(GetCommand).callsFake((input: { Key: { SK: string } }) => {
    const current = typeof state === 'function' ? state() : state;
    const sk = input.Key.SK;
    if (sk.startsWith('IDEMPOTENCY#')) return { Item: current.idempotency };
    if (sk.startsWith('PATIENTMATCH#')) return { Item: current.matchedPatientId ? { patientId: current.matchedPatientId } : undefined };
    if (sk === 'JOURNEY') return { Item: current.journeyStatus ? { status: current.journeyStatus } : undefined };
    return {};
  });
}

const submit = (body: unknown = validSubmissionBody(), headers: Record<string, string> = {}) =>
  handler(apiEvent({ body, headers }), lambdaContext);

const transactItems = (call = 0) => {
  const input = ddb.commandCalls(TransactWriteCommand)[call]?.args[0].input as TransactWriteCommandInput | undefined;
  return input?.TransactItems ?? [];
};

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

const storedEntry = (bodyHash: string) => ({
  submissionId: '11111111-1111-4111-8111-111111111111',
  journeyId: '22222222-2222-4222-8222-222222222222',
  bodyHash,
});

const hashOf = (body = validSubmissionBody()) => submissionBodyHash(IntakeSubmissionSchema.parse(body));

beforeEach(() => {
  ddb.reset();
  sfn.reset();
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
});

describe('Function: submitIntake (POST intake-submissions)', () => {
  it('registers a new patient, submission, journey and coverage in one transaction and starts the journey', async () => {
    // Prepare
    givenTable();

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    const body = JSON.parse(response.body);
    expect(body).toEqual({ submissionId: expect.stringMatching(UUID), journeyId: expect.stringMatching(UUID), status: 'RUNNING' });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const items = transactItems();
    expect(items.map((i) => i.Put?.Item?.type)).toEqual([
      'SubmissionIdempotency',
      'Submission',
      'Journey',
      'Patient',
      'PatientMatch',
      'Coverage',
      'AuditEvent',
      'AuditEvent',
      'AuditEvent',
    ]);
    expect(items.every((i) => i.Put?.TableName === TABLE)).toBe(true);
    expect(items[0]?.Put?.ConditionExpression).toContain('attribute_not_exists(PK)');
    expect(items[4]?.Put?.ConditionExpression).toBe('attribute_not_exists(PK)');
    const journey = items[2]?.Put?.Item;
    expect(journey).toMatchObject({ ...keys.journey('clinic-1', body.journeyId), submissionId: body.submissionId, status: 'RUNNING' });
    expect(journey?.stages.INTAKE.status).toBe('IN_PROGRESS');
    expect(items[3]?.Put?.Item).toMatchObject({ patientId: journey?.patientId, phone: '+12015550123' });
  });

  it('starts the execution named after the journey with IDs only as input', async () => {
    givenTable();

    const body = JSON.parse((await submit()).body);

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE,
      name: body.journeyId,
      input: JSON.stringify({ clinicId: 'clinic-1', journeyId: body.journeyId }),
    });
  });

  it('audits the patient registration, coverage and submission in the same transaction, with IDs only', async () => {
    givenTable();

    const body = JSON.parse((await submit()).body);

    const audits = transactItems()
      .map((i) => i.Put?.Item)
      .filter((item) => item?.type === 'AuditEvent');
    expect(audits.map((a) => a?.action)).toEqual(['patient.create', 'coverage.write', 'submission.create']);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(audits[0]).toMatchObject({ clinicId: 'clinic-1', actor: 'api-key:key-1', journeyId: body.journeyId, outcome: 'success' });
    expect(JSON.stringify(audits)).not.toMatch(/Maria|1985-04-12|W123456789/);
  });

  it('reuses a matched patient: updates contact details instead of creating a patient', async () => {
    givenTable({ matchedPatientId: 'patient-existing' });

    const response = await submit(validSubmissionBody({ contact: { phone: '201-555-0199' } }));

    expect(response.statusCode).toBe(202);
    const items = transactItems();
    expect(items.map((i) => (i.Put ? i.Put.Item?.type : 'Update'))).toEqual([
      'SubmissionIdempotency',
      'Submission',
      'Journey',
      'Update',
      'Coverage',
      'AuditEvent',
      'AuditEvent',
      'AuditEvent',
    ]);
    expect(items[3]?.Update).toMatchObject({
      Key: keys.patient('clinic-1', 'patient-existing'),
      ConditionExpression: 'attribute_exists(PK)',
    });
    expect(items[3]?.Update?.ExpressionAttributeValues).toMatchObject({ ':phone': '+12015550199' });
    expect(items[1]?.Put?.Item?.patientId).toBe('patient-existing');
    expect(items.slice(5).map((i) => i.Put?.Item?.action)).toEqual(['patient.match', 'coverage.write', 'submission.create']);
  });

  it('returns the first journey for a repeated body and starts its execution again while it is still RUNNING', async () => {
    // Prepare: the same body was accepted before; a crash may have come between the write and the start.
    const entry = storedEntry(hashOf());
    givenTable({ idempotency: entry, journeyStatus: 'RUNNING' });

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ submissionId: entry.submissionId, journeyId: entry.journeyId, status: 'RUNNING' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { name: entry.journeyId });
  });

  it.each(['WAITING_FOR_STAFF', 'COMPLETED', 'CANCELLED', 'FAILED'])(
    'returns the first journey for a repeated body, writing nothing and starting nothing, once the journey is %s',
    async (journeyStatus) => {
      // Prepare: the journey has got somewhere, so its execution exists (or existed and must not run again).
      const entry = storedEntry(hashOf());
      givenTable({ idempotency: entry, journeyStatus });

      // Act
      const response = await submit();

      // Assess
      expect(response.statusCode).toBe(202);
      expect(JSON.parse(response.body)).toEqual({ submissionId: entry.submissionId, journeyId: entry.journeyId, status: journeyStatus });
      expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    },
  );

  it('keys a body without Idempotency-Key by its normalised hash', async () => {
    givenTable();

    await submit(validSubmissionBody({ contact: { phone: '+1 (201) 555-0123' } }));

    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: keys.submissionIdempotency('clinic-1', `body:${hashOf()}`) });
  });

  it('treats an execution that already exists as started', async () => {
    givenTable({ idempotency: storedEntry(hashOf()) });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const response = await submit();

    expect(response.statusCode).toBe(202);
  });

  it('answers 503 with Retry-After when Step Functions throttles the start, so the client retries', async () => {
    // Prepare
    givenTable();
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('5');
  });

  it('answers 500 when the execution cannot be started for a reason that will not pass', async () => {
    // Prepare
    givenTable();
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client' }));

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe('{"message":"Internal server error"}');
  });

  it('uses the Idempotency-Key header as the key', async () => {
    givenTable();

    await submit(validSubmissionBody(), { 'idempotency-key': 'form-submit-0001' });

    expect(transactItems()[0]?.Put?.Item).toMatchObject({
      ...keys.submissionIdempotency('clinic-1', 'key:form-submit-0001'),
      bodyHash: hashOf(),
    });
  });

  it('answers 409 for an Idempotency-Key reused with a different body, and writes nothing', async () => {
    givenTable({ idempotency: storedEntry('another-body-hash') });

    const response = await submit(validSubmissionBody(), { 'idempotency-key': 'form-submit-0001' });

    expect(response.statusCode).toBe(409);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('returns the first journey for a repeat of its body however late it comes (the entry never expires)', async () => {
    // Prepare: an entry written long ago (entries carry no expiry).
    givenTable({ idempotency: { ...storedEntry(hashOf()), createdAt: '2024-01-02T03:04:05.000Z' } });

    // Act
    const body = JSON.parse((await submit()).body);

    // Assess
    expect(body.journeyId).toBe(storedEntry('').journeyId);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('returns the winner of a concurrent identical submission', async () => {
    // Prepare: the idempotency entry appears between the read and the transaction
    const entry = storedEntry(hashOf());
    let written = false;
    givenTable(() => (written ? { idempotency: entry } : {}));
    ddb.on(TransactWriteCommand).callsFake(() => {
      written = true;
      throw cancelled('ConditionalCheckFailed', 'None', 'None', 'None', 'None', 'None');
    });

    // Act
    const response = await submit();

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ submissionId: entry.submissionId, journeyId: entry.journeyId });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { name: entry.journeyId });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('uses the patient a concurrent submission registered first', async () => {
    // Prepare: another submission for the same new patient wins the match item
    let matched: string | undefined;
    givenTable(() => ({ matchedPatientId: matched }));
    ddb
      .on(TransactWriteCommand)
      .callsFakeOnce(() => {
        matched = 'patient-winner';
        throw cancelled('None', 'None', 'None', 'None', 'ConditionalCheckFailed', 'None');
      })
      .resolves({});

    // Act
    const response = await submit();

    // Assess
    expect(response.statusCode).toBe(202);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    expect(transactItems(1)[3]?.Update?.Key).toEqual(keys.patient('clinic-1', 'patient-winner'));
  });

  it('retries after a transaction conflict', async () => {
    givenTable();
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None', 'None', 'None', 'None', 'None'))
      .resolves({});

    const response = await submit();

    expect(response.statusCode).toBe(202);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
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
    givenTable();

    const response = await handler(event(), lambdaContext);

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/json');
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('lists every invalid field in the 400', async () => {
    const body = validSubmissionBody({ patient: { birthDate: '2999-01-01' }, consents: { treatment: false as never } });

    const response = await handler(apiEvent({ body }), lambdaContext);

    expect(JSON.parse(response.body)).toEqual({
      errors: [
        { path: 'patient.birthDate', message: 'must not be in the future' },
        { path: 'consents.treatment', message: 'must be accepted' },
      ],
    });
  });
});
