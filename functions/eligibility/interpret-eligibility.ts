import type { BenefitsReading, CoverageSummary } from '#model/benefits-reading.ts';
import { type AllowedAmountSource, type EstimateWorking, estimateWithWorking } from '#model/patient-share.ts';
import type { EligibilityResponse } from './eligibility-port.ts';
import { PLAN_LEVEL, type ReadingRequest, readBenefits } from './read-benefits.ts';

/**
 * The plan-level service type (30): its lines, or lines with no service type at all, apply when the payer sends nothing
 * specific to the service; an inquiry about an unknown appointment type asks about it.
 */
export const GENERAL_SERVICE_TYPE = PLAN_LEVEL;

/**
 * Interprets an eligibility response for one service type: the specialist's reading (read-benefits.ts), and what the
 * journey does with it. Active and decidable → ACTIVE; inactive → INACTIVE; the member not identified →
 * MEMBER_NOT_FOUND; anything a person must look at (a rejection, no status, not covered, a response that does not
 * decide) → NEEDS_REVIEW with the reason. Prior authorization required stays ACTIVE: scheduling books the visit and
 * opens its authorization case (functions/scheduling/authorization-gate.ts). The cost sharing quoted is the reading's.
 */
export function interpretEligibility(response: EligibilityResponse, request: ReadingRequest): CoverageSummary {
  const stc = request.serviceTypeCode;
  const reading = readBenefits(response, request);
  const base = { serviceTypeCode: stc, coverageActive: false, priorAuthorizationRequired: false, benefits: reading };
  if (reading.status === 'REJECTED' && reading.rejection) {
    const { code, meaning, memberNotFound } = reading.rejection;
    return memberNotFound
      ? {
          ...base,
          outcome: 'MEMBER_NOT_FOUND',
          payerRejectionCode: code,
          reason: `The payer could not identify the member (AAA ${code}: ${meaning}): check the member ID, name and birth date against the insurance card.`,
        }
      : {
          ...base,
          outcome: 'NEEDS_REVIEW',
          payerRejectionCode: code,
          reason: `The payer rejected the eligibility inquiry (AAA ${code}: ${meaning}): correct the request or verify coverage with the payer.`,
        };
  }
  if (reading.status === 'INACTIVE') {
    return {
      ...base,
      outcome: 'INACTIVE',
      reason: `The payer reports the plan as inactive for service type ${stc}: ask the patient for current insurance or confirm self-pay.`,
    };
  }
  if (reading.status === 'UNKNOWN') {
    return {
      ...base,
      outcome: 'NEEDS_REVIEW',
      reason: `The payer's response gives no coverage status for service type ${stc}: verify coverage with the payer by phone or portal.`,
    };
  }
  const waived = reading.costSharingWaived !== undefined;
  const activeSummary: CoverageSummary = {
    ...base,
    outcome: 'ACTIVE',
    coverageActive: true,
    priorAuthorizationRequired: reading.priorAuthorization === 'REQUIRED',
    ...(waived ? { copayCents: 0, coinsurancePercent: 0, deductibleRemainingCents: 0 } : costOf(reading)),
    inNetwork: reading.network === 'IN',
    // Prior authorization does not hold eligibility up: the visit is booked and its case opened (authorization-gate.ts).
    reason:
      reading.priorAuthorization === 'REQUIRED'
        ? `Coverage is active for service type ${stc}; the payer requires prior authorization, asked for once the visit is booked.`
        : `Coverage is active for service type ${stc}.`,
  };
  if (reading.notCovered) {
    return {
      ...activeSummary,
      outcome: 'NEEDS_REVIEW',
      reason: `The plan is active, but the payer lists service type ${stc} as not covered: discuss self-pay or an exception with the patient.`,
    };
  }
  if (reading.uncertain.length > 0) {
    return {
      ...activeSummary,
      outcome: 'NEEDS_REVIEW',
      reason: `The plan is active, but the response does not decide: ${reading.uncertain.join(' ')}`,
    };
  }
  return activeSummary;
}

function costOf(
  reading: BenefitsReading,
): Pick<CoverageSummary, 'copayCents' | 'coinsurancePercent' | 'deductibleRemainingCents' | 'outOfPocketRemainingCents'> {
  const oop = [reading.outOfPocket?.individual?.remainingCents, reading.outOfPocket?.family?.remainingCents].filter(
    (v): v is number => v !== undefined,
  );
  // What the patient can still owe toward the deductible: their own remainder, capped by the family's (an embedded
  // deductible is met for everyone once the family's is).
  const remainders = [reading.deductible?.individual?.remainingCents, reading.deductible?.family?.remainingCents].filter(
    (v): v is number => v !== undefined,
  );
  const remaining = reading.deductible?.waivedForService ? 0 : remainders.length > 0 ? Math.min(...remainders) : undefined;
  return {
    ...(reading.copayCents !== undefined ? { copayCents: reading.copayCents } : {}),
    ...(reading.coinsurancePercent !== undefined ? { coinsurancePercent: reading.coinsurancePercent } : {}),
    ...(remaining !== undefined ? { deductibleRemainingCents: remaining } : {}),
    ...(oop.length > 0 ? { outOfPocketRemainingCents: Math.min(...oop) } : {}),
  };
}

/**
 * The estimate a person could sign: from the reading's terms, only when the plan is active, the service covered and
 * nothing left uncertain; undefined otherwise (the desk collects at the visit instead of the system guessing).
 */
export function signableEstimate(
  summary: CoverageSummary,
  allowedAmount: { cents: number; from: AllowedAmountSource },
): EstimateWorking | undefined {
  const signable = summary.coverageActive && !summary.benefits?.notCovered && (summary.benefits?.uncertain.length ?? 0) === 0;
  return signable ? estimateWithWorking(summary, allowedAmount) : undefined;
}
