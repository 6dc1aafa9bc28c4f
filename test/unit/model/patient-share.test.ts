import { describe, expect, it } from 'vitest';
import { amountDueNow, visitChargeIdempotencyKey } from '#model/patient-share.ts';

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
  it('derives the same key from the same journey', () => {
    expect(visitChargeIdempotencyKey('j-1')).toBe('journey-j-1-visit-charge');
    expect(visitChargeIdempotencyKey('j-1')).toBe(visitChargeIdempotencyKey('j-1'));
    expect(visitChargeIdempotencyKey('j-2')).not.toBe(visitChargeIdempotencyKey('j-1'));
  });
});
