import { describe, expect, it } from 'vitest';
import type { BenefitEntry, EligibilityResponse } from '#functions/eligibility/eligibility-port.ts';
import { interpretEligibility, signableEstimate } from '#functions/eligibility/interpret-eligibility.ts';

/** A $185 visit at the clinic's own allowed amount. */
const clinicAmount = { cents: 18_500, from: 'clinic' as const };

import { fromStediResponse, type StediEligibilityResponse } from '#functions/eligibility/stedi-eligibility-adapter.ts';
import { answerEligibility, TEST_MEMBERS, TEST_PAYER } from '#local/clearinghouse-simulator/responses.ts';

/** The simulator's answer for a member, as the adapter hands it to the domain. */
function simulated(memberId: string, serviceTypeCode: string): EligibilityResponse {
  const reply = answerEligibility(
    {
      controlNumber: '123456789',
      tradingPartnerServiceId: TEST_PAYER.id,
      provider: { npi: '1234567893', organizationName: 'Demo Clinic' },
      subscriber: { memberId, firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '19850412' },
      encounter: { serviceTypeCodes: [serviceTypeCode] },
    },
    { busyAnswered: new Set() },
  );
  return fromStediResponse(reply.body as StediEligibilityResponse);
}

function response(benefitsInformation: BenefitEntry[], extra: Partial<EligibilityResponse> = {}): EligibilityResponse {
  return { planStatus: [], benefitsInformation, errors: [], ...extra };
}

const activePlan: BenefitEntry = { code: '1', serviceTypeCodes: ['30'] };

