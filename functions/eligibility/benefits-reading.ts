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
  /** The service type whose lines answered: the one asked, a related one ("AD" for "PT"), or "30" (plan level). */
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
  /** Visits allowed per period, and how many are used or remain where the payer says. */
  visitLimit?: { visits: number; used?: number; remaining?: number; period?: Period };
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
