import { describe, expect, it } from 'vitest';
import { amountDueNow, estimatePatientResponsibility, visitChargeIdempotencyKey } from '#model/patient-share.ts';

describe('Function: amountDueNow', () => {
  it('charges what eligibility says is due when nothing is paid', () => {
    // Prepare
    const amounts = { dueCents: 2500 };

    // Act
    const due = amountDueNow(amounts);

    // Assess
    expect(due).toEqual({ kind: 'CHARGE', amountCents: 2500 });
  });

  it('charges only the remainder after a partial payment', () => {
    expect(amountDueNow({ dueCents: 2500, paidCents: 1000 })).toEqual({ kind: 'CHARGE', amountCents: 1500 });
  });

  it.each([
    ['everything is paid', { dueCents: 2500, paidCents: 2500 }],
    ['more than due is paid', { dueCents: 2500, paidCents: 3000 }],
    ['the plan leaves nothing to pay', { dueCents: 0 }],
    ['eligibility gave no estimate', {}],
  ])('returns NOTHING_DUE when %s', (_case, amounts) => {
    expect(amountDueNow(amounts)).toEqual({ kind: 'NOTHING_DUE' });
  });

  it('rejects fractional cents', () => {
    expect(() => amountDueNow({ dueCents: 25.5 })).toThrow(/whole cents/);
  });
});

describe('Function: visitChargeIdempotencyKey', () => {
  it('names the journey in a key that does not change between calls', () => {
    // Act
    const keys = [visitChargeIdempotencyKey('j-1'), visitChargeIdempotencyKey('j-1')];

    // Assess
    expect(keys).toEqual(['journey-j-1-visit-charge', 'journey-j-1-visit-charge']);
  });

  it('derives different keys for different journeys', () => {
    // Act
    const [first, second] = [visitChargeIdempotencyKey('j-1'), visitChargeIdempotencyKey('j-2')];

    // Assess
    expect(second).toBe('journey-j-2-visit-charge');
    expect(second).not.toBe(first);
  });
});

describe('Function: estimatePatientResponsibility', () => {
  it('charges the flat copay', () => {
    expect(estimatePatientResponsibility({ copayCents: 2500, coinsurancePercent: 20 }, 18_500)).toBe(2500);
  });

  it('caps the copay at the allowed amount', () => {
    expect(estimatePatientResponsibility({ copayCents: 2500 }, 2000)).toBe(2000);
  });

  it('charges the remaining deductible then co-insurance on the rest', () => {
    // $500 deductible left, then 20% of the remaining $700 of a $1,200 MRI.
    expect(estimatePatientResponsibility({ deductibleRemainingCents: 50_000, coinsurancePercent: 20 }, 120_000)).toBe(64_000);
  });

  it('charges no more than the allowed amount when the deductible exceeds it', () => {
    expect(estimatePatientResponsibility({ deductibleRemainingCents: 50_000, coinsurancePercent: 20 }, 18_500)).toBe(18_500);
  });

  it('applies co-insurance next to a $0 copay', () => {
    expect(estimatePatientResponsibility({ copayCents: 0, coinsurancePercent: 20, deductibleRemainingCents: 0 }, 10_000)).toBe(2000);
  });

  it('charges nothing for a $0 copay with no other terms', () => {
    expect(estimatePatientResponsibility({ copayCents: 0 }, 10_000)).toBe(0);
  });

  it('rounds half a cent up', () => {
    expect(estimatePatientResponsibility({ coinsurancePercent: 10 }, 1005)).toBe(101);
    expect(estimatePatientResponsibility({ coinsurancePercent: 12.5 }, 1001)).toBe(125);
  });

  it('charges nothing when the plan gives no cost-sharing terms', () => {
    expect(estimatePatientResponsibility({}, 18_500)).toBe(0);
  });
});

describe('Function: estimatePatientResponsibility, out-of-pocket maximum', () => {
  it('never asks more than is left of the out-of-pocket maximum: nothing once it is met', () => {
    expect(estimatePatientResponsibility({ copayCents: 4000, outOfPocketRemainingCents: 0 }, 18_500)).toBe(0);
    expect(
      estimatePatientResponsibility(
        { coinsurancePercent: 20, deductibleRemainingCents: 50_000, outOfPocketRemainingCents: 12_000 },
        120_000,
      ),
    ).toBe(12_000);
    expect(estimatePatientResponsibility({ coinsurancePercent: 20, outOfPocketRemainingCents: 500_000 }, 120_000)).toBe(24_000);
  });
});
