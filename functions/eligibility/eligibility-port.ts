import { createHash } from 'node:crypto';

/**
 * The eligibility port: one real-time X12 270 inquiry, answered by a 271. The real adapter speaks the clearinghouse's
 * JSON API (stedi-eligibility-adapter.ts); the local cloud answers with local/clearinghouse-simulator.
 * The response keeps only what the interpretation reads — no names, birth dates or member IDs come back out.
 */
export interface EligibilityPort {
  /**
   * Sends one eligibility inquiry. Throws TransientDependencyError (ClearinghouseUnavailable) when the clearinghouse or
   * payer cannot answer now (the workflow retries); a payer's rejection of the request itself is returned in `errors`.
   */
  check(request: EligibilityRequest): Promise<EligibilityResponse>;
}

/** A person as the payer knows them. PHI: only ever sent to the clearinghouse, never logged or stored elsewhere. */
export interface EligibilityPerson {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  birthDate: string;
}

export interface EligibilityRequest {
  /** 9 digits, derived from the journey (controlNumberFor), so every retry of one journey sends the same number. */
  controlNumber: string;
  /** The clearinghouse's payer ID (Stedi: tradingPartnerServiceId). */
  payer: { id: string; name?: string };
  /** The clinic as billing provider (organisation NPI and name). */
  provider: { npi: string; organizationName: string };
  subscriber: EligibilityPerson & { memberId: string; groupNumber?: string };
  /** Present when the patient is covered as the subscriber's dependent. */
  dependent?: EligibilityPerson & { relationship: 'spouse' | 'child' | 'other' };
  /** X12 service type code of the appointment type (e.g. "98" office visit, "62" MRI/CAT scan). */
  serviceTypeCode: string;
  /** The visit's date (YYYY-MM-DD), when known: coverage is checked for that day. */
  dateOfService?: string;
}

/** A plan-level status line (Stedi's deprecated `planStatus`; still sent, and read as a fallback). */
export interface PlanStatusEntry {
  /** EB01 code: "1" active, "6" inactive, … */
  statusCode: string;
  serviceTypeCodes: string[];
}

/** One X12 EB segment (Stedi: an entry of `benefitsInformation`), with amounts already in integer cents. */
export interface BenefitEntry {
  /** EB01: "1" active coverage, "6" inactive, "A" co-insurance, "B" co-payment, "C" deductible, "I" non-covered, … */
  code: string;
  /** EB03; empty means the entry applies to the plan as a whole. */
  serviceTypeCodes: string[];
  /** EB07 (benefitAmount), in cents. */
  amountCents?: number;
  /** EB08 (benefitPercent) as a percentage: the payer's "0.2" is 20. */
  percent?: number;
  /** EB06, e.g. "23" calendar year, "27" visit, "29" remaining. */
  timeQualifierCode?: string;
  /** EB12: "Y" in network, "N" out of network, "W" both, "U" unknown. */
  inPlanNetworkIndicatorCode?: string;
  /** EB02, e.g. "IND", "FAM". */
  coverageLevelCode?: string;
  /** EB11: "Y" prior authorisation or certification required, "N" not, "U" unknown. */
  authOrCertIndicator?: string;
  /** EB04: the insurance type (e.g. "MA" Medicare Part A, "MB" Part B, "MC" Medicaid, "QM" QMB, "12" MSP …). */
  insuranceTypeCode?: string;
  /** EB05: the plan's own description of the coverage. */
  planCoverage?: string;
  /** EB09 and EB10: a quantity and what it counts (e.g. "VS" visits, "DY" days, "P6" number of services). */
  quantityQualifierCode?: string;
  quantity?: number;
  /** HSD (Stedi: benefitsServiceDelivery): delivery or visit limits, e.g. 35 visits ("VS") per year ("22"/"23"). */
  deliveries?: Array<{ quantityQualifierCode?: string; quantity?: number; timePeriodQualifierCode?: string; numberOfPeriods?: number }>;
  /** III with qualifier ZZ (Stedi: eligibilityAdditionalInformation): the place of service the line is for, e.g. "11" office. */
  placesOfService?: string[];
  /** MSG (Stedi: additionalInformation[].description): the payer's free text about the line, verbatim. */
  messages?: string[];
  /**
   * The loop 2120 entities (Stedi: benefitsRelatedEntities): e.g. the other payer of an EB*R line ("PRP" primary payer,
   * "SEP" secondary, "PR" payer) or a primary care provider ("P3"). Names as the payer sent them.
   */
  relatedEntities?: Array<{ entityIdentifier: string; name?: string; identifier?: string }>;
  /**
   * DTP in loop 2110 (Stedi: benefitsDateInformation): the days the line holds for (YYYY-MM-DD, inclusive), e.g. a
   * past inactive period or a plan year. Absent: the line holds for the inquiry's date.
   */
  period?: { start?: string; end?: string };
}

/** An AAA rejection: the payer (or clearinghouse on its behalf) could not process the inquiry as sent. */
export interface PayerRejection {
  /** AAA03 reject reason code, e.g. "42", "72", "75". */
  code: string;
  /** AAA04, e.g. "Please Correct and Resubmit". */
  followupAction?: string;
}

export interface EligibilityResponse {
  planStatus: PlanStatusEntry[];
  benefitsInformation: BenefitEntry[];
  errors: PayerRejection[];
}

/**
 * The inquiry's control number: 9 digits derived from the journey ID, so a retried or redriven task sends the same
 * number and the clearinghouse's and payer's logs line up with one journey.
 */
export function controlNumberFor(journeyId: string): string {
  const digest = createHash('sha256').update(`eligibility#${journeyId}`).digest();
  return (digest.readBigUInt64BE(0) % 1_000_000_000n).toString().padStart(9, '0');
}
