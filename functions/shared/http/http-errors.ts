import type { MiddlewareObj } from '@middy/core';
import { isTransientAwsError, TransientDependencyError } from '#shared/errors.ts';
import { log } from '#shared/observability.ts';
import { HttpError } from './http-error.ts';
import { type HttpResponse, json } from './response.ts';

/**
 * middy middleware: an `HttpError` becomes its response, a journey that does not exist 404; an AWS service that is down or throttling answers 503 with
 * Retry-After (the request may be sent again as it is: every write route is idempotent); anything else is logged by
 * name only (the message or the stack could quote patient data) and answered with a bare 500, so internals never
 * reach the caller.
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
      // JourneyStore.require: the key includes the authorized clinic, so another clinic's journey is not found either.
      if (error?.name === 'JourneyNotFound') {
        request.response = json(404, { message: 'Journey not found' });
        return;
      }
      // A dependency of ours that may be back in a moment (an AWS service, or one our adapters name transient: SNS).
      if (isTransientAwsError(error) || error instanceof TransientDependencyError) {
        log.warn('Dependency unavailable', { errorName: error?.name ?? 'UnknownError' });
        const response = json(503, { message: 'Service temporarily unavailable: send the same request again shortly' });
        request.response = { ...response, headers: { ...response.headers, 'retry-after': '5' } };
        return;
      }
      log.error('Request failed', { errorName: error?.name ?? 'UnknownError' });
      request.response = json(500, { message: 'Internal server error' });
    },
  };
}
