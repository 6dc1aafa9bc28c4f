import type { z } from 'zod';
import { type FieldError, HttpError } from './http-error.ts';

/** The parts of an HTTP API (payload 2.0) event that carry a body. Header names arrive lower-cased from API Gateway. */
export interface JsonBodyEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface ParseJsonBodyOptions {
  /** Largest accepted body in bytes, measured after base64 decoding. */
  maxBytes: number;
}

/**
 * Validates and parses a JSON request body, or throws the `HttpError` to answer with: 415 unless the content type is
 * application/json (UTF-8), 413 over `maxBytes`, 400 for malformed JSON, and 400 listing EVERY schema problem with
 * its dotted path. Nothing else of the request is touched, so callers can rely on "no write happens on a 4xx".
 */
export function parseJsonBody<S extends z.ZodType>(event: JsonBodyEvent, schema: S, options: ParseJsonBodyOptions): z.output<S> {
  assertJsonContentType(header(event, 'content-type'));
  const text = decodeBody(event, options.maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw HttpError.badRequest([{ path: '', message: 'The body is not valid JSON' }]);
  }
  return validateBody(schema, value);
}

/** Validates an already-parsed value: the parsed output, or a 400 `HttpError` listing every problem. */
export function validateBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { error: requiredMessage });
  if (!result.success) throw HttpError.badRequest(toFieldErrors(result.error.issues));
  return result.data;
}

/** "is required" instead of zod's "expected string, received undefined" for a missing field. */
const requiredMessage: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;

/** One entry per problem; an unknown key gets its own entry at its own path, so a client sees exactly which field. */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: 'Unknown field' }))
      : [{ path: dotted(issue.path), message: issue.message }],
  );
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

/** Header lookup that does not depend on API Gateway's lower-casing (tests and other callers may not lower-case). */
export function header(event: JsonBodyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function assertJsonContentType(contentType: string | undefined): void {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (mediaType !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw HttpError.withMessage(415, 'Content-Type must be application/json');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(event: JsonBodyEvent, maxBytes: number): string {
  const raw = event.body ?? '';
  const tooLarge = () => HttpError.withMessage(413, `The body exceeds ${maxBytes} bytes`);
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(raw, 'utf8') > maxBytes) throw tooLarge();
    return raw;
  }
  // Reject by the encoded length first, so an oversized body is never decoded into memory.
  if (raw.length > Math.ceil(maxBytes / 3) * 4 + 4) throw tooLarge();
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.byteLength > maxBytes) throw tooLarge();
  try {
    return utf8.decode(bytes);
  } catch {
    throw HttpError.badRequest([{ path: '', message: 'The body is not valid UTF-8' }]);
  }
}