describe('Function: interpretEligibility', () => {
  describe('with the simulator test members', () => {
    it.each(
      [TEST_MEMBERS.activeCopay, TEST_MEMBERS.activeDeductible].flatMap((member) =>
        ['98', '30', 'PT', '62'].map((stc) => [member, stc] as const),
      ),
    )('reads %s asked about %s as active and decided, in network and out', (member, stc) => {
      for (const network of ['IN', 'OUT'] as const) {
        const summary = interpretEligibility(simulated(member, stc), { serviceTypeCode: stc, network });
        expect(summary.outcome, `${network}: ${summary.reason}`).toBe('ACTIVE');
        expect(summary.benefits?.uncertain).toEqual([]);
      }
    });

    it('reads the $25 in-network copay of an active plan', () => {
      // Act
      const summary = interpretEligibility(simulated(TEST_MEMBERS.activeCopay, '98'), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({
        outcome: 'ACTIVE',
        coverageActive: true,
        copayCents: 2500,
        deductibleRemainingCents: 0,
        inNetwork: true,
        priorAuthorizationRequired: false,
      });
    });

    it('reads the remaining individual deductible and 20% co-insurance for an office visit', () => {
      // Act
      const summary = interpretEligibility(simulated(TEST_MEMBERS.activeDeductible, '98'), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'ACTIVE', deductibleRemainingCents: 50_000, coinsurancePercent: 20, inNetwork: true });
      expect(summary.copayCents).toBeUndefined();
    });

    it('reads an MRI the payer wants authorized as active, with the requirement flagged for scheduling', () => {
      // Act
      const summary = interpretEligibility(simulated(TEST_MEMBERS.activeDeductible, '62'), { serviceTypeCode: '62' });

      // Assess
      expect(summary).toMatchObject({
        outcome: 'ACTIVE',
        coverageActive: true,
        priorAuthorizationRequired: true,
        deductibleRemainingCents: 50_000,
        coinsurancePercent: 20,
      });
      expect(summary.reason).toMatch(/prior authorization/);
    });

    it('reports an inactive plan as INACTIVE', () => {
      // Act
      const summary = interpretEligibility(simulated(TEST_MEMBERS.inactive, '98'), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'INACTIVE', coverageActive: false });
    });

    it('reports AAA 75 as MEMBER_NOT_FOUND with a reason that names no member ID or person', () => {
      // Act
      const summary = interpretEligibility(simulated(TEST_MEMBERS.notFound, '98'), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'MEMBER_NOT_FOUND', payerRejectionCode: '75', coverageActive: false });
      expect(summary.reason).not.toMatch(/SIM-|Maria|Garcia|1985/);
    });

    it('asks for review if a "payer busy" rejection ever reaches it', () => {
      // Act
      const summary = interpretEligibility(simulated(TEST_MEMBERS.payerBusyOnce, '98'), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'NEEDS_REVIEW', payerRejectionCode: '42' });
    });
  });

  describe('edge cases', () => {
    it('prefers lines for the requested service type over plan-level lines', () => {
      // Prepare
      const lines: BenefitEntry[] = [
        activePlan,
        { code: 'B', serviceTypeCodes: ['30'], amountCents: 1500, inPlanNetworkIndicatorCode: 'Y' },
        { code: 'B', serviceTypeCodes: ['98', 'UC'], amountCents: 2500, inPlanNetworkIndicatorCode: 'Y' },
      ];

      // Act
      const summary = interpretEligibility(response(lines), { serviceTypeCode: '98' });

      // Assess
      expect(summary.copayCents).toBe(2500);
    });

    it('falls back to plan-level cost sharing when none is given for the service type', () => {
      // Prepare
      const lines: BenefitEntry[] = [activePlan, { code: 'B', serviceTypeCodes: ['30'], amountCents: 4000 }];

      // Act
      const summary = interpretEligibility(response(lines), { serviceTypeCode: 'PT' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'ACTIVE', copayCents: 4000, benefits: { answeredUnder: '30' } });
      // The clinic's network status is the catalog's (in network unless it says otherwise), not guessed from the lines.
      expect(summary.inNetwork).toBe(true);
    });

    it('uses the smaller of the individual and family deductible remaining', () => {
      // Prepare
      const lines: BenefitEntry[] = [
        activePlan,
        { code: 'C', serviceTypeCodes: ['30'], amountCents: 150_000, timeQualifierCode: '23', coverageLevelCode: 'IND' },
        { code: 'C', serviceTypeCodes: ['30'], amountCents: 80_000, timeQualifierCode: '29', coverageLevelCode: 'IND' },
        { code: 'C', serviceTypeCodes: ['30'], amountCents: 30_000, timeQualifierCode: '29', coverageLevelCode: 'FAM' },
      ];

      // Act
      const summary = interpretEligibility(response(lines), { serviceTypeCode: '98' });

      // Assess
      expect(summary.deductibleRemainingCents).toBe(30_000);
    });

    it('never quotes out-of-network terms for an in-network visit: with only those, staff decide', () => {
      // Prepare
      const lines: BenefitEntry[] = [
        activePlan,
        { code: 'A', serviceTypeCodes: ['98'], percent: 40, inPlanNetworkIndicatorCode: 'N' },
        { code: 'C', serviceTypeCodes: ['30'], amountCents: 300_000, timeQualifierCode: '29', inPlanNetworkIndicatorCode: 'N' },
      ];

      // Act
      const inNetworkVisit = interpretEligibility(response(lines), { serviceTypeCode: '98' });
      const outOfNetworkVisit = interpretEligibility(response(lines), { serviceTypeCode: '98', network: 'OUT' });

      // Assess
      expect(inNetworkVisit).toMatchObject({ outcome: 'NEEDS_REVIEW', inNetwork: true });
      expect(inNetworkVisit.coinsurancePercent).toBeUndefined();
      expect(outOfNetworkVisit).toMatchObject({ outcome: 'ACTIVE', coinsurancePercent: 40, inNetwork: false });
    });

    it('reads the deprecated planStatus when there are no status lines', () => {
      // Prepare
      const planStatus = [{ statusCode: '1', serviceTypeCodes: ['30', '98'] }];

      // Act
      const summary = interpretEligibility(response([], { planStatus }), { serviceTypeCode: '98' });

      // Assess: active (with nothing said of what the patient owes, which a person asks)
      expect(summary).toMatchObject({ coverageActive: true, benefits: { status: 'ACTIVE' } });
      expect(summary.benefits?.uncertain).toEqual([
        'The payer gives no copay or coinsurance for this service: what the patient owes is not known.',
      ]);
    });

    it('asks for review when the response has no coverage status', () => {
      // Act
      const summary = interpretEligibility(response([{ code: 'B', serviceTypeCodes: ['98'], amountCents: 2500 }]), {
        serviceTypeCode: '98',
      });

      // Assess
      expect(summary).toMatchObject({ outcome: 'NEEDS_REVIEW', coverageActive: false });
    });

    it('asks for review when the payer reports both active and inactive coverage for the service', () => {
      // Act
      const summary = interpretEligibility(
        response([
          { code: '1', serviceTypeCodes: ['98'] },
          { code: '6', serviceTypeCodes: ['98'] },
        ]),
        { serviceTypeCode: '98' },
      );

      // Assess
      expect(summary.outcome).toBe('NEEDS_REVIEW');
    });

    it('asks for review when an active plan lists the service as not covered', () => {
      // Act
      const summary = interpretEligibility(response([activePlan, { code: 'I', serviceTypeCodes: ['PT'] }]), { serviceTypeCode: 'PT' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'NEEDS_REVIEW', coverageActive: true });
      expect(summary.reason).toMatch(/not covered/);
    });

    it('reports an invalid member ID (AAA 72) as MEMBER_NOT_FOUND', () => {
      // Act
      const summary = interpretEligibility(response([], { errors: [{ code: '72' }] }), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'MEMBER_NOT_FOUND', payerRejectionCode: '72' });
    });

    it('asks for review for a provider rejection such as AAA 43', () => {
      // Act
      const summary = interpretEligibility(response([], { errors: [{ code: '43' }] }), { serviceTypeCode: '98' });

      // Assess
      expect(summary).toMatchObject({ outcome: 'NEEDS_REVIEW', payerRejectionCode: '43' });
      expect(summary.reason).toMatch(/AAA 43/);
    });
  });
});

