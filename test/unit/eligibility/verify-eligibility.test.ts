import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import type { EligibilityPort, EligibilityRequest, EligibilityResponse } from '#functions/eligibility/eligibility-port.ts';
import { fromStediResponse, type StediEligibilityResponse } from '#functions/eligibility/stedi-eligibility-adapter.ts';
import { answerEligibility, TEST_MEMBERS, TEST_PAYER } from '#local/clearinghouse-simulator/responses.ts';
import type { AppointmentType, ClinicProfile } from '#model/clinic-catalog.ts';
import { newJourneyRecord } from '#model/journey.ts';
import type { CoverageRecord } from '#model/patient-records.ts';
import { CATALOG_ITEM_TYPES } from '#shared/catalog-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { keys } from '#shared/keys.ts';

// The handler module builds the real adapter at import; give it the configuration a deployment would.
vi.hoisted(() => {
  process.env.CLEARINGHOUSE_BASE_URL ??= 'http://127.0.0.1:9';
  process.env.CLEARINGHOUSE_API_KEY ??= 'unit-test-key';
});
const { makeHandler } = await import('#functions/eligibility/verify-eligibility.handler.ts');

const clinicId = 'clinic-1';
const journeyId = 'journey-1';
const patientId = 'patient-1';
const submissionId = 'submission-1';
const now = new Date('2026-12-01T10:00:00.000Z');

const profile: ClinicProfile = {
  clinicId,
  name: 'Demo Clinic',
  npi: '1234567893',
  organizationName: 'Demo Clinic LLC',
  replyToEmail: 'desk@demo.example',
  phone: '+16175550100',
};
const appointmentType = (code: string, serviceTypeCode: string, allowedAmountCents: number): AppointmentType => ({
  code,
  name: code,
  departmentId: 'dept',
  durationMinutes: 30,
  requires: ['provider'],
  serviceTypeCode,
  allowedAmountCents,
  mayNeedPriorAuthorization: serviceTypeCode === '62',
  requiresPhysicianOrder: false,
});

function coverage(memberId: string, relationship: CoverageRecord['subscriber']['relationship'] = 'self'): CoverageRecord {
  return {
    type: 'Coverage',
    clinicId,
    patientId,
    payerId: TEST_PAYER.id,
    payerName: TEST_PAYER.name,
    memberId,
    subscriber: { relationship, firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' },
    updatedAt: now.toISOString(),
  };
}

/** A port answering like the simulator, remembering each request. */
function simulatorPort(): EligibilityPort & { requests: EligibilityRequest[] } {
  const requests: EligibilityRequest[] = [];
  return {
    requests,
    async check(request) {
      requests.push(request);
      const reply = answerEligibility(
        {
          controlNumber: request.controlNumber,
          tradingPartnerServiceId: request.payer.id,
          provider: request.provider,
          subscriber: { memberId: request.subscriber.memberId },
          encounter: { serviceTypeCodes: [request.serviceTypeCode] },
        },
        { busyAnswered: new Set() },
      );
      return fromStediResponse(reply.body as StediEligibilityResponse) satisfies EligibilityResponse;
    },
  };
}

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const table = { client, tableName: 'table' };

function given(
  options: { memberId?: string; appointmentTypeCode?: string; relationship?: CoverageRecord['subscriber']['relationship'] } = {},
) {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: keys.submission(clinicId, submissionId) }).resolves({
    Item: { visit: { appointmentTypeCode: options.appointmentTypeCode ?? 'OFFICE_VISIT' } },
  });
  if (options.memberId) {
    ddb.on(GetCommand, { Key: keys.coverage(clinicId, patientId) }).resolves({ Item: coverage(options.memberId, options.relationship) });
  }
  ddb
    .on(GetCommand, { Key: keys.patient(clinicId, patientId) })
    .resolves({ Item: { firstName: 'Ana', lastName: 'Garcia', birthDate: '2015-06-01' } });
  ddb.on(QueryCommand).resolves({
    Items: [
      { ...keys.clinic(clinicId), type: CATALOG_ITEM_TYPES.profile, ...profile },
      {
        ...keys.appointmentType(clinicId, 'OFFICE_VISIT'),
        type: CATALOG_ITEM_TYPES.appointmentType,
        ...appointmentType('OFFICE_VISIT', '98', 18_500),
      },
      {
        ...keys.appointmentType(clinicId, 'MRI_KNEE'),
        type: CATALOG_ITEM_TYPES.appointmentType,
        ...appointmentType('MRI_KNEE', '62', 120_000),
      },
    ],
  });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  // The task's claim of the journey (beginAttempt) returns the journey as of the claim.
  ddb.on(UpdateCommand, { Key: keys.journey(clinicId, journeyId), UpdateExpression: 'ADD attempt :one' }).resolves({
    Attributes: {
      ...keys.journey(clinicId, journeyId),
      ...newJourneyRecord({ clinicId, journeyId, submissionId, patientId }, now),
      attempt: 1,
    },
  });
}

