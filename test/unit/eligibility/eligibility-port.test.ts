import { describe, expect, it } from 'vitest';
import { controlNumberFor } from '#functions/eligibility/eligibility-port.ts';

describe('Function: controlNumberFor', () => {
  it('gives the same 9 digits for the same journey and different ones for another', () => {
    // Act
    const first = controlNumberFor('journey-1');
    const again = controlNumberFor('journey-1');
    const other = controlNumberFor('journey-2');

    // Assess
    expect(first).toMatch(/^\d{9}$/);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });
});
