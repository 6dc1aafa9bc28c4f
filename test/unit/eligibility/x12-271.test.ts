import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenefitEntry } from '#functions/eligibility/eligibility-port.ts';
import { eligibilityResponseOfX12, periodOf, segmentsOfX12 } from '#test/support/x12-271.ts';

const FIXTURES = new URL('../../fixtures/eligibility-271/', import.meta.url);

interface Fixture {
  format: 'x12' | 'stedi-json';
  content: unknown;
}

const x12Fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ name: file.replace(/\.json$/, ''), fixture: JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Fixture }))
  .filter(({ fixture }) => fixture.format === 'x12')
  .map(({ name, fixture }) => ({ name, x12: fixture.content as string }));

function x12Of(name: string): string {
  const found = x12Fixtures.find((fixture) => fixture.name === name);
  if (!found) throw new Error(`No x12 fixture ${name}`);
  return found.x12;
}

const benefitsOf = (name: string) => eligibilityResponseOfX12(x12Of(name)).benefitsInformation;

/** The benefit lines with this EB01 code, in document order. */
const withCode = (benefits: BenefitEntry[], code: string) => benefits.filter((benefit) => benefit.code === code);

/** How many segments with this tag the raw text holds, counted straight off the text (no tokenizer). */
function rawSegmentCount(x12: string, tag: string): number {
  const separator = x12.charAt(3).replace(/[|*^]/, '\\$&');
  return x12.match(new RegExp(`(?:^|[~\\s])${tag}${separator}`, 'g'))?.length ?? 0;
}

