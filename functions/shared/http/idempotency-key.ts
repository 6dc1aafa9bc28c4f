import { z } from 'zod';
import { HttpError } from './http-error.ts';
import { header, type JsonBodyEvent } from './parse-json-body.ts';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A client-chosen key (e.g. a UUID) that makes a retried POST return the first result instead of acting twice. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'use 8 to 128 letters, digits, hyphens or underscores')
  .meta({ example: '6f1c2b1e-8a43-4c1e-9d0f-2f3b5a7c9e11' });

/** The client's Idempotency-Key, if sent; 400 when it is malformed (bounded charset and length, as it becomes part of a key). */
export function idempotencyKeyHeader(event: JsonBodyEvent): string | undefined {
  const value = header(event, IDEMPOTENCY_KEY_HEADER);
  if (value === undefined) return undefined;
  const result = IdempotencyKeySchema.safeParse(value);
  if (!result.success)
    throw HttpError.badRequest([{ path: IDEMPOTENCY_KEY_HEADER, message: result.error.issues[0]?.message ?? 'is invalid' }]);
  return result.data;
}
