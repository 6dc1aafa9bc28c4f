import type { TRANSIENT_ERRORS } from './journey-contract.ts';

/**
 * A dependency failed in a way that may succeed later. The name is what Step Functions matches in ErrorEquals,
 * so it must be one of TRANSIENT_ERRORS (the workflow retries these with back-off).
 */
export class TransientDependencyError extends Error {
  constructor(name: (typeof TRANSIENT_ERRORS)[keyof typeof TRANSIENT_ERRORS], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}
