import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EligibilityResult, JourneyRef } from '#contract/journey-workflow.ts';
import { dynamoEligibilityStore } from '#functions/eligibility/eligibility-store.ts';
import { createStediEligibilityAdapter } from '#functions/eligibility/stedi-eligibility-adapter.ts';
import { makeVerifyEligibility } from '#functions/eligibility/verify-eligibility.handler.ts';
import {
  type ClearinghouseSimulator,
  startClearinghouseSimulator,
  TEST_MEMBERS,
  TEST_PAYER,
} from '#local/clearinghouse-simulator/server.ts';
import { freePort } from '#local/ports.ts';
import type { AppointmentType } from '#model/clinic-catalog.ts';
import { newJourneyRecord } from '#model/journey.ts';
import type { CoverageRecord, InsuranceCoverage, PatientRecord, SubmissionRecord } from '#model/patient-records.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { eligibilityCheckOf } from '#shared/eligibility-check-store.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditLines } from '#test/support/audit-trail.ts';
import { clinicProfile, medicareSecondaryPayerAnswers, patient as patientFixture } from '#test/support/fixtures/records.ts';
import { localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-eligibility';
const now = new Date('2026-12-01T10:00:00.000Z');
const mri: AppointmentType = {
  code: 'MRI_KNEE',
  name: 'MRI knee',
  departmentId: 'radiology',
  durationMinutes: 60,
  requires: ['provider', 'device'],
  serviceTypeCode: '62',
  allowedAmountCents: 120_000,
  requiresPhysicianOrder: true,
};
const officeVisit: AppointmentType = {
  ...mri,
  code: 'OFFICE_VISIT',
  name: 'Office visit',
  requires: ['provider'],
  serviceTypeCode: '98',
  allowedAmountCents: 18_500,
};

let table: TableRef;
let simulator: ClearinghouseSimulator;
let verify: (ref: JourneyRef) => Promise<EligibilityResult>;

async function put(item: Record<string, unknown>) {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

/** A journey whose patient (registered as intake stores them) holds the given member ID and asked for the given appointment type. */
async function seedJourney(memberId: string, appointmentTypeCode: string, other: Partial<InsuranceCoverage> = {}) {
  const journeyId = randomUUID();
  const patientId = `patient-${journeyId}`;
  const submissionId = `submission-${journeyId}`;
  await put({ ...keys.journey(clinicId, journeyId), ...newJourneyRecord({ clinicId, journeyId, submissionId, patientId }, now) });
  const patient: PatientRecord = { ...patientFixture, clinicId, patientId };
  await put({ ...keys.patient(clinicId, patientId), ...patient });
  const submission: SubmissionRecord = {
    type: 'Submission',
    clinicId,
    submissionId,
    journeyId,
    patientId,
    receivedAt: now.toISOString(),
    source: 'web-form',
    visit: { appointmentTypeCode, preferences: {} },
    consents: { treatment: true, privacyNotice: true, financialResponsibility: true },
  };
  await put({ ...keys.submission(clinicId, submissionId), ...submission });
  const coverage: CoverageRecord = {
    type: 'Coverage',
    clinicId,
    patientId,
    payerId: TEST_PAYER.id,
    payerName: TEST_PAYER.name,
    memberId,
    subscriber: { relationship: 'self', firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' },
    ...other,
    updatedAt: now.toISOString(),
  };
  await put({ ...keys.coverage(clinicId, patientId), ...coverage });
  return { clinicId, journeyId };
}

beforeAll(async () => {
  table = await localTable('eligibility');
  await dynamoCatalogStore(table).put({
    profile: { ...clinicProfile, clinicId, name: 'Eligibility Clinic', organizationName: 'Eligibility Clinic LLC' },
    locations: [],
    departments: [],
    resources: [],
    appointmentTypes: [mri, officeVisit],
    // The payer's contracted rate for an office visit, below the clinic's own $185.
    payerRates: [{ payerId: '60054', appointmentTypeCode: 'OFFICE_VISIT', allowedAmountCents: 15_000 }],
  });

  simulator = await startClearinghouseSimulator({ port: await freePort(), apiKey: 'key' });
  const handler = makeVerifyEligibility({
    journeys: dynamoJourneyStore(table),
    submissions: dynamoSubmissionStore(table),
    patients: dynamoPatientStore(table),
    catalog: dynamoCatalogStore(table),
    store: dynamoEligibilityStore(table),
    audit: dynamoAuditLog(table),
    eligibility: createStediEligibilityAdapter({ baseUrl: simulator.url, apiKey: 'key' }),
    now: () => now,
  });
  verify = (ref) => handler(ref, lambdaContext);
});

afterAll(async () => {
  await simulator.stop();
});

describe('Function: verifyEligibility on DynamoDB Local and the clearinghouse simulator', () => {
  it('throws ClearinghouseUnavailable while the payer is busy, then completes the stage on the retry', async () => {
    // Prepare
    const ref = await seedJourney(TEST_MEMBERS.payerBusyOnce, officeVisit.code);

    // Act
    await expect(verify(ref)).rejects.toMatchObject({ name: 'ClearinghouseUnavailable' });
    const retried = await verify(ref);

    // Assess
    expect(retried).toEqual({ outcome: 'ACTIVE' });
    const journey = await dynamoJourneyStore(table).get(ref);
    expect(journey?.stages.ELIGIBILITY).toMatchObject({ status: 'COMPLETED' });
    expect(journey?.amounts.dueCents).toBe(2500);
    expect(await dynamoEligibilityStore(table).getCheck(ref)).toMatchObject({
      summary: { outcome: 'ACTIVE', copayCents: 2500 },
      dueCents: 2500,
    });
  });

  it('records an MRI needing prior authorization as active, the requirement and the estimate kept for scheduling', async () => {
    // Prepare
    const ref = await seedJourney(TEST_MEMBERS.activeDeductible, mri.code);

    // Act
    const result = await verify(ref);

    // Assess
    expect(result).toEqual({ outcome: 'ACTIVE' });
    const journey = await dynamoJourneyStore(table).get(ref);
    expect(journey?.stages.ELIGIBILITY).toMatchObject({ status: 'COMPLETED' });
    expect(journey?.amounts.dueCents).toBe(64_000);
    expect(await eligibilityCheckOf(table, ref)).toMatchObject({ payerId: '60054', summary: { priorAuthorizationRequired: true } });
  });

  it("estimates from the payer's contracted rate, and records the working staff see", async () => {
    // Prepare
    const visit = await seedJourney(TEST_MEMBERS.activeDeductible, officeVisit.code);
    const scan = await seedJourney(TEST_MEMBERS.activeDeductible, mri.code);

    // Act
    await verify(visit);
    await verify(scan);

    // Assess: $500 of deductible left covers the whole $150 contracted visit; the MRI has no rate, so the clinic's $1,200.
    expect(await eligibilityCheckOf(table, visit)).toMatchObject({
      dueCents: 15_000,
      estimate: {
        allowedAmountCents: 15_000,
        allowedAmountFrom: 'payer-rate',
        lines: [
          { term: 'deductible', cents: 15_000, detail: '$500.00 of the deductible left' },
          { term: 'coinsurance', cents: 0, detail: '20% of $0.00' },
        ],
        dueCents: 15_000,
      },
    });
    expect((await eligibilityCheckOf(table, scan))?.estimate).toMatchObject({
      allowedAmountCents: 120_000,
      allowedAmountFrom: 'clinic',
      lines: [
        { term: 'deductible', cents: 50_000 },
        { term: 'coinsurance', cents: 14_000, detail: '20% of $700.00' },
      ],
      dueCents: 64_000,
    });
  });

  describe('two plans on file', () => {
    const employerPlan = {
      payerId: '87726',
      payerName: 'UnitedHealthcare',
      memberId: TEST_MEMBERS.activeDeductible,
      subscriber: { relationship: 'self' as const, firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' },
      planType: 'commercial' as const,
    };
    const msp = medicareSecondaryPayerAnswers;

    it("checks both; a working patient's employer plan pays before Medicare, and nothing is charged ahead", async () => {
      // Prepare: Medicare on file first, the employer's group plan (20-99 employees, still working) second.
      const ref = await seedJourney(TEST_MEMBERS.activeCopay, officeVisit.code, {
        planType: 'medicare',
        secondary: employerPlan,
        medicareSecondaryPayer: { ...msp, employerGroupHealthPlan: { currentEmployment: true, employerSize: '20-99' } },
      });

      // Act
      const result = await verify(ref);

      // Assess: two inquiries, the employer plan's reading is the journey's, and no estimate is charged ahead.
      expect(result).toEqual({ outcome: 'ACTIVE' });
      const check = await eligibilityCheckOf(table, ref);
      expect(check).toMatchObject({
        payerId: '87726',
        summary: { outcome: 'ACTIVE', coinsurancePercent: 20, reason: expect.stringContaining('A second plan (payer 60054) may pay part') },
        coordination: {
          primaryPayerId: '87726',
          secondaryPayerId: '60054',
          basis: expect.stringContaining('group plan of an employer of 20 or more'),
          secondaryOutcome: 'ACTIVE',
          secondaryActive: true,
        },
      });
      expect(check).not.toHaveProperty('dueCents');
      expect((await dynamoJourneyStore(table).get(ref))?.amounts).not.toHaveProperty('dueCents');
    });

    it('asks a person when Medicare and another plan are on file but the MSP questions were not answered', async () => {
      // Prepare
      const ref = await seedJourney(TEST_MEMBERS.activeCopay, officeVisit.code, { planType: 'medicare', secondary: employerPlan });

      // Act
      const result = await verify(ref);

      // Assess
      expect(result).toEqual({ outcome: 'NEEDS_REVIEW' });
      expect((await dynamoJourneyStore(table).get(ref))?.stages.ELIGIBILITY).toMatchObject({
        status: 'WAITING_FOR_STAFF',
        reason: expect.stringContaining('Ask the Medicare Secondary Payer questions'),
      });
      // Nothing is charged while a person orders the plans, not even on a PROCEED.
      expect(await eligibilityCheckOf(table, ref)).not.toHaveProperty('dueCents');
      expect((await dynamoJourneyStore(table).get(ref))?.amounts).not.toHaveProperty('dueCents');
    });

    it("bills workers' compensation first for a work injury, whatever plans are on file", async () => {
      // Prepare
      const ref = await seedJourney(TEST_MEMBERS.activeCopay, officeVisit.code, {
        planType: 'medicare',
        medicareSecondaryPayer: { ...msp, workRelatedInjury: true },
      });

      // Act
      const result = await verify(ref);

      // Assess
      expect(result).toEqual({ outcome: 'NEEDS_REVIEW' });
      expect(await eligibilityCheckOf(table, ref)).toMatchObject({
        coordination: { primaryPayerId: '60054', review: "Medicare is secondary to workers' compensation: bill that payer first." },
      });
    });
  });

  it('keeps one eligibility item per journey when the check repeats, and audits each submission, coverage and patient read', async () => {
    // Prepare
    const ref = await seedJourney(TEST_MEMBERS.inactive, officeVisit.code);

    // Act
    await verify(ref);
    const again = await verify(ref);

    // Assess
    expect(again).toEqual({ outcome: 'INACTIVE' });
    const { Items: partition = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.journey(clinicId, ref.journeyId).PK },
      }),
    );
    expect(partition.map((i) => i.SK).sort()).toEqual(['ELIGIBILITY', 'JOURNEY']);
    const { Items: audits = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        FilterExpression: 'journeyId = :journeyId',
        ExpressionAttributeValues: { ':pk': keys.audit(clinicId, now.toISOString().slice(0, 10), '').PK, ':journeyId': ref.journeyId },
      }),
    );
    // One record per check, of the three reads.
    expect(auditLines(audits)).toEqual([
      'submission.read+coverage.read+patient.read:success',
      'submission.read+coverage.read+patient.read:success',
    ]);
  });
});
