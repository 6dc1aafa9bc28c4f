import type { Amounts } from '#shared/journey-store.ts';

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