describe('Function: eligibilityResponseOfX12', () => {
  it('finds at least ten x12 fixtures in the corpus', () => {
    expect(x12Fixtures.length).toBeGreaterThanOrEqual(10);
  });

  describe.each(x12Fixtures)('every x12 fixture: $name', ({ x12 }) => {
    it('converts without throwing, to at least one benefit or one rejection and no plan status', () => {
      const response = eligibilityResponseOfX12(x12);

      expect(response.planStatus).toEqual([]);
      expect(response.benefitsInformation.length + response.errors.length).toBeGreaterThan(0);
    });

    it('yields one benefit per EB segment and one rejection per AAA segment of the raw text', () => {
      const response = eligibilityResponseOfX12(x12);

      expect(response.benefitsInformation).toHaveLength(rawSegmentCount(x12, 'EB'));
      expect(response.errors).toHaveLength(rawSegmentCount(x12, 'AAA'));
    });

    it('leaks no delimiter, line break or padding into codes, amounts or messages', () => {
      const response = eligibilityResponseOfX12(x12);

      for (const benefit of response.benefitsInformation) {
        expect(benefit.code).toMatch(/^[A-Z0-9]{1,2}$/);
        for (const code of benefit.serviceTypeCodes) expect(code).toMatch(/^[A-Z0-9]{1,2}$/);
        if (benefit.amountCents !== undefined) expect(Number.isInteger(benefit.amountCents)).toBe(true);
        for (const message of benefit.messages ?? []) expect(message).toBe(message.trim());
        expect(Object.values(benefit)).not.toContain(undefined);
      }
      for (const error of response.errors) expect(error.code).toMatch(/^[A-Z0-9]{2}$/);
    });
  });

  it('reads the samples node-x12 misreads with the fallback tokenizer, and the rest with node-x12', () => {
    const fallback = x12Fixtures.filter(({ x12 }) => segmentsOfX12(x12).tokenizer === 'fallback').map(({ name }) => name);

    // The spouse sample's ISA is 105 characters (a padded receiver ID lost a space); the in-vs-out sample lost one '~'.
    expect(fallback.sort()).toEqual([
      'inactive-dependent-spouse-4010-deidentified',
      'tigershark-5010-in-vs-out-network-deductible-oop-copay',
    ]);
  });

  it('Stedi 5010 batch sample: service types split on ^, amounts in cents, network and auth indicators, III places, MSG', () => {
    const benefits = benefitsOf('stedi-batch-open-access-plus-behavioral-auth-x12');

    // EB*1**30**Open Access Plus~MSG*Complete Care Management~
    expect(benefits[0]).toEqual({
      code: '1',
      serviceTypeCodes: ['30'],
      planCoverage: 'Open Access Plus',
      messages: ['Complete Care Management'],
    });
    // EB*G*FAM*30***23*6000.00*****Y~ and its four MSG lines
    expect(benefits[1]).toMatchObject({
      code: 'G',
      coverageLevelCode: 'FAM',
      serviceTypeCodes: ['30'],
      timeQualifierCode: '23',
      amountCents: 600_000,
      inPlanNetworkIndicatorCode: 'Y',
    });
    expect(benefits[1]?.messages).toHaveLength(4);
    // EB*A*IND*30*****.10****Y~ and EB*A*IND*30*****.50****N~
    expect(withCode(benefits, 'A').slice(0, 2)).toEqual([
      { code: 'A', coverageLevelCode: 'IND', serviceTypeCodes: ['30'], percent: 10, inPlanNetworkIndicatorCode: 'Y' },
      { code: 'A', coverageLevelCode: 'IND', serviceTypeCodes: ['30'], percent: 50, inPlanNetworkIndicatorCode: 'N' },
    ]);
    // EB*1**A7^BC^A8^A4^A5^A6^7^4^BB^22*********W~
    expect(benefits).toContainEqual({
      code: '1',
      serviceTypeCodes: ['A7', 'BC', 'A8', 'A4', 'A5', 'A6', '7', '4', 'BB', '22'],
      inPlanNetworkIndicatorCode: 'W',
    });
    // EB*C*IND*BC^A4^A6^4^22****0.00****N*Y~MSG*Includes services provided by Client Specific Network~III*ZZ*22~
    expect(benefits).toContainEqual({
      code: 'C',
      coverageLevelCode: 'IND',
      serviceTypeCodes: ['BC', 'A4', 'A6', '4', '22'],
      amountCents: 0,
      authOrCertIndicator: 'N',
      inPlanNetworkIndicatorCode: 'Y',
      messages: ['Includes services provided by Client Specific Network'],
      placesOfService: ['22'],
    });
    // EB*CB**7^BB********Y*Y~ : anesthesia and partial hospitalisation need prior authorisation
    expect(withCode(benefits, 'CB')).toEqual([
      { code: 'CB', serviceTypeCodes: ['7', 'BB'], authOrCertIndicator: 'Y', inPlanNetworkIndicatorCode: 'Y' },
    ]);
    // EB*1**MH~MSG* Provider is out of network based on NPI ID provided in request.~ (leading space trimmed)
    expect(benefits).toContainEqual({
      code: '1',
      serviceTypeCodes: ['MH'],
      messages: ['Provider is out of network based on NPI ID provided in request.'],
    });
    // Remaining OOP EB*G*IND*30***29*2760.00*****Y~
    expect(benefits.filter((b) => b.code === 'G' && b.timeQualifierCode === '29').map((b) => b.amountCents)).toEqual([
      576_000, 276_000, 3_000_000, 1_500_000,
    ]);
  });

  it('TigerShark 5010 exchange plan: } repetition separator, HSD visit limits, EB*W related payer', () => {
    const benefits = benefitsOf('tigershark-5010-exchange-plan-precert-chiro-visit-limit');

    // EB|W~LS|2120~NM1|PR|2|Mala Compania~…~LE|2120~
    expect(benefits[1]).toEqual({ code: 'W', serviceTypeCodes: [], relatedEntities: [{ entityIdentifier: 'PR', name: 'Mala Compania' }] });
    // EB|1|EMP|1}33}47}48}50}86}98}UC}AL}MH}88||Open Access Elect Choice~
    expect(benefits).toContainEqual({
      code: '1',
      coverageLevelCode: 'EMP',
      serviceTypeCodes: ['1', '33', '47', '48', '50', '86', '98', 'UC', 'AL', 'MH', '88'],
      planCoverage: 'Open Access Elect Choice',
    });
    // EB|F|IND|33|||||||||Y~HSD|VS|35|||21|1~ then EB|F|IND|33|||||||||Y~HSD|VS|35|||29~
    const chiroLimits = benefits.filter((b) => b.code === 'F' && b.serviceTypeCodes.join() === '33');
    expect(chiroLimits.map((b) => b.deliveries)).toEqual([
      [{ quantityQualifierCode: 'VS', quantity: 35, timePeriodQualifierCode: '21', numberOfPeriods: 1 }],
      [{ quantityQualifierCode: 'VS', quantity: 35, timePeriodQualifierCode: '29' }],
    ]);
    expect(chiroLimits[1]?.messages).toEqual(['SHT TRM RHB OP']);
    // EB|B|EMP|33||||20|||||Y~ ; EB|A|EMP|98|||||.1||||Y~
    expect(withCode(benefits, 'B')).toHaveLength(1);
    expect(withCode(benefits, 'B')[0]).toMatchObject({ serviceTypeCodes: ['33'], amountCents: 2000, inPlanNetworkIndicatorCode: 'Y' });
    expect(benefits.find((b) => b.code === 'A' && b.serviceTypeCodes[0] === '98')?.percent).toBe(10);
    // EB|F|EMP|30|||||||||Y~MSG|PLAN REQUIRES PRECERT~
    expect(benefits).toContainEqual({
      code: 'F',
      coverageLevelCode: 'EMP',
      serviceTypeCodes: ['30'],
      inPlanNetworkIndicatorCode: 'Y',
      messages: ['PLAN REQUIRES PRECERT'],
    });
  });

  it('TigerShark 5010 in-vs-out sample: the line that lost its terminator is recovered as its own benefit', () => {
    const benefits = benefitsOf('tigershark-5010-in-vs-out-network-deductible-oop-copay');

    // EB|B|EMP|98||||50|||||Y~ and EB|B|EMP|98||||100|||||N~
    expect(withCode(benefits, 'B').map((b) => [b.amountCents, b.inPlanNetworkIndicatorCode])).toEqual([
      [5000, 'Y'],
      [10_000, 'N'],
    ]);
    // "EB|A|IND|52|||||0.1" + line break + "EB|I|EMP|1}33}48}50}86}98}UC|||||||||N~"
    expect(benefits.slice(-2)).toEqual([
      { code: 'A', coverageLevelCode: 'IND', serviceTypeCodes: ['52'], percent: 10 },
      {
        code: 'I',
        coverageLevelCode: 'EMP',
        serviceTypeCodes: ['1', '33', '48', '50', '86', '98', 'UC'],
        inPlanNetworkIndicatorCode: 'N',
      },
    ]);
    // EB|A|IND|50|||27||0.1||||W~
    expect(benefits).toContainEqual({
      code: 'A',
      coverageLevelCode: 'IND',
      serviceTypeCodes: ['50'],
      timeQualifierCode: '27',
      percent: 10,
      inPlanNetworkIndicatorCode: 'W',
    });
  });

  it('TigerShark 4010 UHC indemnity: amount 3025.9 is 302590 cents, 1.0 is 100%, EB*R and EB*X entities', () => {
    const benefits = benefitsOf('tigershark-4010-uhc-indemnity-with-medicare-other-payer');

    // EB|1||30|C1|MANAGED INDEMNITY~LS|2120~NM1|PR|2|UNITEDHEALTHCARE~…
    expect(benefits[0]).toEqual({
      code: '1',
      serviceTypeCodes: ['30'],
      insuranceTypeCode: 'C1',
      planCoverage: 'MANAGED INDEMNITY',
      relatedEntities: [{ entityIdentifier: 'PR', name: 'UNITEDHEALTHCARE' }],
    });
    // EB|G|FAM|30|C1||24|3025.9|||||Y~
    expect(benefits[2]).toEqual({
      code: 'G',
      coverageLevelCode: 'FAM',
      serviceTypeCodes: ['30'],
      insuranceTypeCode: 'C1',
      timeQualifierCode: '24',
      amountCents: 302_590,
      inPlanNetworkIndicatorCode: 'Y',
    });
    // EB|A|IND|AL|||27||1.0||||Y~ (vision: patient pays 100%)
    expect(benefits.find((b) => b.code === 'A' && b.serviceTypeCodes[0] === 'AL')?.percent).toBe(100);
    // EB|I||35~ EB|I||92~ EB|I||91~ EB|I||88~
    expect(withCode(benefits, 'I').map((b) => b.serviceTypeCodes)).toEqual([['35'], ['92'], ['91'], ['88']]);
    // EB|R||30~LS|2120~NM1|PR|2|MEDICARE~LE|2120~ then EB|X~LS|2120~NM1|1P|2||||||XX|1234567890~LE|2120~
    expect(benefits.slice(-2)).toEqual([
      { code: 'R', serviceTypeCodes: ['30'], relatedEntities: [{ entityIdentifier: 'PR', name: 'MEDICARE' }] },
      { code: 'X', serviceTypeCodes: [], relatedEntities: [{ entityIdentifier: '1P', identifier: '1234567890' }] },
    ]);
    // MSG|OFFICE VISIT~ follows each of the first three 98 lines
    expect(benefits.filter((b) => b.serviceTypeCodes[0] === '98').map((b) => b.messages)).toEqual([
      ['OFFICE VISIT'],
      ['OFFICE VISIT'],
      ['OFFICE VISIT'],
      ['PRIMARY CARE PHYSICIAN'],
      ['PRIMARY CARE PHYSICIAN'],
      ['PRIMARY CARE PHYSICIAN'],
    ]);
  });

  it('CMS HETS 4010: day limits, Part A deductible, MSP primary payer, home-health MSGs, only III*ZZ as a place', () => {
    const benefits = benefitsOf('cms-hets-4010-medicare-ab-with-msp-ma-partd');

    // EB*C**47*MA**29*992~
    expect(benefits[2]).toEqual({
      code: 'C',
      serviceTypeCodes: ['47'],
      insuranceTypeCode: 'MA',
      timeQualifierCode: '29',
      amountCents: 99_200,
    });
    // EB*B**47*MA**29*248**DY*30~
    expect(benefits[4]).toEqual({
      code: 'B',
      serviceTypeCodes: ['47'],
      insuranceTypeCode: 'MA',
      timeQualifierCode: '29',
      amountCents: 24_800,
      quantityQualifierCode: 'DY',
      quantity: 30,
    });
    // EB*D*IND**MB*********HC|90669~ : EB13 (a composite procedure) is not part of the port
    expect(benefits).toContainEqual(
      expect.objectContaining({ code: 'D', coverageLevelCode: 'IND', serviceTypeCodes: [], insuranceTypeCode: 'MB' }),
    );
    // EB*R*IND*30*12~REF…DTP…LS*2120~NM1*PRP*2*ORGNAME~N3…N4…LE*2120~
    expect(benefits).toContainEqual({
      code: 'R',
      coverageLevelCode: 'IND',
      serviceTypeCodes: ['30'],
      insuranceTypeCode: '12',
      relatedEntities: [{ entityIdentifier: 'PRP', name: 'ORGNAME' }],
    });
    // EB*X**42*MA**26~ four MSG lines then NM1*PR*2*ORGNAME*****PI*CONTRACTNUMBER in 2120
    const homeHealth = benefits.find((b) => b.code === 'X' && b.serviceTypeCodes[0] === '42');
    expect(homeHealth?.messages).toEqual(['HHEH Start Date', 'HHEH End Date', 'HHEH DOEBA', 'HHEH DOLBA']);
    expect(homeHealth?.relatedEntities).toEqual([{ entityIdentifier: 'PR', name: 'ORGNAME', identifier: 'CONTRACTNUMBER' }]);
    // EB*R**88*OT~…III*ZZ*21~III***44*Broken bones and third degree burns~
    expect(benefits.find((b) => b.serviceTypeCodes[0] === '88')?.placesOfService).toEqual(['21']);
    // Last line: EB*6~DTP*307*RD8*20070901-20070930~ (inactive for that September only)
    expect(benefits.at(-1)).toEqual({ code: '6', serviceTypeCodes: [], period: { start: '2007-09-01', end: '2007-09-30' } });
  });

  it('Health Net 4010: four subscriber-level AAA rejections, in order, the repeated 73 kept', () => {
    const response = eligibilityResponseOfX12(x12Of('tigershark-4010-healthnet-aaa72-73-58-multiple-rejects'));

    expect(response).toEqual({
      planStatus: [],
      benefitsInformation: [],
      errors: [
        { code: '72', followupAction: 'C' },
        { code: '73', followupAction: 'C' },
        { code: '73', followupAction: 'C' },
        { code: '58', followupAction: 'C' },
      ],
    });
  });

  it('TR3 variant: AAA at every level including inside 2110C, and the benefits alongside them', () => {
    const response = eligibilityResponseOfX12(x12Of('tr3-variant-aaa-at-every-level-with-benefits'));

    expect(response.errors.map((error) => `${error.code}/${error.followupAction}`)).toEqual([
      '80/P',
      '79/N',
      '79/N',
      '80/P',
      '41/C',
      '41/C',
      '42/Y',
      '51/N',
      '60/W',
    ]);
    const benefits = response.benefitsInformation;
    // EB*1**30**GOLD 123 PLAN~AAA…AAA…LS*2120~NM1*PR*2*COVENTRY HEALTH AND LIFE INSURANCE~…
    expect(benefits[0]).toEqual({
      code: '1',
      serviceTypeCodes: ['30'],
      planCoverage: 'GOLD 123 PLAN',
      relatedEntities: [{ entityIdentifier: 'PR', name: 'COVENTRY HEALTH AND LIFE INSURANCE' }],
    });
    // EB*F*IND*12***32*****Y*N~
    expect(benefits[1]).toEqual({
      code: 'F',
      coverageLevelCode: 'IND',
      serviceTypeCodes: ['12'],
      timeQualifierCode: '32',
      authOrCertIndicator: 'Y',
      inPlanNetworkIndicatorCode: 'N',
    });
    // EB*L~LS*2120~NM1*P3*1*JONES*MARCUS****SV*0202034~LE*2120~
    expect(benefits[2]?.relatedEntities).toEqual([{ entityIdentifier: 'P3', name: 'JONES MARCUS', identifier: '0202034' }]);
    // EB*B**1^33^…^UC*HM*GOLD 123 PLAN*27*10*****Y~ (ISA16 and ISA11 are both ^ here)
    expect(benefits[4]).toMatchObject({ serviceTypeCodes: ['1', '33', '35', '47', '86', '88', '98', 'AL', 'MH', 'UC'], amountCents: 1000 });
    expect(benefits[5]).toMatchObject({ amountCents: 3000, inPlanNetworkIndicatorCode: 'N' });
  });

  it('4010 inactive spouse sample with a 105-character ISA: EB*6 and the EB*P disclaimer, no stray terminators', () => {
    const benefits = benefitsOf('inactive-dependent-spouse-4010-deidentified');

    expect(benefits).toHaveLength(2);
    expect(benefits[0]).toEqual({ code: '6', serviceTypeCodes: ['30'] });
    expect(benefits[1]?.code).toBe('P');
    expect(benefits[1]?.messages).toHaveLength(1);
    expect(benefits[1]?.messages?.[0]).toMatch(/^XXXXXX XXXXXXXXX .* XXXX XX XXXXXXX XXXX\.$/);
  });

  it('Texas Medicaid 4010 with CR line ends as terminators: padding trimmed, policyholders as related entities', () => {
    const benefits = benefitsOf('texas-medicaid-tmhp-4010-other-insurance');

    expect(benefits[0]).toEqual({ code: '1', coverageLevelCode: 'IND', serviceTypeCodes: ['30'], planCoverage: 'PLANABBVDE' });
    expect(benefits.slice(1).map((b) => b.relatedEntities)).toEqual([
      [{ entityIdentifier: 'PR', name: 'INCOMPANYNAME' }],
      [{ entityIdentifier: 'IL', name: 'LASTNAME FIRST', identifier: '123456789' }],
      [{ entityIdentifier: 'IL', name: 'LASTNAME THIRD', identifier: '345678901' }],
    ]);
    expect(benefits[3]?.planCoverage).toBe('EE');
  });

  it('SC Medicaid 4010: AAA RC at three levels, EB*L with its PCP and MSG, VS quantities', () => {
    const response = eligibilityResponseOfX12(x12Of('sc-medicaid-dhhs-4010-medicare-primary-qmb'));

    expect(response.errors).toEqual([
      { code: 'RC', followupAction: 'C' },
      { code: 'RC', followupAction: 'C' },
      { code: 'RC', followupAction: 'C' },
    ]);
    // EB*L****RSP Code Desc~MSG*RSP Message Text~LS*2120~NM1*1P*1*Public*John*Q***SV*ProviderID~…LE*2120~
    expect(withCode(response.benefitsInformation, 'L')).toEqual([
      {
        code: 'L',
        serviceTypeCodes: [],
        planCoverage: 'RSP Code Desc',
        messages: ['RSP Message Text'],
        relatedEntities: [{ entityIdentifier: '1P', name: 'Public John', identifier: 'ProviderID' }],
      },
    ]);
    // EB*J**33******VS*999~
    expect(response.benefitsInformation).toContainEqual({
      code: 'J',
      serviceTypeCodes: ['33'],
      quantityQualifierCode: 'VS',
      quantity: 999,
    });
    // EB*R**69*OT*Policy Type Desc~…LS*2120~NM1*IL*1*Policyholder*John*Q~LE*2120~
    expect(response.benefitsInformation.at(-1)?.relatedEntities).toEqual([{ entityIdentifier: 'IL', name: 'Policyholder John' }]);
  });

  it('TigerShark 4010 HMO: an LS/LE loop without NM1 adds no entity; EB*L names the employer', () => {
    const benefits = benefitsOf('tigershark-4010-hmo-copay-max-related-entities-disclaimer');

    expect(withCode(benefits, 'N')).toEqual([{ code: 'N', serviceTypeCodes: [] }]);
    expect(withCode(benefits, 'L')).toEqual([
      { code: 'L', serviceTypeCodes: [], relatedEntities: [{ entityIdentifier: '36', name: 'EMPLOYER' }] },
    ]);
    // EB|B||5|||27|20|||||Y~MSG|ALLERGY TESTING~MSG|MAMMOGRAM ROUTINE COPAY~
    expect(benefits.find((b) => b.code === 'B' && b.amountCents === 2000)?.messages).toEqual([
      'ALLERGY TESTING',
      'MAMMOGRAM ROUTINE COPAY',
    ]);
  });
});

describe('periodOf (DTP dates of a benefit line)', () => {
  it('reads a range as is, a begin or "as of" date as the start, an end date as the end, and other dates as no period', () => {
    expect(periodOf('292', 'RD8', '20070901-20070930')).toEqual({ start: '2007-09-01', end: '2007-09-30' });
    expect(periodOf('307', 'D8', '19850401')).toEqual({ start: '1985-04-01' });
    expect(periodOf('347', 'D8', '20241231')).toEqual({ end: '2024-12-31' });
    expect(periodOf('304', 'D8', '20240105')).toBeUndefined();
    expect(periodOf('292', 'RD8', '2007-09')).toBeUndefined();
  });
});
