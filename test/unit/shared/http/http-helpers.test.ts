import type { Request } from '@middy/core';
import { describe, expect, it } from 'vitest';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { apiEvent } from '#test/support/api-event.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';
import { thrownHttpError } from '#test/support/thrown-http-error.ts';

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

  it.each([
    [
      'DynamoDB throttling',
      Object.assign(new Error('Rate exceeded for Maria García'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
    [
      'a 5xx',
      Object.assign(new Error('Internal error'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
    ],
    [
      'a transaction conflict',
      Object.assign(new Error('cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'TransactionConflict' }],
      }),
    ],
  ])('answers %s with 503 and Retry-After, revealing nothing', (_case, error) => {
    // Act
    const response = onError(error);

    // Assess
    expect(response?.statusCode).toBe(503);
    expect(response?.headers['retry-after']).toBe('5');
    expect(response?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response?.body ?? '')).toEqual({ message: expect.stringContaining('send the same request again') });
    expect(response?.body).not.toMatch(/Maria|ECONNREFUSED|127\.0\.0\.1/);
  });

  it.each([
    [
      'a failed condition',
      Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $fault: 'client' }),
    ],
    [
      'a validation error',
      Object.assign(new Error('Invalid key'), { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    ],
  ])('answers %s with a bare 500 and no Retry-After', (_case, error) => {
    // Act
    const response = onError(error);

    // Assess
    expect(response?.statusCode).toBe(500);
    expect(response?.headers).not.toHaveProperty('retry-after');
  });
});

describe('Function: authorizedClinic', () => {
  it('returns the clinic and key the authorizer accepted', () => {
    const event = apiEvent({ pathParameters: { clinicId: 'clinic-9' }, authorizer: { clinicId: 'clinic-9', keyId: 'key-7' } });

    expect(authorizedClinic(event)).toEqual({ clinicId: 'clinic-9', keyId: 'key-7' });
  });

  it('answers 403 when the authorized clinic is not the one in the path', () => {
    const event = apiEvent({ pathParameters: { clinicId: 'clinic-b' }, authorizer: { clinicId: 'clinic-a', keyId: 'key-1' } });

    const error = thrownHttpError(() => authorizedClinic(event));

    expect(error.statusCode).toBe(403);
  });

  it.each(BAD_PATH_IDS)('answers 400 for a clinic ID with %s, even when the authorizer context names the same', (_case, clinicId) => {
    // Prepare
    const event = apiEvent({ pathParameters: { clinicId }, authorizer: { clinicId, keyId: 'key-1' } });

    // Act
    const error = thrownHttpError(() => authorizedClinic(event));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({ errors: [{ path: 'path.clinicId', message: expect.any(String) }] });
  });

  it('answers 401 when no authorizer context is present', () => {
    const error = thrownHttpError(() => authorizedClinic(apiEvent({ authorizer: null })));

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
    const error = thrownHttpError(() => idempotencyKeyHeader({ headers: { 'idempotency-key': key } }));

    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({ errors: [{ path: 'Idempotency-Key', message: expect.any(String) }] });
  });
});
