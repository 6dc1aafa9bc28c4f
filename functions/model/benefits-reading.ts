import type { EligibilityResult } from '#contract/journey-workflow.ts';
import type { EstimateWorking } from './patient-share.ts';

/**
 * What an insurance verification specialist reads from a 271 for one service type, for the clinic's network status
 * with the payer: the plan's status, the patient's cost sharing with its coverage level and period, limits, prior
 * authorization, other payers, and the payer's own words. When the response does not let a careful person decide,
 * `uncertain` says why (a staff task) instead of a guess. Pure types: no AWS.
 */
export interface BenefitsReading {
  /** ACTIVE / INACTIVE for the service; REJECTED: an AAA; UNKNOWN: the response gives no status for the service. */
  status: 'ACTIVE' | 'INACTIVE' | 'REJECTED' | 'UNKNOWN';
  /** The X12 service type asked about (e.g. "98", "PT", "62"). */
  serviceTypeCode: string;
  /** The service type whose lines answered: the one asked, a related one ("AE" physical medicine for "PT"), or "30" (plan level). */
  answeredUnder?: string;
  /** The clinic's network status with this payer, as the reading assumed it (catalog setting). */
  network: 'IN' | 'OUT';
  /** The service is listed as not covered (EB*I) for this network. */
  notCovered: boolean;
  /** Per visit, in cents. */
  copayCents?: number;
  /** 0–100. */
  coinsurancePercent?: number;
  deductible?: {
    individual?: Accumulator;
    family?: Accumulator;
    /** The payer lists a $0 deductible for this service (e.g. office visits), whatever the plan's deductible. */
    waivedForService?: boolean;
  };
  outOfPocket?: { individual?: Accumulator; family?: Accumulator };
  /** Visits allowed per period, and how many are used or remain, as far as the payer says (some give only what remains). */
  visitLimit?: { visits?: number; used?: number; remaining?: number; period?: Period };
  /** REQUIRED / NOT_REQUIRED from the service's own lines (EB11, or the payer's words); UNKNOWN when nothing says. */
  priorAuthorization: 'REQUIRED' | 'NOT_REQUIRED' | 'UNKNOWN';
  /** Other coverage the payer reports (EB*R), and who pays first where it says. */
  otherPayers: Array<{ name?: string; payerId?: string; insuranceTypeCode?: string; primary?: boolean }>;
  /** The patient owes no cost sharing (Medicare QMB): whatever copay or coinsurance the lines give. */
  costSharingWaived?: 'QMB';
  /** The payer's free text (MSG), verbatim, each once, in the order sent: shown to staff as is. */
  payerMessages: string[];
  /** REJECTED: the AAA reject reason and what it means. */
  rejection?: { code: string; meaning: string; memberNotFound: boolean };
  /** Why a careful person could not decide from this response (empty when the reading can be acted on). */
  uncertain: string[];
}

/** A deductible's or out-of-pocket maximum's total for the period and what remains of it, in cents. */
export interface Accumulator {
  totalCents?: number;
  remainingCents?: number;
  period?: Period;
}

/** EB06 / HSD time periods, named. */
export type Period = 'calendar-year' | 'plan-year' | 'service-year' | 'lifetime' | 'visit' | 'day' | 'month' | 'other';

/**
 * What the front desk needs from a 271 for one appointment type: is the plan active for the service, what the
 * patient's cost sharing is, and whether prior authorisation is needed. No names or member ID; the reading's payer
 * messages are the payer's free text (which can name a condition), so the summary is shown only in the eligibility
 * task, to the people of that queue; the `reason` alone is shown in queues.
 */
export interface CoverageSummary {
  outcome: EligibilityResult['outcome'];
  /** The X12 service type code asked about. */
  serviceTypeCode: string;
  /** The payer reports active coverage (true also when the outcome is NEEDS_REVIEW for prior authorisation). */
  coverageActive: boolean;
  copayCents?: number;
  coinsurancePercent?: number;
  deductibleRemainingCents?: number;
  /** The smaller of the individual and family out-of-pocket remainders, when the payer gives one. */
  outOfPocketRemainingCents?: number;
  /** The clinic's network status with the payer, as the reading took it (the catalog's `payerNetworks`; in by default). */
  inNetwork?: boolean;
  priorAuthorizationRequired: boolean;
  /** The AAA reject reason code, when the payer rejected the inquiry. */
  payerRejectionCode?: string;
  /** In words staff can act on. Shown in queues and alerts, so never PHI. */
  reason: string;
  /** The specialist's reading it came from: the terms, their levels and periods, limits, other payers, the payer's words. */
  benefits?: BenefitsReading;
}

/** The eligibility item (keys.eligibility): the last check's result for staff. No member ID, no names. */
export interface EligibilityCheckRecord {
  type: 'EligibilityCheck';
  clinicId: string;
  journeyId: string;
  appointmentTypeCode: string;
  serviceTypeCode: string;
  /** Absent when no inquiry could be sent (e.g. no insurance on file). */
  payerId?: string;
  controlNumber?: string;
  summary: CoverageSummary;
  /** The estimate recorded on the journey as amounts.dueCents, when the plan is active. */
  dueCents?: number;
  /** How that estimate was reached (allowed amount and its source, each term), for staff to check. */
  estimate?: EstimateWorking;
  /** With two plans on file (or MSP answers that need a person): which pays first, and why. */
  coordination?: CoordinationRecord;
  checkedAt: string;
}

/** How a patient's plans were ordered at a check (coordination of benefits), payer IDs and words only. */
export interface CoordinationRecord {
  primaryPayerId: string;
  secondaryPayerId?: string;
  basis: string;
  /** Why a person must decide the order, when the rules need more than the clinic has. */
  review?: string;
  /** The second plan's outcome when it was checked, and whether it is active (then nothing is charged ahead). */
  secondaryOutcome?: EligibilityResult['outcome'];
  secondaryActive?: boolean;
}
