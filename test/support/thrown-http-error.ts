import { HttpError } from '#shared/http/http-error.ts';

/** The HttpError an action throws (anything else is rethrown; no throw at all fails the test). */
export function thrownHttpError(action: () => unknown): HttpError {
  try {
    action();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}
