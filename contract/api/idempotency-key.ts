import * as z from 'zod';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A client-chosen key (e.g. a UUID) that makes a retried POST return the first result instead of acting twice. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'use 8 to 128 letters, digits, hyphens or underscores')
  .meta({ example: '6f1c2b1e-8a43-4c1e-9d0f-2f3b5a7c9e11' });
