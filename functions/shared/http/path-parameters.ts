import { z } from 'zod';
import { HttpError } from './http-error.ts';

/**
 * Every ID that arrives in a path becomes part of a DynamoDB key, whose size is bounded (a partition key ≤ 2,048
 * bytes): an unchecked 2 KiB ID answered 500. IDs this API issues are short tokens (clinic slugs, UUIDs, `st-<hex>`),
 * so anything longer or with other characters cannot name a resource and is refused before it reaches a key.
 */
export const PathIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'use 1 to 100 letters, digits, hyphens or underscores');

export function isPathId(value: unknown): value is string {
  return PathIdSchema.safeParse(value).success;
}

/**
 * The named path parameters, each checked against PathIdSchema; 400 naming every bad one (an API route only runs when
 * its parameters are present, so a missing one is a bad request too).
 */
export function pathIds<const N extends string>(
  event: { pathParameters?: Record<string, string | undefined> },
  names: readonly N[],
): Record<N, string> {
  const errors = names.flatMap((name) =>
    isPathId(event.pathParameters?.[name])
      ? []
      : [{ path: `path.${name}`, message: 'use 1 to 100 letters, digits, hyphens or underscores' }],
  );
  if (errors.length > 0) throw HttpError.badRequest(errors);
  return Object.fromEntries(names.map((name) => [name, event.pathParameters?.[name] as string])) as Record<N, string>;
}