describe('Function: interpretEligibility, what a person must look at', () => {
  const active = { code: '1', serviceTypeCodes: ['30'] };

  it('asks a person, and estimates nothing, when another payer is primary or the copays disagree', () => {
    const otherPrimary = interpretEligibility(
      {
        planStatus: [],
        errors: [],
        benefitsInformation: [
          active,
          { code: 'B', serviceTypeCodes: ['98'], amountCents: 2500 },
          {
            code: 'R',
            serviceTypeCodes: ['30'],
            relatedEntities: [{ entityIdentifier: 'Primary Payer', name: 'CIGNA', identifier: '1006' }],
          },
        ],
      },
      { serviceTypeCode: '98' },
    );
    const twoCopays = interpretEligibility(
      {
        planStatus: [],
        errors: [],
        benefitsInformation: [
          active,
          { code: 'B', serviceTypeCodes: ['98'], amountCents: 2500 },
          { code: 'B', serviceTypeCodes: ['98'], amountCents: 4000 },
        ],
      },
      { serviceTypeCode: '98' },
    );

    expect(otherPrimary).toMatchObject({ outcome: 'NEEDS_REVIEW', reason: expect.stringContaining('Another payer is primary (CIGNA)') });
    expect(twoCopays.outcome).toBe('NEEDS_REVIEW');
    expect(signableEstimate(otherPrimary, clinicAmount)).toBeUndefined();
    expect(signableEstimate(twoCopays, clinicAmount)).toBeUndefined();
  });

  it('estimates from terms a person could sign, capped by what is left of the out-of-pocket maximum', () => {
    // Prepare: $500 of deductible left, then 20%, and $200 left of the out-of-pocket maximum.
    const plan = (extra: BenefitEntry[]) => ({
      planStatus: [],
      errors: [],
      benefitsInformation: [
        active,
        { code: 'A', serviceTypeCodes: ['98'], percent: 20, inPlanNetworkIndicatorCode: 'Y' },
        {
          code: 'C',
          serviceTypeCodes: ['30'],
          amountCents: 50_000,
          timeQualifierCode: '29',
          coverageLevelCode: 'IND',
          inPlanNetworkIndicatorCode: 'Y',
        },
        ...extra,
      ],
    });
    const oopLeft = (cents: number): BenefitEntry => ({
      code: 'G',
      serviceTypeCodes: ['30'],
      amountCents: cents,
      timeQualifierCode: '29',
      coverageLevelCode: 'IND',
      inPlanNetworkIndicatorCode: 'Y',
    });

    // Act
    const summary = interpretEligibility(plan([oopLeft(20_000)]), { serviceTypeCode: '98' });
    const copayAfterMax = interpretEligibility(
      plan([oopLeft(0), { code: 'B', serviceTypeCodes: ['98'], amountCents: 4000, inPlanNetworkIndicatorCode: 'Y' }]),
      { serviceTypeCode: '98' },
    );

    // Assess: $500 + 20% of $700 = $640, capped at the $200 left; a copay listed once the maximum is met goes to a person.
    expect(summary.outcome).toBe('ACTIVE');
    expect(signableEstimate(summary, { cents: 120_000, from: 'clinic' })).toEqual({
      allowedAmountCents: 120_000,
      allowedAmountFrom: 'clinic',
      lines: [
        { term: 'deductible', cents: 50_000, detail: '$500.00 of the deductible left' },
        { term: 'coinsurance', cents: 14_000, detail: '20% of $700.00' },
        { term: 'out-of-pocket cap', cents: -44_000, detail: '$200.00 of the out-of-pocket maximum left' },
      ],
      dueCents: 20_000,
    });
    expect(copayAfterMax).toMatchObject({ outcome: 'NEEDS_REVIEW', reason: expect.stringContaining('out-of-pocket maximum is met') });
    expect(signableEstimate(copayAfterMax, clinicAmount)).toBeUndefined();
  });

  it('reads "no prior authorization required" as not required, and a negation-free requirement as required', () => {
    const lines = (message: string) => ({
      planStatus: [],
      errors: [],
      benefitsInformation: [active, { code: 'A', serviceTypeCodes: ['62'], percent: 20, messages: [message] }],
    });

    expect(interpretEligibility(lines('NO PRIOR AUTHORIZATION REQUIRED'), { serviceTypeCode: '62' }).benefits?.priorAuthorization).toBe(
      'NOT_REQUIRED',
    );
    expect(interpretEligibility(lines('PRIOR AUTHORIZATION REQUIRED'), { serviceTypeCode: '62' }).benefits?.priorAuthorization).toBe(
      'REQUIRED',
    );
  });
});

