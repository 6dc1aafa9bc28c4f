import * as z from 'zod';

/**
 * Every ID that arrives in a path becomes part of a DynamoDB key, whose size is bounded (a partition key ≤ 2,048
 * bytes): an unchecked 2 KiB ID answered 500. IDs this API issues are short tokens (clinic slugs, UUIDs, `st-<hex>`),
 * so anything longer or with other characters cannot name a resource and is refused before it reaches a key.
 */
export const PathIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'use 1 to 100 letters, digits, hyphens or underscores');

export function isPathId(value: unknown): value is string {
  return PathIdSchema.safeParse(value).success;
}
