import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import type { EligibilityPort, EligibilityRequest, EligibilityResponse } from '#functions/eligibility/eligibility-port.ts';
import { dynamoEligibilityStore } from '#functions/eligibility/eligibility-store.ts';
import { fromStediResponse, type StediEligibilityResponse } from '#functions/eligibility/stedi-eligibility-adapter.ts';
import { makeVerifyEligibility } from '#functions/eligibility/verify-eligibility.handler.ts';
import type { VerifyEligibilityDeps } from '#functions/eligibility/verify-eligibility.ts';
import { answerEligibility, TEST_MEMBERS, TEST_PAYER } from '#local/clearinghouse-simulator/responses.ts';
import type { AppointmentType, ClinicCatalog } from '#model/clinic-catalog.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import type { InsuranceCoverage } from '#model/patient-records.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import type { CatalogStore } from '#shared/catalog-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditLines, auditRecords } from '#test/support/audit-trail.ts';
import { clinicProfile, patient } from '#test/support/fixtures/records.ts';
import { inMemoryTable } from '#test/support/in-memory-table.ts';

const clinicId = 'c-1';
const journeyId = 'j-1';
const patientId = 'p-1';
const submissionId = 's-1';
const ref = { clinicId, journeyId };
const now = new Date('2026-12-01T10:00:00.000Z');

const appointmentType = (code: string, serviceTypeCode: string, allowedAmountCents: number): AppointmentType => ({
  code,
  name: code,
  departmentId: 'dept',
  durationMinutes: 30,
  requires: ['provider'],
  serviceTypeCode,
  allowedAmountCents,
  requiresPhysicianOrder: false,
});
const catalog: ClinicCatalog = {
  profile: clinicProfile,
  locations: [],
  departments: [],
  resources: [],
  appointmentTypes: [appointmentType('OFFICE_VISIT', '98', 18_500), appointmentType('MRI_KNEE', '62', 120_000)],
};

