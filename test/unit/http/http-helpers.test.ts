import type { Request } from '@middy/core';
import { describe, expect, it } from 'vitest';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { apiEvent } from './api-event.ts';

function thrown(action: () => unknown): HttpError {
  try {
    action();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('Function: json', () => {
  it('serialises the body and forbids caching', () => {
    const response = json(202, { journeyId: 'j-1' });

    expect(response).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: '{"journeyId":"j-1"}',
    });
  });
});

describe('Middleware: httpErrors', () => {
  function onError(error: Error): HttpResponse | null | undefined {
    const request = { event: {}, context: {}, response: undefined, error, internal: {} } as unknown as Request<unknown, HttpResponse>;
    httpErrors().onError?.(request);
    return request.response;
  }

  it('answers an HttpError with its status and body', () => {
    const response = onError(HttpError.withMessage(409, 'Key reused'));

    expect(response?.statusCode).toBe(409);
    expect(JSON.parse(response?.body ?? '')).toEqual({ message: 'Key reused' });
  });

  it('answers anything else with a bare 500 that reveals nothing', () => {
    const response = onError(new Error('Patient Maria García, born 1985-04-12, could not be saved'));

    expect(response?.statusCode).toBe(500);
    expect(response?.body).toBe('{"message":"Internal server error"}');
  });
});

describe('Function: authorizedClinic', () => {
  it('returns the clinic and key the authorizer accepted', () => {
    const event = apiEvent({ pathParameters: { clinicId: 'clinic-9' }, authorizer: { clinicId: 'clinic-9', keyId: 'key-7' } });

    expect(authorizedClinic(event)).toEqual({ clinicId: 'clinic-9', keyId: 'key-7' });
  });

  it('answers 403 when the authorized clinic is not the one in the path', () => {
    const event = apiEvent({ pathParameters: { clinicId: 'clinic-b' }, authorizer: { clinicId: 'clinic-a', keyId: 'key-1' } });

    const error = thrown(() => authorizedClinic(event));

    expect(error.statusCode).toBe(403);
  });

  it('answers 401 when no authorizer context is present', () => {
    const error = thrown(() => authorizedClinic(apiEvent({ authorizer: null })));

    expect(error.statusCode).toBe(401);
  });
});

describe('Function: idempotencyKeyHeader', () => {
  it('returns the header whatever its case', () => {
    expect(idempotencyKeyHeader({ headers: { 'Idempotency-Key': 'order-12345678' } })).toBe('order-12345678');
    expect(idempotencyKeyHeader({ headers: { 'idempotency-key': 'order-12345678' } })).toBe('order-12345678');
  });

  it('returns undefined when the header is absent', () => {
    expect(idempotencyKeyHeader({ headers: {} })).toBeUndefined();
  });

  it.each(['short', 'has spaces in it', 'key:with:colons', 'x'.repeat(129)])('answers 400 for %s', (key) => {
    const error = thrown(() => idempotencyKeyHeader({ headers: { 'idempotency-key': key } }));

    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({ errors: [{ path: 'Idempotency-Key', message: expect.any(String) }] });
  });
});
