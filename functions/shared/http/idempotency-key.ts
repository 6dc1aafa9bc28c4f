import { IDEMPOTENCY_KEY_HEADER, IdempotencyKeySchema } from '#contract/api/idempotency-key.ts';
import { HttpError } from './http-error.ts';
import { header, type JsonBodyEvent } from './parse-json-body.ts';

/** The client's Idempotency-Key, if sent; 400 when it is malformed (bounded charset and length, as it becomes part of a key). */
export function idempotencyKeyHeader(event: JsonBodyEvent): string | undefined {
  const value = header(event, IDEMPOTENCY_KEY_HEADER);
  if (value === undefined) return undefined;
  const result = IdempotencyKeySchema.safeParse(value);
  if (!result.success)
    throw HttpError.badRequest([{ path: IDEMPOTENCY_KEY_HEADER, message: result.error.issues[0]?.message ?? 'is invalid' }]);
  return result.data;
}
