import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeGetJourney } from '#functions/journey/get-journey.handler.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoEligibilityChecks } from '#shared/eligibility-check-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { apiEvent, lambdaContext } from '#test/support/api-event.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';
import { journeyWithAppointment } from '#test/support/fixtures/records.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ddb = mockClient(client);
const tableRef = { client, tableName: 't' };
const now = new Date('2026-12-01T10:00:00Z');
const getJourney = makeGetJourney({
  journeys: dynamoJourneyStore(tableRef),
  audit: dynamoAuditLog(tableRef),
  eligibilityChecks: dynamoEligibilityChecks(tableRef),
  now: () => now,
});
let table: ReturnType<typeof inMemoryTable>;

function request(pathClinic: string, authorizedClinic: string, journeyId = 'j-1') {
  const event = apiEvent({
    routeKey: 'GET /v1/clinics/{clinicId}/journeys/{journeyId}',
    pathParameters: { clinicId: pathClinic, journeyId },
    authorizer: { clinicId: authorizedClinic, keyId: 'k1' },
  });
  return getJourney(event, lambdaContext);
}

describe('Function: getJourney, the coverage terms', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
    table.seed(keys.journey('c-1', 'j-1'), journeyWithAppointment());
  });

  it("shows the last check's terms for the visit, never the payer's own words", async () => {
    table.seed(keys.eligibility('c-1', 'j-1'), {
      type: 'EligibilityCheck',
      clinicId: 'c-1',
      journeyId: 'j-1',
      appointmentTypeCode: 'PRIMARY_CARE_NEW',
      serviceTypeCode: '98',
      checkedAt: '2026-12-01T09:00:00.000Z',
      summary: {
        outcome: 'NEEDS_REVIEW',
        serviceTypeCode: '98',
        coverageActive: true,
        priorAuthorizationRequired: false,
        copayCents: 2500,
        reason: 'x',
        benefits: {
          status: 'ACTIVE',
          serviceTypeCode: '98',
          network: 'IN',
          notCovered: false,
          priorAuthorization: 'UNKNOWN',
          otherPayers: [],
          payerMessages: ['MEMBER HAS DIABETES PROGRAM'],
          uncertain: ['x'],
        },
      },
    });

    const response = await request('c-1', 'c-1');

    const body = JSON.parse(response.body ?? '{}');
    expect(body.coverage).toEqual({
      status: 'ACTIVE',
      network: 'IN',
      copayCents: 2500,
      priorAuthorization: 'UNKNOWN',
      needsReview: true,
      checkedAt: '2026-12-01T09:00:00.000Z',
    });
    expect(response.body).not.toContain('DIABETES');
  });
});

describe('Function: getJourney', () => {
  beforeEach(() => {
    ddb.reset();
    table = inMemoryTable(ddb);
    table.seed(keys.journey('c-1', 'j-1'), journeyWithAppointment());
  });

  it('returns the journey view and leaves an audit record', async () => {
    // Act
    const response = await request('c-1', 'c-1');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ journeyId: 'j-1', status: 'RUNNING', appointment: { appointmentId: 'appt-123' } });
    expect(auditRecords(table.audits())).toEqual([
      expect.objectContaining({ actions: ['journey.read'], actor: 'api-key:k1', journeyId: 'j-1', patientId: 'p-1', outcome: 'success' }),
    ]);
  });

  it('answers 404 for a journey the clinic does not have, auditing nothing', async () => {
    // Act
    const response = await request('c-1', 'c-1', 'other');

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: 'Journey not found' });
    expect(table.audits()).toEqual([]);
  });

  it('answers 403 when the authorized clinic is not the one in the path', async () => {
    // Act
    const response = await request('c-1', 'c-2');

    // Assess
    expect(response.statusCode).toBe(403);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it.each(BAD_PATH_IDS)('answers 400 for a journey ID with %s without reading the table', async (_case, journeyId) => {
    // Act
    const response = await request('c-1', 'c-1', journeyId);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ errors: [{ path: 'path.journeyId', message: expect.any(String) }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 400 for an over-long clinic ID, even one the authorizer context repeats, without reading the table', async () => {
    // Prepare
    const clinicId = 'c'.repeat(2100);

    // Act
    const response = await request(clinicId, clinicId);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([{ path: 'path.clinicId', message: expect.any(String) }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 503 with Retry-After when DynamoDB is unreachable', async () => {
    // Prepare
    table.beforeNext('Get', () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    });

    // Act
    const response = await request('c-1', 'c-1');

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).not.toContain('ECONNREFUSED');
  });
});
