import { describe, expect, it } from 'vitest';
import { granuleStarts } from '#model/busy-time.ts';

describe('Function: granuleStarts', () => {
  it('covers every 5-minute granule the interval touches', () => {
    // Act
    const granules = granuleStarts({ start: new Date('2026-03-02T14:03:00Z'), end: new Date('2026-03-02T14:15:00Z') });

    // Assess
    expect(granules.map((g) => g.toISOString().slice(11, 16))).toEqual(['14:00', '14:05', '14:10']);
  });
});