describe('Function: interpretEligibility, dated lines', () => {
  it('reads only the lines that hold on the day asked: a past inactive period does not make today uncertain', () => {
    const response = {
      planStatus: [],
      errors: [],
      benefitsInformation: [
        { code: '1', serviceTypeCodes: ['30'] },
        { code: '6', serviceTypeCodes: ['30'], period: { start: '2007-09-01', end: '2007-09-30' } },
        { code: 'B', serviceTypeCodes: ['98'], amountCents: 2500 },
      ],
    };

    expect(interpretEligibility(response, { serviceTypeCode: '98', on: '2026-12-08' })).toMatchObject({
      outcome: 'ACTIVE',
      copayCents: 2500,
    });
    expect(interpretEligibility(response, { serviceTypeCode: '98', on: '2007-09-15' }).outcome).toBe('NEEDS_REVIEW');
  });
});

describe('Function: readBenefits, visit limits', () => {
  it('reads a limit given only as what remains, and says so when nothing remains', () => {
    const limit = (remaining: number) => ({
      planStatus: [],
      errors: [],
      benefitsInformation: [
        { code: '1', serviceTypeCodes: ['30'] },
        {
          code: 'F',
          serviceTypeCodes: ['PT'],
          timeQualifierCode: '29',
          deliveries: [{ quantityQualifierCode: 'VS', quantity: remaining }],
        },
      ],
    });

    expect(interpretEligibility(limit(4), { serviceTypeCode: 'PT' }).benefits?.visitLimit).toEqual({ remaining: 4 });
    expect(interpretEligibility(limit(0), { serviceTypeCode: 'PT' })).toMatchObject({
      outcome: 'NEEDS_REVIEW',
      reason: expect.stringContaining('no visits left'),
    });
  });
});

describe('Function: readBenefits, the payer on the network', () => {
  it('hears "provider is out of network for member", not a limit "for both in and out of network"', () => {
    const said = (message: string) =>
      interpretEligibility(
        {
          planStatus: [],
          errors: [],
          benefitsInformation: [
            { code: '1', serviceTypeCodes: ['30'], messages: [message] },
            { code: 'B', serviceTypeCodes: ['98'], amountCents: 2500 },
          ],
        },
        { serviceTypeCode: '98' },
      ).outcome;

    expect(said('PROVIDER IS OUT NETWORK FOR MEMBER')).toBe('NEEDS_REVIEW');
    expect(said('LIMITATION IS COMBINED FOR BOTH IN AND OUT OF NETWORK')).toBe('ACTIVE');
  });
});
