import { describe, expect, it } from 'vitest';
import { coordinateBenefits, type MedicareSecondaryPayerAnswers, type PlanOnFile } from '#model/coordination-of-benefits.ts';
import { medicareSecondaryPayerAnswers } from '#test/support/fixtures/records.ts';

const plan = (
  planType: PlanOnFile['planType'],
  relationship: PlanOnFile['subscriber']['relationship'] = 'self',
  birthDate = '1960-01-01',
): PlanOnFile => ({
  payerId: `payer-${planType}`,
  planType,
  subscriber: { relationship, birthDate },
});
const msp = (answers: Partial<MedicareSecondaryPayerAnswers> = {}): MedicareSecondaryPayerAnswers => ({
  ...medicareSecondaryPayerAnswers,
  ...answers,
});
const working = (employerSize: 'under-20' | '20-99' | '100-or-more') => ({
  employerGroupHealthPlan: { currentEmployment: true, employerSize },
});

describe('Coordination of benefits: which plan on file pays first', () => {
  it.each<
    [
      string,
      PlanOnFile,
      PlanOnFile | undefined,
      MedicareSecondaryPayerAnswers | undefined,
      'on-file-primary' | 'on-file-secondary',
      boolean,
    ]
  >([
    ['one plan', plan('commercial'), undefined, undefined, 'on-file-primary', false],
    [
      'Medicare by age, employer of 20-99, still working: the group plan',
      plan('medicare'),
      plan('commercial'),
      msp(working('20-99')),
      'on-file-secondary',
      false,
    ],
    [
      'Medicare by age, employer under 20: Medicare',
      plan('medicare'),
      plan('commercial'),
      msp(working('under-20')),
      'on-file-primary',
      false,
    ],
    [
      'Medicare by disability, employer of 20-99: Medicare',
      plan('commercial'),
      plan('medicare'),
      msp({ entitlement: 'disability', ...working('20-99') }),
      'on-file-secondary',
      false,
    ],
    [
      'Medicare by disability, employer of 100 or more: the group plan',
      plan('medicare'),
      plan('commercial'),
      msp({ entitlement: 'disability', ...working('100-or-more') }),
      'on-file-secondary',
      false,
    ],
    [
      'ESRD in the coordination period: the group plan',
      plan('medicare'),
      plan('commercial'),
      msp({ entitlement: 'esrd', esrdCoordinationPeriod: true }),
      'on-file-secondary',
      false,
    ],
    [
      'retired, with a retiree plan: Medicare',
      plan('commercial'),
      plan('medicare'),
      msp({ employerGroupHealthPlan: { currentEmployment: false, employerSize: '100-or-more' } }),
      'on-file-secondary',
      false,
    ],
    ['Medicare and Medicaid: Medicaid pays last', plan('medicaid'), plan('medicare'), undefined, 'on-file-secondary', false],
    ['Medicaid and a commercial plan: Medicaid pays last', plan('medicaid'), plan('commercial'), undefined, 'on-file-secondary', false],
    [
      'the patient’s own plan before a spouse’s',
      plan('commercial', 'spouse'),
      plan('commercial', 'self'),
      undefined,
      'on-file-secondary',
      false,
    ],
    [
      'a child: the parent born earlier in the year',
      plan('commercial', 'child', '1980-09-30'),
      plan('commercial', 'child', '1979-03-02'),
      undefined,
      'on-file-secondary',
      false,
    ],
    [
      'Medicare and another plan without the MSP answers: a person',
      plan('medicare'),
      plan('commercial'),
      undefined,
      'on-file-primary',
      true,
    ],
    [
      'a work injury: workers’ compensation first, a person',
      plan('medicare'),
      undefined,
      msp({ workRelatedInjury: true }),
      'on-file-primary',
      true,
    ],
    ['two plans of the patient’s own: a person', plan('commercial'), plan('commercial'), undefined, 'on-file-primary', true],
    [
      'a child whose parents share a birthday: a person',
      plan('commercial', 'child', '1980-03-02'),
      plan('commercial', 'child', '1979-03-02'),
      undefined,
      'on-file-primary',
      true,
    ],
    [
      'Medicare alone, but the answers name a group plan that pays first: a person collects it',
      plan('medicare'),
      undefined,
      msp(working('20-99')),
      'on-file-primary',
      true,
    ],
    ['two plans, one of an unsaid kind: a person', plan('medicare'), plan(undefined), msp(), 'on-file-primary', true],
    [
      'TRICARE and an employer plan: the employer plan',
      plan('tricare'),
      plan('commercial', 'spouse'),
      undefined,
      'on-file-secondary',
      false,
    ],
    [
      'Medicare and TRICARE For Life: Medicare, whatever the answers',
      plan('tricare'),
      plan('medicare'),
      msp(working('100-or-more')),
      'on-file-secondary',
      false,
    ],
    [
      'ESRD without the coordination period answered: a person',
      plan('medicare'),
      plan('commercial'),
      msp({ entitlement: 'esrd' }),
      'on-file-primary',
      true,
    ],
  ])('%s', (_case, primary, secondary, answers, pays, review) => {
    // Act
    const order = coordinateBenefits(primary, secondary, answers);

    // Assess
    expect(order.primary).toBe(pays);
    expect(order.review !== undefined).toBe(review);
    expect(order.basis).toEqual(expect.any(String));
  });
});
