import { describe, expect, it } from 'vitest';
import { coordinateCoverage } from '#functions/eligibility/coordinate-coverage.ts';
import type { EligibilityRequest, EligibilityResponse } from '#functions/eligibility/eligibility-port.ts';
import { buildEligibilityRequest } from '#functions/eligibility/prepare-eligibility-check.ts';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import type { InsuranceCoverage } from '#model/patient-records.ts';

const type = demoClinicCatalog.appointmentTypes.find((t) => t.code === 'PRIMARY_CARE_NEW');
if (!type) throw new Error('demo type missing');
const patient = { firstName: 'Ana', lastName: 'Quintero', birthDate: '1961-02-02' };
const coverage: InsuranceCoverage = {
  type: 'Coverage',
  clinicId: 'c1',
  patientId: 'p1',
  payerId: '60054',
  payerName: 'Aetna',
  memberId: 'W1',
  groupNumber: 'GRP-AETNA',
  subscriber: { relationship: 'self', ...patient },
  planType: 'commercial',
  secondary: {
    payerId: '87726',
    payerName: 'UHC',
    memberId: 'U1',
    subscriber: { relationship: 'spouse', firstName: 'Luis', lastName: 'Quintero', birthDate: '1960-05-05' },
    planType: 'commercial',
  },
  updatedAt: '2026-12-01T00:00:00.000Z',
};
const active = (copayCents: number): EligibilityResponse => ({
  planStatus: [],
  errors: [],
  benefitsInformation: [
    { code: '1', serviceTypeCodes: ['30'] },
    { code: 'B', serviceTypeCodes: ['98'], amountCents: copayCents, inPlanNetworkIndicatorCode: 'Y' },
  ],
});
const inactive: EligibilityResponse = { planStatus: [], errors: [], benefitsInformation: [{ code: '6', serviceTypeCodes: ['30'] }] };
const notFound: EligibilityResponse = { planStatus: [], errors: [{ code: '75' }], benefitsInformation: [] };

/** A clearinghouse answering by payer, remembering what it was asked. */
function payers(answers: Record<string, EligibilityResponse>) {
  const asked: EligibilityRequest[] = [];
  return {
    asked,
    port: {
      check: async (request: EligibilityRequest) => {
        asked.push(request);
        const answer = answers[request.payer.id];
        if (!answer) throw new Error(`no answer for ${request.payer.id}`);
        return answer;
      },
    },
  };
}

const run = (port: ReturnType<typeof payers>['port'], onFile: InsuranceCoverage = coverage) =>
  coordinateCoverage(port, {
    journeyId: 'j1',
    appointmentTypeCode: type.code,
    catalog: demoClinicCatalog,
    appointmentType: type,
    coverage: onFile,
    patient,
    request: buildEligibilityRequest(
      { journeyId: 'j1', appointmentTypeCode: type.code, catalog: demoClinicCatalog, coverage: onFile, patient },
      type,
    ),
  });

describe('Coordination of two plans at a check', () => {
  it("asks the second plan's payer about its own policy: its member, its holder, none of the first plan's group", async () => {
    // Act
    const { asked, port } = payers({ '60054': active(2500), '87726': active(1000) });
    const checked = await run(port);

    // Assess
    expect(asked[1]).toMatchObject({
      payer: { id: '87726' },
      subscriber: { memberId: 'U1', lastName: 'Quintero', firstName: 'Luis' },
      dependent: { relationship: 'spouse' },
    });
    expect(asked[1]?.subscriber).not.toHaveProperty('groupNumber');
    expect(asked[1]?.controlNumber).not.toBe(asked[0]?.controlNumber);
    expect(checked).toMatchObject({ payerId: '60054', chargeAhead: false, coordination: { secondaryActive: true } });
  });

  it('bills the other plan when the one given first is inactive', async () => {
    const { port } = payers({ '60054': inactive, '87726': active(1000) });
    const checked = await run(port);
    expect(checked).toMatchObject({ payerId: '87726', summary: { outcome: 'ACTIVE', copayCents: 1000 }, chargeAhead: true });
    expect(checked.coordination?.basis).toContain('inactive');
  });

  it('asks a person, charging nothing, when the second plan cannot be verified', async () => {
    const { port } = payers({ '60054': active(2500), '87726': notFound });
    const checked = await run(port);
    expect(checked).toMatchObject({ payerId: '60054', chargeAhead: false, summary: { outcome: 'NEEDS_REVIEW' } });
    expect(checked.coordination?.review).toContain('could not be verified');
  });

  it('asks a person, charging nothing, when the rules need one (Medicare and another plan, no MSP answers)', async () => {
    const { port } = payers({ '60054': active(2500), '87726': active(1000) });
    const checked = await run(port, { ...coverage, planType: 'medicare' });
    expect(checked).toMatchObject({ chargeAhead: false, summary: { outcome: 'NEEDS_REVIEW' } });
  });

  it('does not question the second plan on file when the first payer lists it as other coverage', async () => {
    // Prepare: the first payer names UHC (87726) as other coverage, order unsaid.
    const listed: EligibilityResponse = {
      ...active(2500),
      benefitsInformation: [
        ...active(2500).benefitsInformation,
        { code: 'R', serviceTypeCodes: ['30'], relatedEntities: [{ entityIdentifier: 'PR', name: 'UHC', identifier: '87726' }] },
      ],
    };
    const { port } = payers({ '60054': listed, '87726': active(1000) });

    // Act
    const checked = await run(port);

    // Assess
    expect(checked.summary.outcome).toBe('ACTIVE');
    expect(checked.summary.benefits?.uncertain).toEqual([]);
  });

  it('asks a person, and still reads the first plan, when the second payer does not answer at all', async () => {
    const port = {
      check: async (request: EligibilityRequest) => {
        if (request.payer.id === '87726') throw Object.assign(new Error('down'), { name: 'ClearinghouseUnavailable' });
        return active(2500);
      },
    };
    const checked = await run(port);
    expect(checked).toMatchObject({ payerId: '60054', chargeAhead: false, summary: { outcome: 'NEEDS_REVIEW' } });
    expect(checked.coordination?.review).toContain('ClearinghouseUnavailable');
  });

  it('bills the active plan when the one the rules put first has ended (Medicaid given first, an ended employer plan second)', async () => {
    const medicaidFirst: InsuranceCoverage = {
      ...coverage,
      planType: 'medicaid',
      secondary: { ...(coverage.secondary as NonNullable<InsuranceCoverage['secondary']>), planType: 'commercial' },
    };
    const { port } = payers({ '60054': active(0), '87726': inactive });
    const checked = await run(port, medicaidFirst);
    expect(checked).toMatchObject({ payerId: '60054', summary: { outcome: 'ACTIVE' }, coordination: { primaryPayerId: '60054' } });
  });
});
