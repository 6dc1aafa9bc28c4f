import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EligibilityResponse } from '#functions/eligibility/eligibility-port.ts';
import { readBenefits } from '#functions/eligibility/read-benefits.ts';
import { fromStediResponse, stediEligibilityResponseSchema } from '#functions/eligibility/stedi-eligibility-adapter.ts';
import type { BenefitsReading } from '#model/benefits-reading.ts';
import { eligibilityResponseOfX12 } from '#test/support/x12-271.ts';

/**
 * The corpus (test/fixtures/eligibility-271/README.md): public 271 responses nobody on this project wrote, each with
 * its source, and what an insurance verification specialist reads from it per service type and network status. Each
 * expectation is partial: what the specialist is sure of. `uncertain` listed means the response must not be acted on
 * without a person; `payerMessages` listed must be among the messages shown to staff.
 */
const DIR = 'test/fixtures/eligibility-271';

interface Fixture {
  source: { url_or_repo_path: string };
  format: 'x12' | 'stedi-json';
  content: unknown;
  expectations: Array<{
    serviceTypeCode: string;
    network: 'IN' | 'OUT';
    /** For an office visit (98), the kind of visit when the expectation depends on it. */
    officeVisit?: 'primary-care' | 'specialist';
    expected: Partial<BenefitsReading>;
    why: string;
    /** Whether the response settles what the desk does without calling the payer, as a second specialist judged it. */
    decides: boolean;
    decidesWhy: string;
    /** Why the reading differs from that judgement and cannot follow it (e.g. a broken sample). */
    readingDiffers?: string;
  }>;
}

const fixtures = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name: name.replace(/\.json$/, ''), fixture: JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8')) as Fixture }));

function responseOf(fixture: Fixture): EligibilityResponse {
  return fixture.format === 'x12'
    ? eligibilityResponseOfX12(fixture.content as string)
    : // An insurance discovery answer holds its 271s as `items`: the first is the plan found.
      fromStediResponse(stediEligibilityResponseSchema.parse((fixture.content as { items?: unknown[] }).items?.[0] ?? fixture.content));
}

const cases = fixtures.flatMap(({ name, fixture }) =>
  fixture.expectations.map(
    (e) => [`${name}: ${e.serviceTypeCode} ${e.network}${e.officeVisit ? ` ${e.officeVisit}` : ''}`, fixture, e] as const,
  ),
);

describe('Eligibility corpus: public 271s read as a specialist would', () => {
  it('holds at least 20 responses from public sources, each with its source and what a specialist reads from it', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    for (const { name, fixture } of fixtures) {
      expect(fixture.source.url_or_repo_path, name).toMatch(/\S/);
      expect(fixture.expectations.length, name).toBeGreaterThan(0);
    }
  });

  it.each(cases)('%s', (_, fixture, expectation) => {
    const reading = readBenefits(responseOf(fixture), {
      serviceTypeCode: expectation.serviceTypeCode,
      network: expectation.network,
      ...(expectation.officeVisit ? { officeVisit: expectation.officeVisit } : {}),
    });
    const { uncertain, payerMessages, ...terms } = expectation.expected;

    expect(reading, expectation.why).toMatchObject(terms);
    if (uncertain?.length) expect(reading.uncertain, expectation.why).not.toEqual([]);
    // What decides is acted on without a person (nothing uncertain); what does not goes to one: the reading says why,
    // the payer rejected the inquiry, or the service needs a prior authorization (each a person's to work).
    const goesToAPerson = reading.uncertain.length > 0 || reading.status === 'REJECTED' || reading.priorAuthorization === 'REQUIRED';
    const agrees = expectation.decides ? reading.uncertain.length === 0 : goesToAPerson;
    // A difference the reading cannot close is recorded with its reason, and this fails the day it closes.
    expect(agrees, expectation.readingDiffers ?? `${expectation.decidesWhy} | reading: ${reading.uncertain.join(' ')}`).toBe(
      expectation.readingDiffers === undefined,
    );
    for (const message of payerMessages ?? []) expect(reading.payerMessages, expectation.why).toContain(message);
  });
});
