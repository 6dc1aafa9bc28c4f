import type { Amounts } from './journey.ts';

/** The plan's cost-sharing terms for a service, as eligibility read them (all in integer cents or percent). */
export interface CostSharing {
  copayCents?: number;
  coinsurancePercent?: number;
  deductibleRemainingCents?: number;
  /** What is left of the out-of-pocket maximum: once met, the patient owes nothing more this period. */
  outOfPocketRemainingCents?: number;
}

export type AmountDue = { kind: 'CHARGE'; amountCents: number } | { kind: 'NOTHING_DUE' };

/**
 * What to charge now: what eligibility says the patient owes for this visit, less what they already paid.
 * No estimate (e.g. staff moved the journey past eligibility) means nothing is charged automatically: the desk
 * collects at the visit rather than the system guessing an amount.
 */
export function amountDueNow(amounts: Pick<Amounts, 'dueCents' | 'paidCents'>): AmountDue {
  const due = amounts.dueCents ?? 0;
  const paid = amounts.paidCents ?? 0;
  if (!Number.isInteger(due) || !Number.isInteger(paid)) throw new Error('Amounts must be whole cents');
  const remaining = due - paid;
  return remaining > 0 ? { kind: 'CHARGE', amountCents: remaining } : { kind: 'NOTHING_DUE' };
}

/** The one charge per visit: derived from the journey, so a retried task or redriven execution reuses it. */
export function visitChargeIdempotencyKey(journeyId: string): string {
  return `journey-${journeyId}-visit-charge`;
}

/** Where the allowed amount of an estimate came from: the payer's contracted rate, or the clinic's own amount. */
export type AllowedAmountSource = 'payer-rate' | 'clinic';

/** An estimate with its working, as staff check it: the allowed amount, each term that applied, and the total. */
export interface EstimateWorking {
  allowedAmountCents: number;
  allowedAmountFrom: AllowedAmountSource;
  /** In order: what each term adds (a copay; or the deductible, then the coinsurance), and a cap when one applied. */
  lines: Array<{ term: 'copay' | 'deductible' | 'coinsurance' | 'out-of-pocket cap'; cents: number; detail: string }>;
  dueCents: number;
}

/**
 * What the patient is expected to pay at the desk for a visit with this allowed amount, in integer cents:
 * a flat copay when the plan has one (capped at the allowed amount); otherwise what is left of the deductible
 * (up to the allowed amount) plus the co-insurance share of the rest, rounded half up.
 * Unknown terms count as nothing owed: the desk collects what is certainly due, the claim settles the rest.
 */
export function estimatePatientResponsibility(summary: CostSharing, allowedAmountCents: number): number {
  return estimateWithWorking(summary, { cents: allowedAmountCents, from: 'clinic' }).dueCents;
}

/** The estimate (estimatePatientResponsibility) with its working, line by line. */
export function estimateWithWorking(summary: CostSharing, allowedAmount: { cents: number; from: AllowedAmountSource }): EstimateWorking {
  const allowed = Math.max(0, Math.round(allowedAmount.cents));
  const lines: EstimateWorking['lines'] = [];
  const hasPercentageTerms = summary.coinsurancePercent !== undefined || summary.deductibleRemainingCents !== undefined;
  // A $0 copay next to co-insurance or a deductible means "no copay, cost sharing applies" (payers send both).
  if (summary.copayCents !== undefined && (summary.copayCents > 0 || !hasPercentageTerms)) {
    lines.push({ term: 'copay', cents: Math.min(summary.copayCents, allowed), detail: `copay ${dollars(summary.copayCents)}` });
  } else {
    const deductiblePart = Math.min(summary.deductibleRemainingCents ?? 0, allowed);
    if (summary.deductibleRemainingCents !== undefined) {
      lines.push({
        term: 'deductible',
        cents: deductiblePart,
        detail: `${dollars(summary.deductibleRemainingCents)} of the deductible left`,
      });
    }
    const rest = allowed - deductiblePart;
    if (summary.coinsurancePercent !== undefined) {
      const cents = roundHalfUp((rest * summary.coinsurancePercent) / 100);
      lines.push({ term: 'coinsurance', cents, detail: `${summary.coinsurancePercent}% of ${dollars(rest)}` });
    }
  }
  const sum = lines.reduce((total, line) => total + line.cents, 0);
  // Never more than is left of the out-of-pocket maximum: a patient who met it owes nothing more.
  const cap = Math.min(allowed, summary.outOfPocketRemainingCents ?? allowed);
  if (sum > cap) {
    const detail = cap === allowed ? 'no more than the allowed amount' : `${dollars(cap)} of the out-of-pocket maximum left`;
    lines.push({ term: 'out-of-pocket cap', cents: cap - sum, detail });
  }
  return { allowedAmountCents: allowed, allowedAmountFrom: allowedAmount.from, lines, dueCents: Math.min(sum, cap) };
}

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function roundHalfUp(value: number): number {
  return Math.floor(value + 0.5);
}
