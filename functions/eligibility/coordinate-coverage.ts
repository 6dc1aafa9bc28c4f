import type { CoordinationRecord, CoverageSummary } from '#model/benefits-reading.ts';
import type { AppointmentType, ClinicCatalog } from '#model/clinic-catalog.ts';
import { coordinateBenefits } from '#model/coordination-of-benefits.ts';
import type { InsuranceCoverage } from '#model/patient-records.ts';
import type { EligibilityPerson, EligibilityPort } from './eligibility-port.ts';
import { interpretEligibility } from './interpret-eligibility.ts';
import { buildEligibilityRequest } from './prepare-eligibility-check.ts';
import type { ReadingRequest } from './read-benefits.ts';

/** The check as the journey acts on it: the paying-first plan's reading and payer, and how the two plans were ordered. */
export interface CoordinatedCheck {
  summary: CoverageSummary;
  payerId: string;
  coordination?: CoordinationRecord;
}

/**
 * With a second plan on file, it is checked too (its own 270), and the order of the two decided (model
 * coordination-of-benefits.ts). The journey then acts on the plan that pays first. When the rules need a person (the
 * MSP questions unanswered, another payer first, two plans the rules do not order), the check needs review with that
 * reason. When the plan paying second is active, nothing is charged ahead: it may pay part of the patient's share, so
 * the desk collects after the claims (`secondaryActive`, which the caller turns into no estimate).
 */
export async function coordinateCoverage(
  eligibility: EligibilityPort,
  input: {
    journeyId: string;
    appointmentTypeCode: string;
    catalog: ClinicCatalog;
    appointmentType: AppointmentType;
    coverage: InsuranceCoverage;
    patient: EligibilityPerson;
    primary: CoverageSummary;
    readingFor: (payerId: string) => ReadingRequest;
    dateOfService?: string;
  },
): Promise<CoordinatedCheck> {
  const { coverage, primary } = input;
  const order = coordinateBenefits(coverage, coverage.secondary, coverage.medicareSecondaryPayer);
  const onFileSecondary = coverage.secondary;
  if (!onFileSecondary) {
    if (!order.review) return { summary: primary, payerId: coverage.payerId };
    const coordination = { primaryPayerId: coverage.payerId, basis: order.basis, review: order.review };
    return { summary: needsReview(primary, order.review), payerId: coverage.payerId, coordination };
  }
  const request = {
    ...buildEligibilityRequest(
      { ...input, journeyId: `${input.journeyId}#secondary`, coverage: { ...coverage, ...onFileSecondary } },
      input.appointmentType,
    ),
    ...(input.dateOfService ? { dateOfService: input.dateOfService } : {}),
  };
  const other = interpretEligibility(await eligibility.check(request), input.readingFor(onFileSecondary.payerId));
  const [first, second] = order.primary === 'on-file-primary' ? [primary, other] : [other, primary];
  const [firstPayer, secondPayer] =
    order.primary === 'on-file-primary' ? [coverage.payerId, onFileSecondary.payerId] : [onFileSecondary.payerId, coverage.payerId];
  const coordination: CoordinationRecord = {
    primaryPayerId: firstPayer,
    secondaryPayerId: secondPayer,
    basis: order.basis,
    secondaryOutcome: second.outcome,
    ...(order.review ? { review: order.review } : {}),
  };
  if (order.review) return { summary: needsReview(first, order.review), payerId: firstPayer, coordination };
  const secondActive = second.coverageActive;
  return {
    summary: secondActive
      ? {
          ...first,
          reason: `${first.reason} A second plan (payer ${secondPayer}) may pay part of the patient's share: nothing is charged ahead.`,
        }
      : first,
    payerId: firstPayer,
    coordination: { ...coordination, secondaryActive: secondActive },
  };
}

function needsReview(summary: CoverageSummary, why: string): CoverageSummary {
  if (summary.outcome !== 'ACTIVE') return summary;
  return { ...summary, outcome: 'NEEDS_REVIEW', reason: `The plan is active, but who pays first needs a person: ${why}` };
}
