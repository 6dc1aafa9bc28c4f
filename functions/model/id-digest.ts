import { createHash } from 'node:crypto';

/**
 * The first `hexDigits` hex digits of the SHA-256 of `parts` joined by newlines: the body of a deterministic ID, named
 * by what makes the thing unique (a clinic and an Idempotency-Key, a task's token), so a retry finds what the first
 * attempt made. Stored items carry these IDs: changing the parts or their order renames every item of that kind, which
 * is a migration, not a refactor.
 */
export function idDigest(hexDigits: number, ...parts: ReadonlyArray<string | number>): string {
  return createHash('sha256').update(parts.join('\n'), 'utf8').digest('hex').slice(0, hexDigits);
}
