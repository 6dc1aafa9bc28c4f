import type * as z from 'zod';
import type { MedicareSecondaryPayerSchema, PLAN_TYPES } from '#contract/api/submission-schema.ts';

/**
 * Coordination of benefits: which of a patient's two plans pays first, decided as a front desk does from what it has
 * (the plans' types, who holds each, the Medicare Secondary Payer answers) and said in words, or left to a person
 * when the rules need more than that. Pure: no AWS. The rules are the common ones (NAIC model COB rules, CMS's MSP
 * provisions, Medicaid as payer of last resort); a plan's own contract can differ, which the payer's 271 or the claim
 * then tells.
 */

export type PlanType = (typeof PLAN_TYPES)[number];
export type MedicareSecondaryPayerAnswers = z.output<typeof MedicareSecondaryPayerSchema>;

/** A plan as COB needs it. */
export interface PlanOnFile {
  payerId: string;
  planType?: PlanType;
  subscriber: { relationship: 'self' | 'spouse' | 'child' | 'other'; birthDate: string };
}

export interface CoordinationOfBenefits {
  /** Which plan on file pays first: the one given as primary, or the one given as secondary. */
  primary: 'on-file-primary' | 'on-file-secondary';
  /** Why, in words for the desk (no names). */
  basis: string;
  /** Set when the rules need more than the clinic has: a person decides before anyone is billed. */
  review?: string;
}

const isMedicare = (plan: PlanOnFile | undefined) => plan?.planType === 'medicare' || plan?.planType === 'medicare-advantage';

/** The order of the plans on file: the given order unless a rule says otherwise. */
export function coordinateBenefits(
  primary: PlanOnFile,
  secondary: PlanOnFile | undefined,
  msp?: MedicareSecondaryPayerAnswers,
): CoordinationOfBenefits {
  const given = (basis: string, review?: string): CoordinationOfBenefits => ({
    primary: 'on-file-primary',
    basis,
    ...(review ? { review } : {}),
  });
  const swapped = (basis: string): CoordinationOfBenefits => ({ primary: 'on-file-secondary', basis });
  if (msp && (isMedicare(primary) || isMedicare(secondary))) {
    const otherPays = mspOtherPayer(msp);
    if (otherPays) return given(`Medicare pays after ${otherPays}.`, `Medicare is secondary to ${otherPays}: bill that payer first.`);
  }
  if (!secondary) {
    // Medicare alone on file, but the answers say a group plan pays before it: that plan is missing.
    const groupPlanFirst = msp && isMedicare(primary) ? groupPlanPaysFirst(msp) : undefined;
    if (groupPlanFirst === undefined) return given('One plan on file.');
    return given(groupPlanFirst, `${groupPlanFirst} Collect that plan's details before billing Medicare.`);
  }
  if (!primary.planType || !secondary.planType) {
    return given(
      'Two plans on file, one of an unsaid kind.',
      'Say what kind of plan each is (commercial, Medicare, Medicaid…): the kind decides which pays first.',
    );
  }
  if (isMedicare(primary) !== isMedicare(secondary)) {
    const medicareFirst = isMedicare(primary);
    const other = medicareFirst ? secondary : primary;
    if (other.planType === 'medicaid') return medicareFirst ? given(MEDICAID_LAST) : swapped(MEDICAID_LAST);
    // TRICARE pays after Medicare (TRICARE For Life); only an employer's group plan can pay before Medicare.
    const basis = 'Medicare pays first: no current-employment group plan of a size that pays before it.';
    if (other.planType === 'tricare') return medicareFirst ? given(basis) : swapped(basis);
    if (!msp) {
      return given(
        'A Medicare plan and another plan on file.',
        'Ask the Medicare Secondary Payer questions before billing: they decide whether Medicare pays first.',
      );
    }
    if (msp.entitlement === 'esrd' && msp.esrdCoordinationPeriod === undefined) {
      return given('Medicare by ESRD and a group plan.', 'Ask whether the patient is within the 30-month ESRD coordination period.');
    }
    const groupPlanFirst = groupPlanPaysFirst(msp);
    if (groupPlanFirst) return medicareFirst ? swapped(groupPlanFirst) : given(groupPlanFirst);
    return medicareFirst ? given(basis) : swapped(basis);
  }
  if (primary.planType === 'medicaid' && secondary.planType !== 'medicaid') return swapped(MEDICAID_LAST);
  if (secondary.planType === 'medicaid' && primary.planType !== 'medicaid') return given(MEDICAID_LAST);
  // TRICARE pays after any other health insurance (Medicaid aside).
  if (primary.planType === 'tricare' && secondary.planType !== 'tricare') return swapped(TRICARE_AFTER);
  if (secondary.planType === 'tricare' && primary.planType !== 'tricare') return given(TRICARE_AFTER);
  const holder = (plan: PlanOnFile) => plan.subscriber.relationship === 'self';
  if (holder(primary) !== holder(secondary)) {
    const basis = 'The plan the patient holds pays before the one covering them as a dependent.';
    return holder(primary) ? given(basis) : swapped(basis);
  }
  if (primary.subscriber.relationship === 'child' && secondary.subscriber.relationship === 'child') {
    const earlier = birthdayRule(primary.subscriber.birthDate, secondary.subscriber.birthDate);
    if (earlier) {
      // Parents living apart go by the custody order instead, which only the family can tell: the desk confirms.
      const basis = 'Birthday rule (parents together): the plan of the parent whose birthday comes first in the year pays first.';
      return earlier === 'first' ? given(basis) : swapped(basis);
    }
  }
  return given(
    'Two plans of the same kind on file.',
    'Two plans the rules do not order (e.g. both the patient’s own): ask which is through current employment, or call the payers.',
  );
}

const MEDICAID_LAST = 'Medicaid pays last, after any other plan.';
const TRICARE_AFTER = 'TRICARE pays after other health insurance.';

/** Who pays before Medicare whatever else is on file, by the MSP answers. */
function mspOtherPayer(msp: MedicareSecondaryPayerAnswers): string | undefined {
  if (msp.blackLungBenefits) return 'the Federal Black Lung Program';
  if (msp.workRelatedInjury) return "workers' compensation";
  if (msp.accidentOtherInsurance) return 'the no-fault or liability insurance';
  if (msp.governmentResearchProgram) return 'the government research program';
  if (msp.veteransAffairsAuthorized) return 'Veterans Affairs';
  return undefined;
}

/** Why a current-employment group plan pays before Medicare, when it does (the MSP size and entitlement rules). */
function groupPlanPaysFirst(msp: MedicareSecondaryPayerAnswers): string | undefined {
  const plan = msp.employerGroupHealthPlan;
  if (msp.entitlement === 'esrd' && msp.esrdCoordinationPeriod)
    return 'ESRD within the 30-month coordination period: the group plan pays first.';
  if (!plan?.currentEmployment) return undefined;
  if (msp.entitlement === 'age' && plan.employerSize !== 'under-20')
    return 'Medicare by age, group plan of an employer of 20 or more: the group plan pays first.';
  if (msp.entitlement === 'disability' && plan.employerSize === '100-or-more')
    return 'Medicare by disability, group plan of an employer of 100 or more: the group plan pays first.';
  return undefined;
}

/** Which subscriber's birthday (month and day) comes first in the year; undefined when the same day. */
function birthdayRule(first: string, second: string): 'first' | 'second' | undefined {
  const monthDay = (date: string) => date.slice(5);
  if (monthDay(first) === monthDay(second)) return undefined;
  return monthDay(first) < monthDay(second) ? 'first' : 'second';
}
