import type { MiddlewareObj } from '@middy/core';
import { log } from '#shared/observability.ts';
import { HttpError } from './http-error.ts';
import { type HttpResponse, json } from './response.ts';

/**
 * middy middleware: an `HttpError` becomes its response; anything else is logged by name only (the message or the
 * stack could quote patient data) and answered with a bare 500, so internals never reach the caller.
 */
export function httpErrors(): MiddlewareObj<unknown, HttpResponse> {
  return {
    name: 'httpErrors',
    onError: (request) => {
      const error = request.error;
      if (error instanceof HttpError) {
        request.response = json(error.statusCode, error.body);
        return;
      }
      log.error('Request failed', { errorName: error?.name ?? 'UnknownError' });
      request.response = json(500, { message: 'Internal server error' });
    },
  };
}
