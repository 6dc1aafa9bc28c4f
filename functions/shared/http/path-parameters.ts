import { isPathId } from '#contract/api/path-ids.ts';
import { HttpError } from './http-error.ts';

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
