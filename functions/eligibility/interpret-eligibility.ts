import type { EligibilityResult } from '#contract/journey-workflow.ts';
import type { BenefitEntry, EligibilityResponse, PayerRejection } from './eligibility-port.ts';

/**
 * What the front desk needs from a 271 for one appointment type: is the plan active for the service, what the
 * patient's cost sharing is, and whether prior authorisation is needed. Holds no PHI (no names, no member ID), so it
 * may be stored on the journey partition and shown in staff queues.
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
  /** From the cost-sharing lines used: true for in-network lines, false when only out-of-network lines were given. */
  inNetwork?: boolean;
  priorAuthorizationRequired: boolean;
  /** The AAA reject reason code, when the payer rejected the inquiry. */
  payerRejectionCode?: string;
  /** In words staff can act on. Shown in queues and alerts, so never PHI. */
  reason: string;
}

/**
 * The plan-level service type (30): its lines, or lines with no service type at all, apply when the payer sends nothing
 * specific to the service; an inquiry about an unknown appointment type asks about it.
 */
export const GENERAL_SERVICE_TYPE = '30';
const ACTIVE = '1';
const INACTIVE_CODES = new Set(['6', '7', '8']); // inactive; pending eligibility update; pending investigation
const NON_COVERED = 'I';
const COINSURANCE = 'A';
const COPAY = 'B';
const DEDUCTIBLE = 'C';
const REMAINING = '29';

/** AAA codes that mean the payer could not identify the member or patient: staff check the card and correct it. */
const MEMBER_NOT_FOUND_CODES = new Set(['64', '67', '72', '75', '76', '77', '78']);

/** Standard X12 AAA03 meanings for the codes staff most often see; the text is generic, never the payer's free text. */
const AAA_MEANINGS: Record<string, string> = {
  '15': 'required data missing',
  '33': 'input errors',
  '41': 'authorization or access restrictions',
  '42': 'payer unable to respond now',
  '43': 'invalid or missing provider identification',
  '44': 'invalid or missing provider name',
  '50': 'provider ineligible for inquiries',
  '51': 'provider not on file with the payer',
  '56': 'inappropriate date',
  '57': 'invalid or missing date of service',
  '58': 'invalid or missing date of birth',
  '62': 'date of service outside the allowed inquiry period',
  '64': 'invalid or missing patient ID',
  '65': 'invalid or missing patient name',
  '67': 'patient not found',
  '71': 'birth date does not match the payer’s record',
  '72': 'invalid or missing member ID',
  '73': 'invalid or missing subscriber name',
  '75': 'subscriber not found',
  '76': 'duplicate member ID',
  '77': 'subscriber found, patient not found',
  '78': 'subscriber not in the group or plan',
  '79': 'invalid participant identification',
  '80': 'no response from the payer',
  T4: 'payer name or identifier missing',
};

/**
 * Interprets an eligibility response for one service type. Lines for that service type win; plan-level lines
 * (service type 30, or no service type) fill in what the payer did not send per service — payers commonly report
 * status and deductible at plan level and copays per service.
 */
export function interpretEligibility(response: EligibilityResponse, request: { serviceTypeCode: string }): CoverageSummary {
  const stc = request.serviceTypeCode;
  const base = { serviceTypeCode: stc, coverageActive: false, priorAuthorizationRequired: false };

  if (response.errors.length > 0) return rejected(response.errors, base);

  const statusLines = forService(
    response.benefitsInformation.filter((b) => b.code === ACTIVE || INACTIVE_CODES.has(b.code)),
    stc,
  );
  const statuses = statusLines.length
    ? statusLines.map((b) => b.code)
    : forService(
        response.planStatus.map((p) => ({ code: p.statusCode, serviceTypeCodes: p.serviceTypeCodes })),
        stc,
      ).map((p) => p.code);
  const active = statuses.includes(ACTIVE);
  const inactive = statuses.some((code) => INACTIVE_CODES.has(code));

  if (!active && inactive) {
    return {
      ...base,
      outcome: 'INACTIVE',
      reason: `The payer reports the plan as inactive for service type ${stc}: ask the patient for current insurance or confirm self-pay.`,
    };
  }
  if (!active) {
    return {
      ...base,
      outcome: 'NEEDS_REVIEW',
      reason: `The payer's response gives no coverage status for service type ${stc}: verify coverage with the payer by phone or portal.`,
    };
  }
  if (inactive) {
    return {
      ...base,
      outcome: 'NEEDS_REVIEW',
      reason: `The payer reports both active and inactive coverage for service type ${stc}: verify coverage with the payer.`,
    };
  }

  const costs = costSharing(response.benefitsInformation, stc);
  const priorAuthorizationRequired = forServiceOrGeneral(response.benefitsInformation, stc).some((b) => b.authOrCertIndicator === 'Y');
  const activeSummary = { ...base, ...costs, coverageActive: true, priorAuthorizationRequired };

  if (response.benefitsInformation.some((b) => b.code === NON_COVERED && b.serviceTypeCodes.includes(stc))) {
    return {
      ...activeSummary,
      outcome: 'NEEDS_REVIEW',
      reason: `The plan is active, but the payer lists service type ${stc} as not covered: discuss self-pay or an exception with the patient.`,
    };
  }
  if (priorAuthorizationRequired) {
    return {
      ...activeSummary,
      outcome: 'NEEDS_REVIEW',
      reason: `The plan is active, but the payer requires prior authorization for service type ${stc}: obtain it, then proceed.`,
    };
  }
  return { ...activeSummary, outcome: 'ACTIVE', reason: `Coverage is active for service type ${stc}.` };
}

