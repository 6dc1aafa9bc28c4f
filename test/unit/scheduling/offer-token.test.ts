import { describe, expect, it } from 'vitest';
import { isPathId } from '#contract/api/path-ids.ts';
import { newOfferToken, offerIdOf } from '#functions/scheduling/waitlist.ts';

describe('Waitlist offer tokens', () => {
  it('are path IDs every time (the link carries them), 192 bits each, and their stored IDs are not the tokens', () => {
    const tokens = Array.from({ length: 500 }, newOfferToken);

    for (const token of tokens) {
      expect(isPathId(token), token).toBe(true);
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      expect(offerIdOf(token)).not.toContain(token.slice(0, 16));
    }
    expect(new Set(tokens).size).toBe(500);
  });
});
