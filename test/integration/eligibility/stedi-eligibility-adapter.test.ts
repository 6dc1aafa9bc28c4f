import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { controlNumberFor, type EligibilityPort, type EligibilityRequest } from '#functions/eligibility/eligibility-port.ts';
import { interpretEligibility } from '#functions/eligibility/interpret-eligibility.ts';
import { createStediEligibilityAdapter, ELIGIBILITY_PATH } from '#functions/eligibility/stedi-eligibility-adapter.ts';
import {
  type ClearinghouseSimulator,
  startClearinghouseSimulator,
  TEST_MEMBERS,
  TEST_PAYER,
} from '#local/clearinghouse-simulator/server.ts';
import { freePort } from '#local/ports.ts';

const API_KEY = 'simulator-test-key';

function request(memberId: string, overrides: Partial<EligibilityRequest> = {}): EligibilityRequest {
  return {
    controlNumber: controlNumberFor(`journey-${memberId}`),
    payer: { id: TEST_PAYER.id, name: TEST_PAYER.name },
    provider: { npi: '1234567893', organizationName: 'Demo Clinic' },
    subscriber: { memberId, firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' },
    serviceTypeCode: '98',
    ...overrides,
  };
}

describe('Adapter: Stedi eligibility against the clearinghouse simulator', () => {
  let simulator: ClearinghouseSimulator;
  let adapter: EligibilityPort;

  beforeAll(async () => {
    simulator = await startClearinghouseSimulator({ port: await freePort(), apiKey: API_KEY });
    adapter = createStediEligibilityAdapter({ baseUrl: simulator.url, apiKey: API_KEY });
  });
  afterAll(async () => {
    await simulator.stop();
  });

  it('reads an active plan with a $25 copay', async () => {
    // Act
    const response = await adapter.check(request(TEST_MEMBERS.activeCopay));

    // Assess
    expect(interpretEligibility(response, { serviceTypeCode: '98' })).toMatchObject({
      outcome: 'ACTIVE',
      copayCents: 2500,
      inNetwork: true,
    });
  });

  it('reads the deductible, co-insurance and prior authorization for an MRI', async () => {
    // Act
    const response = await adapter.check(request(TEST_MEMBERS.activeDeductible, { serviceTypeCode: '62' }));

    // Assess
    expect(interpretEligibility(response, { serviceTypeCode: '62' })).toMatchObject({
      coverageActive: true,
      deductibleRemainingCents: 50_000,
      coinsurancePercent: 20,
      priorAuthorizationRequired: true,
    });
  });

  it('reads an inactive plan', async () => {
    // Act
    const response = await adapter.check(request(TEST_MEMBERS.inactive));

    // Assess
    expect(interpretEligibility(response, { serviceTypeCode: '98' }).outcome).toBe('INACTIVE');
  });

  it('returns the AAA 75 rejection for a subscriber the payer does not know', async () => {
    // Act
    const response = await adapter.check(request(TEST_MEMBERS.notFound));

    // Assess
    expect(response.errors).toEqual([{ code: '75', followupAction: 'Please Correct and Resubmit' }]);
  });

  it('throws ClearinghouseUnavailable for AAA 42, then succeeds when the journey retries with its control number', async () => {
    // Prepare
    const busy = request(TEST_MEMBERS.payerBusyOnce, { controlNumber: controlNumberFor('journey-busy') });

    // Act
    const first = adapter.check(busy);
    await expect(first).rejects.toMatchObject({ name: TRANSIENT_ERRORS.clearinghouseUnavailable });
    const retry = await adapter.check(busy);

    // Assess
    expect(interpretEligibility(retry, { serviceTypeCode: '98' })).toMatchObject({ outcome: 'ACTIVE', copayCents: 2500 });
  });

  it('answers "busy" again for another journey', async () => {
    // Act
    await adapter.check(request(TEST_MEMBERS.payerBusyOnce, { controlNumber: controlNumberFor('journey-busy-a') })).catch(() => undefined);
    const other = adapter.check(request(TEST_MEMBERS.payerBusyOnce, { controlNumber: controlNumberFor('journey-busy-b') }));

    // Assess
    await expect(other).rejects.toMatchObject({ name: TRANSIENT_ERRORS.clearinghouseUnavailable });
  });

  it('throws ClearinghouseUnavailable while the clearinghouse answers 503', async () => {
    // Act / Assess
    await expect(adapter.check(request(TEST_MEMBERS.clearinghouseDown))).rejects.toMatchObject({
      name: TRANSIENT_ERRORS.clearinghouseUnavailable,
    });
  });

  it('throws a non-retried error for a wrong API key', async () => {
    // Prepare
    const wrongKey = createStediEligibilityAdapter({ baseUrl: simulator.url, apiKey: 'wrong' });

    // Act / Assess
    await expect(wrongKey.check(request(TEST_MEMBERS.activeCopay))).rejects.toMatchObject({
      name: 'ClearinghouseRequestRejected',
      message: /401/,
    });
  });

  it('throws a non-retried error when the request is malformed', async () => {
    // Act / Assess
    await expect(
      adapter.check(request(TEST_MEMBERS.activeCopay, { provider: { npi: '12', organizationName: 'X' } })),
    ).rejects.toMatchObject({
      name: 'ClearinghouseRequestRejected',
      message: /400/,
    });
  });

  it('throws ClearinghouseUnavailable when nothing listens at the base URL', async () => {
    // Prepare
    const nowhere = createStediEligibilityAdapter({ baseUrl: `http://127.0.0.1:${await freePort()}`, apiKey: API_KEY });

    // Act / Assess
    await expect(nowhere.check(request(TEST_MEMBERS.activeCopay))).rejects.toMatchObject({
      name: TRANSIENT_ERRORS.clearinghouseUnavailable,
    });
  });
});

describe('Simulator: clearinghouse HTTP surface', () => {
  let simulator: ClearinghouseSimulator;

  beforeAll(async () => {
    simulator = await startClearinghouseSimulator({ port: await freePort(), apiKey: API_KEY });
  });
  afterAll(async () => {
    await simulator.stop();
  });

  it('answers 400 with a field list for a body that is not an eligibility request', async () => {
    // Act
    const response = await fetch(`${simulator.url}${ELIGIBILITY_PATH}`, {
      method: 'POST',
      headers: { Authorization: API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ subscriber: {} }),
    });

    // Assess
    expect(response.status).toBe(400);
    const body = (await response.json()) as { fieldList: Array<{ path: string }> };
    expect(body.fieldList.map((f) => f.path)).toEqual(
      expect.arrayContaining(['/tradingPartnerServiceId', '/provider/npi', '/subscriber/memberId']),
    );
  });

  it('answers 400 for a body that is not JSON', async () => {
    // Act
    const response = await fetch(`${simulator.url}${ELIGIBILITY_PATH}`, {
      method: 'POST',
      headers: { Authorization: API_KEY },
      body: '{not json',
    });

    // Assess
    expect(response.status).toBe(400);
  });

  it('answers 401 without the API key', async () => {
    // Act
    const response = await fetch(`${simulator.url}${ELIGIBILITY_PATH}`, { method: 'POST', body: '{}' });

    // Assess
    expect(response.status).toBe(401);
  });

  it('listens on loopback only', () => {
    expect(new URL(simulator.url).hostname).toBe('127.0.0.1');
  });
});