function rejected(errors: PayerRejection[], base: Omit<CoverageSummary, 'outcome' | 'reason'>): CoverageSummary {
  const notFound = errors.find((e) => MEMBER_NOT_FOUND_CODES.has(e.code));
  const first = notFound ?? (errors[0] as PayerRejection);
  const meaning = AAA_MEANINGS[first.code] ?? 'see the payer’s reject reason code';
  if (notFound) {
    return {
      ...base,
      outcome: 'MEMBER_NOT_FOUND',
      payerRejectionCode: notFound.code,
      reason: `The payer could not identify the member (AAA ${notFound.code}: ${meaning}): check the member ID, name and birth date against the insurance card.`,
    };
  }
  return {
    ...base,
    outcome: 'NEEDS_REVIEW',
    payerRejectionCode: first.code,
    reason: `The payer rejected the eligibility inquiry (AAA ${first.code}: ${meaning}): correct the request or verify coverage with the payer.`,
  };
}

/** Entries for exactly this service type if there are any, else the plan-level ones. */
function forService<T extends Pick<BenefitEntry, 'serviceTypeCodes'>>(entries: T[], stc: string): T[] {
  const specific = entries.filter((e) => e.serviceTypeCodes.includes(stc));
  return specific.length ? specific : entries.filter(isGeneral);
}

/** Entries for this service type and the plan-level ones together. */
function forServiceOrGeneral(entries: BenefitEntry[], stc: string): BenefitEntry[] {
  return entries.filter((e) => e.serviceTypeCodes.includes(stc) || isGeneral(e));
}

function isGeneral(entry: Pick<BenefitEntry, 'serviceTypeCodes'>): boolean {
  return entry.serviceTypeCodes.length === 0 || entry.serviceTypeCodes.includes(GENERAL_SERVICE_TYPE);
}

type NetworkView = { entries: BenefitEntry[]; inNetwork?: boolean };

/**
 * Picks one network view for all cost-sharing lines: in-network (Y, plus W lines that apply to both), else lines with
 * no or unknown indicator, else out-of-network. The clinic is assumed in network unless the payer only gave
 * out-of-network terms. Within a view, several values for one term (individual and family deductible, copays per
 * place of service) resolve to the smallest: the desk never collects more than is certainly owed.
 */
function costSharing(
  entries: BenefitEntry[],
  stc: string,
): Pick<CoverageSummary, 'copayCents' | 'coinsurancePercent' | 'deductibleRemainingCents' | 'inNetwork'> {
  const costLines = entries.filter(
    (b) =>
      (b.code === COPAY && b.amountCents !== undefined) ||
      (b.code === COINSURANCE && b.percent !== undefined) ||
      (b.code === DEDUCTIBLE && b.timeQualifierCode === REMAINING && b.amountCents !== undefined),
  );
  const view = networkView(costLines);
  const pick = (code: string) =>
    forService(
      view.entries.filter((b) => b.code === code),
      stc,
    );
  const smallest = (values: Array<number | undefined>) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length ? Math.min(...known) : undefined;
  };
  const copayCents = smallest(pick(COPAY).map((b) => b.amountCents));
  const coinsurancePercent = smallest(pick(COINSURANCE).map((b) => b.percent));
  const deductibleRemainingCents = smallest(pick(DEDUCTIBLE).map((b) => b.amountCents));
  return {
    ...(copayCents !== undefined ? { copayCents } : {}),
    ...(coinsurancePercent !== undefined ? { coinsurancePercent } : {}),
    ...(deductibleRemainingCents !== undefined ? { deductibleRemainingCents } : {}),
    ...(view.inNetwork !== undefined ? { inNetwork: view.inNetwork } : {}),
  };
}

function networkView(lines: BenefitEntry[]): NetworkView {
  const inNetwork = lines.filter((b) => b.inPlanNetworkIndicatorCode === 'Y' || b.inPlanNetworkIndicatorCode === 'W');
  if (inNetwork.length) {
    return inNetwork.some((b) => b.inPlanNetworkIndicatorCode === 'Y') ? { entries: inNetwork, inNetwork: true } : { entries: inNetwork };
  }
  const unknown = lines.filter((b) => !['Y', 'W', 'N'].includes(b.inPlanNetworkIndicatorCode ?? ''));
  if (unknown.length) return { entries: unknown };
  const outOfNetwork = lines.filter((b) => b.inPlanNetworkIndicatorCode === 'N');
  return outOfNetwork.length ? { entries: outOfNetwork, inNetwork: false } : { entries: [] };
}
