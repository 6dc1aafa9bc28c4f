import { describe, expect, it } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import type { EligibilityRequest } from '#functions/eligibility/eligibility-port.ts';
import {
  createStediEligibilityAdapter,
  ELIGIBILITY_PATH,
  parseDecimalPercent,
  parseDollarsToCents,
  toStediRequest,
} from '#functions/eligibility/stedi-eligibility-adapter.ts';

const request: EligibilityRequest = {
  controlNumber: '123456789',
  payer: { id: '60054', name: 'Aetna' },
  provider: { npi: '1234567893', organizationName: 'Demo Clinic' },
  subscriber: { memberId: 'W123', firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12', groupNumber: 'GRP-1' },
  serviceTypeCode: '98',
};

/** A fetch that answers with one canned response and remembers what it was sent. */
function fakeFetch(answer: () => Response | Promise<Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer();
  }) as typeof fetch;
  return { fn, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('Function: createStediEligibilityAdapter', () => {
  it('posts the inquiry to the versioned path with the API key as Authorization', async () => {
    // Prepare
    const http = fakeFetch(() => json(200, { planStatus: [], benefitsInformation: [], errors: [] }));
    const adapter = createStediEligibilityAdapter({ baseUrl: 'https://clearinghouse.example/', apiKey: 'key-1', fetch: http.fn });

    // Act
    await adapter.check(request);

    // Assess
    expect(http.calls[0]?.url).toBe(`https://clearinghouse.example${ELIGIBILITY_PATH}`);
    expect(http.calls[0]?.init.method).toBe('POST');
    expect(http.calls[0]?.init.headers).toMatchObject({ Authorization: 'key-1' });
    expect(JSON.parse(String(http.calls[0]?.init.body))).toEqual(toStediRequest(request));
  });

  it.each([429, 500, 503, 504])('throws ClearinghouseUnavailable for HTTP %i', async (status) => {
    // Prepare
    const adapter = createStediEligibilityAdapter({
      baseUrl: 'https://x',
      apiKey: 'k',
      fetch: fakeFetch(() => json(status, { message: 'no' })).fn,
    });

    // Act / Assess
    await expect(adapter.check(request)).rejects.toMatchObject({ name: TRANSIENT_ERRORS.clearinghouseUnavailable });
  });

  it('throws ClearinghouseUnavailable when the network fails', async () => {
    // Prepare
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const adapter = createStediEligibilityAdapter({ baseUrl: 'https://x', apiKey: 'k', fetch: failing });

    // Act / Assess
    await expect(adapter.check(request)).rejects.toMatchObject({ name: TRANSIENT_ERRORS.clearinghouseUnavailable });
  });

  it.each(['42', '80'])('throws ClearinghouseUnavailable for the payer rejection AAA %s', async (code) => {
    // Prepare
    const http = fakeFetch(() => json(200, { errors: [{ field: 'AAA', code, followupAction: 'Resubmission Allowed' }] }));
    const adapter = createStediEligibilityAdapter({ baseUrl: 'https://x', apiKey: 'k', fetch: http.fn });

    // Act / Assess
    await expect(adapter.check(request)).rejects.toMatchObject({ name: TRANSIENT_ERRORS.clearinghouseUnavailable });
  });

  it('returns other payer rejections for the domain to interpret', async () => {
    // Prepare
    const http = fakeFetch(() => json(200, { errors: [{ field: 'AAA', code: '75', description: 'Subscriber/Insured Not Found' }] }));
    const adapter = createStediEligibilityAdapter({ baseUrl: 'https://x', apiKey: 'k', fetch: http.fn });

    // Act
    const result = await adapter.check(request);

    // Assess
    expect(result.errors).toEqual([{ code: '75' }]);
  });

  it('throws a non-retried error with no response body in it for HTTP 401', async () => {
    // Prepare
    const http = fakeFetch(() => json(401, { message: 'bad key for W123' }));
    const adapter = createStediEligibilityAdapter({ baseUrl: 'https://x', apiKey: 'k', fetch: http.fn });

    // Act
    const error = await adapter.check(request).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    // Assess
    expect(error).toMatchObject({ name: 'ClearinghouseRequestRejected' });
    expect(error?.message).not.toContain('W123');
  });

  it('maps amounts to cents, percentages to 0-100, and what each line is for, dropping what it does not read', async () => {
    // Prepare
    const http = fakeFetch(() =>
      json(200, {
        subscriber: { memberId: 'W123', firstName: 'Maria' },
        benefitsInformation: [
          {
            code: 'B',
            serviceTypeCodes: ['98'],
            benefitAmount: '25.00',
            inPlanNetworkIndicatorCode: 'Y',
            additionalInformation: [{ description: ' PCP OFFICE VISIT ' }],
            eligibilityAdditionalInformationList: [{ codeListQualifierCode: 'ZZ', industryCode: '11' }],
            benefitsRelatedEntities: [{ entityIdentifier: 'Primary Care Provider', entityName: 'SMITH', entityType: 'Person' }],
            compositeMedicalProcedureIdentifier: { procedureCode: '99213' },
          },
          {
            code: 'F',
            serviceTypeCodes: ['PT'],
            benefitsServiceDelivery: [{ quantityQualifierCode: 'VS', quantity: '60', timePeriodQualifierCode: '23', numOfPeriods: '1' }],
            insuranceTypeCode: 'PR',
          },
          { code: 'A', serviceTypeCodes: ['98'], benefitPercent: '0.2', authOrCertIndicator: 'Y' },
          { code: 'C', benefitAmount: '500', timeQualifierCode: '29', coverageLevelCode: 'IND' },
        ],
        planStatus: [{ statusCode: '1', status: 'Active Coverage', serviceTypeCodes: ['30'] }],
        errors: [],
      }),
    );
    const adapter = createStediEligibilityAdapter({ baseUrl: 'https://x', apiKey: 'k', fetch: http.fn });

    // Act
    const result = await adapter.check(request);

    // Assess
    expect(result).toEqual({
      planStatus: [{ statusCode: '1', serviceTypeCodes: ['30'] }],
      benefitsInformation: [
        {
          code: 'B',
          serviceTypeCodes: ['98'],
          amountCents: 2500,
          inPlanNetworkIndicatorCode: 'Y',
          messages: ['PCP OFFICE VISIT'],
          placesOfService: ['11'],
          relatedEntities: [{ entityIdentifier: 'Primary Care Provider', name: 'SMITH' }],
        },
        {
          code: 'F',
          serviceTypeCodes: ['PT'],
          insuranceTypeCode: 'PR',
          deliveries: [{ quantityQualifierCode: 'VS', quantity: 60, timePeriodQualifierCode: '23', numberOfPeriods: 1 }],
        },
        { code: 'A', serviceTypeCodes: ['98'], percent: 20, authOrCertIndicator: 'Y' },
        { code: 'C', serviceTypeCodes: [], amountCents: 50_000, timeQualifierCode: '29', coverageLevelCode: 'IND' },
      ],
      errors: [],
    });
  });
});

describe('Function: createStediEligibilityAdapter, a rejection in a 400 body', () => {
  const adapterAnswering = (status: number, body: unknown) =>
    createStediEligibilityAdapter({ baseUrl: 'https://x', apiKey: 'k', fetch: fakeFetch(() => json(status, body)).fn });

  it('returns the AAA rejection a 400 carries as the payer’s answer, not as a failed request', async () => {
    const result = await adapterAnswering(400, { errors: [{ code: '75', followupAction: 'Please Correct and Resubmit' }] }).check(request);

    expect(result.errors).toEqual([{ code: '75', followupAction: 'Please Correct and Resubmit' }]);
  });

  it('retries a 400 whose AAA says the payer cannot answer now, and refuses a 400 that carries no AAA', async () => {
    await expect(adapterAnswering(400, { errors: [{ code: '42' }] }).check(request)).rejects.toMatchObject({
      name: TRANSIENT_ERRORS.clearinghouseUnavailable,
    });
    await expect(adapterAnswering(400, { message: 'Invalid request body' }).check(request)).rejects.toMatchObject({
      name: 'ClearinghouseRequestRejected',
    });
  });
});

describe('Function: toStediRequest', () => {
  it('asks about the visit’s date when it is known', () => {
    expect(toStediRequest({ ...request, dateOfService: '2026-12-08' }).encounter).toEqual({
      serviceTypeCodes: ['98'],
      dateOfService: '20261208',
    });
  });

  it('sends the subscriber with a compact birth date and one service type code', () => {
    // Act
    const body = toStediRequest(request);

    // Assess
    expect(body).toEqual({
      controlNumber: '123456789',
      tradingPartnerServiceId: '60054',
      tradingPartnerName: 'Aetna',
      provider: { npi: '1234567893', organizationName: 'Demo Clinic' },
      subscriber: { memberId: 'W123', firstName: 'Maria', lastName: 'Garcia', dateOfBirth: '19850412', groupNumber: 'GRP-1' },
      encounter: { serviceTypeCodes: ['98'] },
    });
  });

  it('sends a child as dependent with relationship code 19', () => {
    // Act
    const body = toStediRequest({
      ...request,
      dependent: { firstName: 'Ana', lastName: 'Garcia', birthDate: '2015-06-01', relationship: 'child' },
    });

    // Assess
    expect(body.dependents).toEqual([{ firstName: 'Ana', lastName: 'Garcia', dateOfBirth: '20150601', individualRelationshipCode: '19' }]);
  });
});

describe('Function: parseDollarsToCents', () => {
  it.each([
    ['25', 2500],
    ['25.00', 2500],
    ['1800.5', 180_050],
    ['.5', 50],
    ['0.015', 2],
    ['0.014', 1],
    ['1.005', 101],
  ])('reads %s as %i cents', (value, cents) => {
    expect(parseDollarsToCents(value)).toBe(cents);
  });

  it.each(['', '-5', 'abc', '1.2.3'])('ignores %j', (value) => {
    expect(parseDollarsToCents(value)).toBeUndefined();
  });
});

describe('Function: parseDecimalPercent', () => {
  it.each([
    ['0.2', 20],
    ['0.80', 80],
    ['0.125', 12.5],
    ['0', 0],
    ['1', 100],
  ])('reads %s as %f percent', (value, percent) => {
    expect(parseDecimalPercent(value)).toBe(percent);
  });

  it.each(['20', 'abc', '', '-0.1'])('ignores the non-compliant %j', (value) => {
    expect(parseDecimalPercent(value)).toBeUndefined();
  });
});
