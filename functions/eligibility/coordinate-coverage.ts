import type { CoordinationRecord, CoverageSummary } from '#model/benefits-reading.ts';
import { type AppointmentType, allowedAmountFor, type ClinicCatalog, networkWith } from '#model/clinic-catalog.ts';
import { coordinateBenefits } from '#model/coordination-of-benefits.ts';
import type { InsuranceCoverage } from '#model/patient-records.ts';
import type { EstimateWorking } from '#model/patient-share.ts';
import type { EligibilityPerson, EligibilityPort, EligibilityRequest } from './eligibility-port.ts';
import { interpretEligibility, signableEstimate } from './interpret-eligibility.ts';
import { buildEligibilityRequest } from './prepare-eligibility-check.ts';
import type { ReadingRequest } from './read-benefits.ts';

/** The check as the journey acts on it: the paying-first plan's reading and payer, and how the two plans were ordered. */
export interface CoordinatedCheck {
  summary: CoverageSummary;
  payerId: string;
  coordination?: CoordinationRecord;
  /** Whether an estimate may be charged ahead: not while a person must order the plans, nor while a second plan may pay part. */
  chargeAhead: boolean;
  /**
   * The patient's share with its working, when it may be charged ahead and the reading is one a person could sign: from
   * the paying-first payer's contracted rate for the type where the clinic has one (catalog `payerRates`).
   */
  estimate?: EstimateWorking;
}

/**
 * Asks the payer of the plan given first (`request`) and, with a second plan on file, that plan's payer too (its own
 * 270), and orders the two (model coordination-of-benefits.ts). The journey then acts on the plan that pays first. When
 * the rules need a person (the MSP questions unanswered, another payer first, two plans the rules do not order, a second
 * plan that could not be verified), the check needs review with that reason and charges nothing. When the plan paying
 * second is active, nothing is charged ahead either: it may pay part of the patient's share, so the desk collects after
 * the claims. Each plan is read for the clinic's network status with its payer at `locationId` (catalog
 * `payerNetworks`), on the day `on`, and knows the other is on file, so the payer listing it as other coverage is no
 * question.
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
    request: EligibilityRequest;
    /** Where the visit is (or the patient asked for), for the network status; none: the clinic-wide status. */
    locationId?: string;
    /** The day the coverage is read for (YYYY-MM-DD). */
    on?: string;
  },
): Promise<CoordinatedCheck> {
  const checked = await orderedCheck(eligibility, input);
  // From the payer's contracted rate only where the clinic is in its network (a contract is what makes it so).
  const allowed = allowedAmountFor(
    input.catalog,
    { payerId: checked.payerId, inNetwork: checked.summary.inNetwork !== false },
    input.appointmentType,
  );
  const estimate = checked.chargeAhead ? signableEstimate(checked.summary, allowed) : undefined;
  return { ...checked, ...(estimate ? { estimate } : {}) };
}

async function orderedCheck(
  eligibility: EligibilityPort,
  input: Parameters<typeof coordinateCoverage>[1],
): Promise<Omit<CoordinatedCheck, 'estimate'>> {
  const { coverage, appointmentType } = input;
  const plans = [coverage, ...(coverage.secondary ? [coverage.secondary] : [])];
  const readingFor = (payerId: string): ReadingRequest => ({
    serviceTypeCode: appointmentType.serviceTypeCode,
    ...(appointmentType.officeVisit ? { officeVisit: appointmentType.officeVisit } : {}),
    network: networkWith(input.catalog, payerId, input.locationId),
    ...(input.on ? { on: input.on } : {}),
    otherPlansOnFile: plans.filter((p) => p.payerId !== payerId).flatMap((p) => [p.payerId, p.payerName]),
  });
  const primary = interpretEligibility(await eligibility.check(input.request), readingFor(coverage.payerId));
  const order = coordinateBenefits(coverage, coverage.secondary, coverage.medicareSecondaryPayer);
  const onFileSecondary = coverage.secondary;
  if (!onFileSecondary) {
    if (!order.review) return { summary: primary, payerId: coverage.payerId, chargeAhead: true };
    const coordination = { primaryPayerId: coverage.payerId, basis: order.basis, review: order.review };
    return { summary: needsReview(primary, order.review), payerId: coverage.payerId, coordination, chargeAhead: false };
  }
  // The second plan as a policy of its own: none of the first plan's fields (its group number) carried over.
  const { type, clinicId, patientId, updatedAt } = coverage;
  const request = {
    ...buildEligibilityRequest(
      { ...input, journeyId: `${input.journeyId}#secondary`, coverage: { type, clinicId, patientId, updatedAt, ...onFileSecondary } },
      input.appointmentType,
    ),
    ...(input.request.dateOfService ? { dateOfService: input.request.dateOfService } : {}),
  };
  // A second payer that cannot answer (down, busy, an ID the clearinghouse does not know) must not hold up the first
  // plan's check: the second is then unverified, which a person looks at.
  const other = await eligibility.check(request).then(
    (response) => interpretEligibility(response, readingFor(onFileSecondary.payerId)),
    (error: unknown): CoverageSummary => ({
      outcome: 'NEEDS_REVIEW',
      serviceTypeCode: request.serviceTypeCode,
      coverageActive: false,
      priorAuthorizationRequired: false,
      reason: `The payer did not answer (${(error as Error).name}).`,
    }),
  );
  const ordered = order.primary === 'on-file-secondary';
  // The plan that would pay first is inactive and the other active: the active one is the only one to bill.
  const [orderedFirst, orderedSecond] = ordered ? [other, primary] : [primary, other];
  const onlyOtherActive = orderedFirst.outcome === 'INACTIVE' && orderedSecond.outcome === 'ACTIVE';
  const secondFirst = ordered !== onlyOtherActive;
  const [first, second] = secondFirst ? [other, primary] : [primary, other];
  const [firstPayer, secondPayer] = secondFirst ? [onFileSecondary.payerId, coverage.payerId] : [coverage.payerId, onFileSecondary.payerId];
  const unverified =
    second.outcome === 'MEMBER_NOT_FOUND' || (second.outcome === 'NEEDS_REVIEW' && !second.coverageActive)
      ? `The second plan (payer ${secondPayer}) could not be verified: ${second.reason}`
      : undefined;
  const review = order.review ?? unverified;
  const coordination: CoordinationRecord = {
    primaryPayerId: firstPayer,
    secondaryPayerId: secondPayer,
    basis: onlyOtherActive ? 'The plan that would pay first is inactive; the other, active, is billed.' : order.basis,
    secondaryOutcome: second.outcome,
    secondaryActive: second.coverageActive,
    ...(review ? { review } : {}),
  };
  if (review) return { summary: needsReview(first, review), payerId: firstPayer, coordination, chargeAhead: false };
  return {
    summary: second.coverageActive
      ? {
          ...first,
          reason: `${first.reason} A second plan (payer ${secondPayer}) may pay part of the patient's share: nothing is charged ahead.`,
        }
      : first,
    payerId: firstPayer,
    coordination,
    chargeAhead: !second.coverageActive,
  };
}

function needsReview(summary: CoverageSummary, why: string): CoverageSummary {
  if (summary.outcome !== 'ACTIVE') return summary;
  return { ...summary, outcome: 'NEEDS_REVIEW', reason: `The plan is active, but who pays first needs a person: ${why}` };
}