const putItems = () => ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, unknown>);
const eligibilityItem = () => putItems().find((i) => i.SK === 'ELIGIBILITY');
/** The stage writes (updateStage), leaving out the claim. */
const stageUpdates = () =>
  ddb.commandCalls(UpdateCommand).flatMap((c) => (c.args[0].input.ConditionExpression === '#attempt = :attempt' ? [c.args[0].input] : []));
const auditActions = () => putItems().flatMap((i) => (i.type === 'AuditEvent' ? [i.action] : []));

describe('Function: verifyEligibility', () => {
  beforeEach(() => given({ memberId: TEST_MEMBERS.activeCopay }));

  it('returns ACTIVE and completes the stage with the copay due', async () => {
    // Prepare
    const port = simulatorPort();

    // Act
    const result = await makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    expect(result).toEqual({ outcome: 'ACTIVE' });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: keys.journey(clinicId, journeyId),
      ConditionExpression: '#attempt = :attempt',
      ExpressionAttributeNames: { '#stage': 'ELIGIBILITY', '#attempt': 'attempt' },
      ExpressionAttributeValues: {
        ':stage': { status: 'COMPLETED', at: now.toISOString() },
        ':at': now.toISOString(),
        ':dueCents': 2500,
        ':attempt': 1,
      },
    });
  });

  it('asks the payer about the appointment type for the clinic and the subscriber', async () => {
    // Prepare
    const port = simulatorPort();

    // Act
    await makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    expect(port.requests[0]).toEqual({
      controlNumber: expect.stringMatching(/^\d{9}$/),
      payer: { id: TEST_PAYER.id, name: TEST_PAYER.name },
      provider: { npi: profile.npi, organizationName: profile.organizationName },
      subscriber: { memberId: TEST_MEMBERS.activeCopay, firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' },
      serviceTypeCode: '98',
    });
  });

  it('sends the same control number when the journey is checked again', async () => {
    // Prepare
    const port = simulatorPort();
    const handler = makeHandler({ table, eligibility: port, now: () => now });

    // Act
    await handler({ clinicId, journeyId });
    await handler({ clinicId, journeyId });

    // Assess
    expect(port.requests).toHaveLength(2);
    expect(port.requests[1]?.controlNumber).toBe(port.requests[0]?.controlNumber);
  });

  it('stores the summary without the member ID or any name', async () => {
    // Act
    await makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    const item = eligibilityItem();
    expect(item).toMatchObject({
      ...keys.eligibility(clinicId, journeyId),
      type: 'EligibilityCheck',
      appointmentTypeCode: 'OFFICE_VISIT',
      serviceTypeCode: '98',
      payerId: TEST_PAYER.id,
      dueCents: 2500,
      checkedAt: now.toISOString(),
      summary: { outcome: 'ACTIVE', copayCents: 2500 },
    });
    expect(JSON.stringify(item)).not.toMatch(/SIM-COPAY|Maria|Garcia|1985/);
  });

  it('reads the appointment type alone from the submission, and audits it and the coverage read', async () => {
    // Act
    await makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    expect(auditActions()).toEqual(['submission.read', 'coverage.read']);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        type: 'AuditEvent',
        action: 'submission.read',
        actor: 'function:verifyEligibility',
        journeyId,
        patientId,
        outcome: 'success',
      }),
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: keys.submission(clinicId, submissionId),
      ProjectionExpression: '#SK, #visit.#appointmentTypeCode',
      ExpressionAttributeNames: { '#SK': 'SK', '#visit': 'visit', '#appointmentTypeCode': 'appointmentTypeCode' },
    });
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: keys.patient(clinicId, patientId) });
  });

  it('parks an MRI that needs prior authorization for staff but keeps the estimate', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeDeductible, appointmentTypeCode: 'MRI_KNEE' });

    // Act
    const result = await makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    expect(result).toEqual({ outcome: 'NEEDS_REVIEW' });
    const [update, ...more] = stageUpdates();
    expect(more).toEqual([]);
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ':stage': { status: 'WAITING_FOR_STAFF', reason: expect.stringMatching(/prior authorization/) },
      ':dueCents': 64_000,
    });
  });

  it('parks an inactive plan for staff without an amount due', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.inactive });

    // Act
    const result = await makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    expect(result).toEqual({ outcome: 'INACTIVE' });
    const [update, ...more] = stageUpdates();
    expect(more).toEqual([]);
    expect(update?.ExpressionAttributeValues?.[':stage']).toMatchObject({ status: 'WAITING_FOR_STAFF' });
    expect(update?.ExpressionAttributeValues).not.toHaveProperty(':dueCents');
  });

  it('returns MEMBER_NOT_FOUND for an unknown subscriber', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.notFound });

    // Act
    const result = await makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    expect(result).toEqual({ outcome: 'MEMBER_NOT_FOUND' });
  });

  it('sends a dependent patient with their own name and birth date, read by projection', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, relationship: 'child' });
    const port = simulatorPort();

    // Act
    await makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    expect(port.requests[0]?.dependent).toEqual({ firstName: 'Ana', lastName: 'Garcia', birthDate: '2015-06-01', relationship: 'child' });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: keys.patient(clinicId, patientId),
      ProjectionExpression: 'firstName, lastName, birthDate',
    });
    expect(auditActions()).toEqual(['submission.read', 'coverage.read', 'patient.read']);
  });

  it('parks a patient with no insurance on file without asking the payer', async () => {
    // Prepare
    given({});
    const port = simulatorPort();

    // Act
    const result = await makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    expect(result).toEqual({ outcome: 'NEEDS_REVIEW' });
    expect(port.requests).toHaveLength(0);
    expect(eligibilityItem()?.summary).toMatchObject({ reason: expect.stringMatching(/No insurance/) });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'coverage.read', outcome: 'failure' }) });
  });

  it('parks an appointment type missing from the catalog without asking the payer', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, appointmentTypeCode: 'RETIRED_TYPE' });
    const port = simulatorPort();

    // Act
    const result = await makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    expect(result).toEqual({ outcome: 'NEEDS_REVIEW' });
    expect(port.requests).toHaveLength(0);
    expect(eligibilityItem()?.summary).toMatchObject({ reason: expect.stringMatching(/RETIRED_TYPE is not in the clinic catalog/) });
  });

  it('lets a clearinghouse outage propagate for the workflow to retry, recording nothing', async () => {
    // Prepare
    const port: EligibilityPort = {
      check: async () => {
        throw new TransientDependencyError(TRANSIENT_ERRORS.clearinghouseUnavailable, 'Payer unable to respond (AAA 42)');
      },
    };

    // Act
    const outcome = makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ClearinghouseUnavailable' });
    expect(eligibilityItem()).toBeUndefined();
    expect(stageUpdates()).toEqual([]);
  });

  it('fails without reading the coverage when the submission does not exist, auditing the failed read', async () => {
    // Prepare
    ddb.on(GetCommand, { Key: keys.submission(clinicId, submissionId) }).resolves({});

    // Act
    const verifying = makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    await expect(verifying).rejects.toThrow(`Submission ${submissionId} of journey ${journeyId} not found`);
    expect(auditActions()).toEqual(['submission.read']);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ action: 'submission.read', outcome: 'failure' }) });
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: keys.coverage(clinicId, patientId) });
  });

  it('throws JourneyNotFound, asking nobody, when the journey does not exist', async () => {
    // Prepare: the claim's condition (attribute_exists(PK)) fails.
    ddb
      .on(UpdateCommand, { Key: keys.journey(clinicId, journeyId), UpdateExpression: 'ADD attempt :one' })
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    const port = simulatorPort();

    // Act
    const verifying = makeHandler({ table, eligibility: port, now: () => now })({ clinicId, journeyId });

    // Assess
    await expect(verifying).rejects.toMatchObject({ name: 'JourneyNotFound', message: expect.stringContaining('not found') });
    expect(port.requests).toHaveLength(0);
    expect(auditActions()).toEqual([]);
  });

  it('throws StaleAttempt when a newer attempt claimed the journey before the result was written', async () => {
    // Prepare: the stage write's fence (#attempt = :attempt) fails.
    ddb
      .on(UpdateCommand, { Key: keys.journey(clinicId, journeyId), ConditionExpression: '#attempt = :attempt' })
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));

    // Act
    const verifying = makeHandler({ table, eligibility: simulatorPort(), now: () => now })({ clinicId, journeyId });

    // Assess
    await expect(verifying).rejects.toMatchObject({ name: 'StaleAttempt' });
  });
});