function coverage(memberId: string, relationship: InsuranceCoverage['subscriber']['relationship'] = 'self'): InsuranceCoverage {
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
const tableRef = { client, tableName: 'table' };
/** The catalog store over a Query the in-memory table does not evaluate: the clinic's catalog, as loaded. */
const catalogStore: CatalogStore = {
  load: async (id) => (id === clinicId ? structuredClone(catalog) : undefined),
  put: async () => ({ calendarKept: false, hoursKept: [] }),
};
let table: ReturnType<typeof inMemoryTable>;
let deps: VerifyEligibilityDeps;

/** The journey, its submission and the patient as intake stored them; the coverage when a member ID is given. */
function given(
  options: {
    memberId?: string;
    appointmentTypeCode?: string;
    relationship?: InsuranceCoverage['subscriber']['relationship'];
    missing?: 'journey' | 'submission' | 'patient';
  } = {},
) {
  ddb.reset();
  table = inMemoryTable(ddb);
  if (options.missing !== 'journey') {
    table.seed(keys.journey(clinicId, journeyId), newJourneyRecord({ clinicId, journeyId, submissionId, patientId }, now));
  }
  if (options.missing !== 'submission') {
    table.seed(keys.submission(clinicId, submissionId), {
      type: 'Submission',
      clinicId,
      submissionId,
      journeyId,
      patientId,
      visit: { appointmentTypeCode: options.appointmentTypeCode ?? 'OFFICE_VISIT', preferences: {} },
    });
  }
  if (options.memberId) table.seed(keys.coverage(clinicId, patientId), coverage(options.memberId, options.relationship));
  if (options.missing !== 'patient') table.seed(keys.patient(clinicId, patientId), patient);
  deps = {
    journeys: dynamoJourneyStore(tableRef),
    submissions: dynamoSubmissionStore(tableRef),
    patients: dynamoPatientStore(tableRef),
    catalog: catalogStore,
    store: dynamoEligibilityStore(tableRef),
    audit: dynamoAuditLog(tableRef),
    eligibility: simulatorPort(),
    now: () => now,
  };
}

const verify = (port: EligibilityPort = deps.eligibility) => makeVerifyEligibility({ ...deps, eligibility: port })(ref, lambdaContext);
const storedJourney = () => table.get(keys.journey(clinicId, journeyId)) as unknown as JourneyRecord;
const eligibilityItem = () => table.get(keys.eligibility(clinicId, journeyId));
const audits = () => auditLines(table.audits());

describe('Function: verifyEligibility', () => {
  beforeEach(() => given({ memberId: TEST_MEMBERS.activeCopay }));

  it('returns ACTIVE and completes the stage with the copay due', async () => {
    // Act
    const result = await verify();

    // Assess
    expect(result).toEqual({ outcome: 'ACTIVE' });
    const journey = storedJourney();
    expect(journey.stages.ELIGIBILITY).toEqual({ status: 'COMPLETED', at: now.toISOString() });
    expect(journey.amounts.dueCents).toBe(2500);
    expect(journey.updatedAt).toBe(now.toISOString());
  });

  it('does not ask the payer again when a replayed run finds the stage verified, and leaves the estimate as it was', async () => {
    // Prepare: verified once (copay 25.00); the payer would now answer differently.
    await verify();
    const before = storedJourney();
    const port = simulatorPort();
    table.seed(keys.coverage(clinicId, patientId), coverage(TEST_MEMBERS.inactive));

    // Act
    const result = await verify(port);

    // Assess
    expect(result).toEqual({ outcome: 'ACTIVE' });
    expect(port.requests).toEqual([]);
    expect(storedJourney().amounts).toEqual(before.amounts);
    expect(storedJourney().stages.ELIGIBILITY).toEqual(before.stages.ELIGIBILITY);
  });

  it('asks the payer about the appointment type for the clinic and the subscriber', async () => {
    // Prepare
    const port = simulatorPort();

    // Act
    await verify(port);

    // Assess: the patient holds the policy, so the subscriber is the patient, as the patient record has them.
    expect(port.requests[0]).toEqual({
      controlNumber: expect.stringMatching(/^\d{9}$/),
      payer: { id: TEST_PAYER.id, name: TEST_PAYER.name },
      provider: { npi: clinicProfile.npi, organizationName: clinicProfile.organizationName },
      subscriber: {
        memberId: TEST_MEMBERS.activeCopay,
        firstName: patient.firstName,
        lastName: patient.lastName,
        birthDate: patient.birthDate,
      },
      serviceTypeCode: '98',
    });
  });

  it("names the policy holder as the patient record has them now, not as the coverage's stored copy (a correction reaches the next check)", async () => {
    // Prepare: the coverage still carries the name and birth date given at intake; staff have corrected the patient since.
    table.seed(keys.coverage(clinicId, patientId), {
      ...coverage(TEST_MEMBERS.activeCopay),
      subscriber: { relationship: 'self', firstName: 'Old', lastName: 'Oldname', birthDate: '1900-01-01' },
    });
    table.seed(keys.patient(clinicId, patientId), { ...patient, firstName: 'Jordana', lastName: 'Quintero-Ruiz', birthDate: '1984-07-19' });
    const port = simulatorPort();

    // Act
    await verify(port);

    // Assess
    expect(port.requests).toHaveLength(1);
    expect(port.requests[0]?.subscriber).toEqual({
      memberId: TEST_MEMBERS.activeCopay,
      firstName: 'Jordana',
      lastName: 'Quintero-Ruiz',
      birthDate: '1984-07-19',
    });
    expect(port.requests[0]).not.toHaveProperty('dependent');
    expect(JSON.stringify(port.requests[0])).not.toMatch(/Old|1900/);
  });

  it('sends the same control number when the journey is checked again (a staff RETRY reopened the stage)', async () => {
    // Prepare
    const port = simulatorPort();

    // Act
    await verify(port);
    table.seed(keys.journey(clinicId, journeyId), {
      ...storedJourney(),
      stages: { ...storedJourney().stages, ELIGIBILITY: { status: 'IN_PROGRESS', at: now.toISOString(), reason: 'Retried by staff.' } },
    });
    await verify(port);

    // Assess
    expect(port.requests).toHaveLength(2);
    expect(port.requests[1]?.controlNumber).toBe(port.requests[0]?.controlNumber);
  });

  it('stores the summary without the member ID or any name', async () => {
    // Act
    await verify();

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
    expect(JSON.stringify(item)).not.toMatch(/SIM-COPAY|Maria|Garcia|1985|Jordan|Quintero|1984/);
  });

  it('reads the appointment type and preferred location alone from the submission and the name and birth date alone from the patient, and audits the three reads', async () => {
    // Prepare
    const read = vi.spyOn(deps.submissions, 'read');
    const readPatient = vi.spyOn(deps.patients, 'read');

    // Act
    await verify();

    // Assess
    expect(read).toHaveBeenCalledWith(
      expect.objectContaining({ clinicId, submissionId, journeyId, patientId }),
      expect.objectContaining({ subject: expect.objectContaining({ actor: 'function:verifyEligibility', patientId }) }),
      ['visit.appointmentTypeCode', 'visit.preferences.locationId'],
    );
    expect(readPatient).toHaveBeenCalledWith(
      expect.objectContaining({ clinicId, journeyId, patientId }),
      expect.objectContaining({ subject: expect.objectContaining({ actor: 'function:verifyEligibility', patientId }) }),
      ['firstName', 'lastName', 'birthDate'],
    );
    // One record of the three reads, written before the first.
    expect(audits()).toEqual(['submission.read+coverage.read+patient.read:success']);
    expect(auditRecords(table.audits())[0]).toMatchObject({ actor: 'function:verifyEligibility', journeyId, patientId });
  });

  it('completes an MRI that needs prior authorization (scheduling opens the case), with its estimate', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeDeductible, appointmentTypeCode: 'MRI_KNEE' });

    // Act
    const result = await verify();

    // Assess
    expect(result).toEqual({ outcome: 'ACTIVE' });
    const journey = storedJourney();
    expect(journey.stages.ELIGIBILITY).toMatchObject({ status: 'COMPLETED' });
    expect(journey.amounts.dueCents).toBe(64_000);
  });

  it('parks an inactive plan for staff without an amount due', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.inactive });

    // Act
    const result = await verify();

    // Assess
    expect(result).toEqual({ outcome: 'INACTIVE' });
    const journey = storedJourney();
    expect(journey.stages.ELIGIBILITY).toMatchObject({ status: 'WAITING_FOR_STAFF' });
    expect(journey.amounts).not.toHaveProperty('dueCents');
  });

  it('returns MEMBER_NOT_FOUND for an unknown subscriber', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.notFound });

    // Act
    const result = await verify();

    // Assess
    expect(result).toEqual({ outcome: 'MEMBER_NOT_FOUND' });
  });

  it('sends a dependent patient with their own name and birth date alone, auditing the read', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, relationship: 'child' });
    const port = simulatorPort();
    const readPatient = vi.spyOn(deps.patients, 'read');

    // Act
    await verify(port);

    // Assess
    expect(readPatient).toHaveBeenCalledWith(
      expect.objectContaining({ clinicId, journeyId, patientId }),
      expect.objectContaining({ subject: expect.objectContaining({ actor: 'function:verifyEligibility', patientId }) }),
      ['firstName', 'lastName', 'birthDate'],
    );
    expect(port.requests[0]?.dependent).toEqual({
      firstName: patient.firstName,
      lastName: patient.lastName,
      birthDate: patient.birthDate,
      relationship: 'child',
    });
    expect(audits()).toEqual(['submission.read+coverage.read+patient.read:success']);
  });

  it('fails, auditing the failed read, when a dependent patient does not exist', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, relationship: 'child', missing: 'patient' });
    const port = simulatorPort();

    // Act
    const verifying = verify(port);

    // Assess
    await expect(verifying).rejects.toThrow(`Patient ${patientId} of journey ${journeyId} not found`);
    expect(audits()).toEqual(['submission.read+coverage.read+patient.read:success', 'patient.read:failure']);
    expect(port.requests).toHaveLength(0);
  });

  it('parks a patient with no insurance on file without asking the payer', async () => {
    // Prepare
    given({});
    const port = simulatorPort();

    // Act
    const result = await verify(port);

    // Assess
    expect(result).toEqual({ outcome: 'NEEDS_REVIEW' });
    expect(port.requests).toHaveLength(0);
    expect(eligibilityItem()?.summary).toMatchObject({ reason: expect.stringMatching(/No insurance/) });
    expect(audits()).toContain('coverage.read:failure');
  });

  it('parks an appointment type missing from the catalog without asking the payer', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, appointmentTypeCode: 'RETIRED_TYPE' });
    const port = simulatorPort();

    // Act
    const result = await verify(port);

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
    const stageBefore = storedJourney().stages.ELIGIBILITY;

    // Act
    const verifying = verify(port);

    // Assess
    await expect(verifying).rejects.toMatchObject({ name: 'ClearinghouseUnavailable' });
    expect(eligibilityItem()).toBeUndefined();
    expect(storedJourney().stages.ELIGIBILITY).toEqual(stageBefore);
  });

  it('fails without reading the coverage or the patient when the submission does not exist, auditing the failed read', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, missing: 'submission' });
    const readCoverage = vi.spyOn(deps.store, 'getCoverage');
    const readPatient = vi.spyOn(deps.patients, 'read');

    // Act
    const verifying = verify();

    // Assess
    await expect(verifying).rejects.toThrow(`Submission ${submissionId} of journey ${journeyId} not found`);
    expect(audits()).toEqual(['submission.read+coverage.read+patient.read:success', 'submission.read:failure']);
    expect(readCoverage).not.toHaveBeenCalled();
    expect(readPatient).not.toHaveBeenCalled();
  });

  it('throws JourneyNotFound, asking nobody, when the journey does not exist', async () => {
    // Prepare
    given({ memberId: TEST_MEMBERS.activeCopay, missing: 'journey' });
    const port = simulatorPort();

    // Act
    const verifying = verify(port);

    // Assess
    await expect(verifying).rejects.toMatchObject({ name: 'JourneyNotFound', message: expect.stringContaining('not found') });
    expect(port.requests).toHaveLength(0);
    expect(audits()).toEqual([]);
  });

  it('throws StaleAttempt when a newer attempt claimed the journey before the result was written', async () => {
    // Prepare: while the payer answers, another attempt claims the journey.
    const simulator = simulatorPort();
    const port: EligibilityPort = {
      check: async (request) => {
        table.change(keys.journey(clinicId, journeyId), (journey) => {
          journey.attempt = Number(journey.attempt) + 1;
        });
        return simulator.check(request);
      },
    };

    // Act
    const verifying = verify(port);

    // Assess
    await expect(verifying).rejects.toMatchObject({ name: 'StaleAttempt' });
    expect(storedJourney().stages.ELIGIBILITY.status).not.toBe('COMPLETED');
  });

  it('rejects an input that is not a journey reference, asking nobody', async () => {
    // Prepare
    const port = simulatorPort();

    // Act
    const verifying = makeVerifyEligibility({ ...deps, eligibility: port })({ clinicId, journeyId: '../j-1' }, lambdaContext);

    // Assess
    await expect(verifying).rejects.toMatchObject({ name: 'ZodError' });
    expect(port.requests).toHaveLength(0);
  });
});
