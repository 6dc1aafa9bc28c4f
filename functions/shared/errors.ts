import { isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';

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

/**
 * Whether an AWS SDK error may pass on its own: a refused, reset or timed-out connection, throttling, a 5xx, or a
 * transaction that lost a race (TransactionConflict). The SDK's own error classification decides, as its retry
 * strategy does; the SDK has already retried these a few times when they reach us.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdkError = error as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string };
  if (isTransientError(sdkError as never) || isThrottlingError(sdkError as never)) return true;
  if (sdkError.$fault === 'server') return true;
  if (error.name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    return reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError');
  }
  return false;
}

/**
 * Wraps a Step Functions task handler so an AWS outage (DynamoDB, SNS, SES, Step Functions unreachable or throttling)
 * reaches the workflow as one retryable error name, AwsServiceUnavailable, instead of a bare `Error` that no Retry
 * matches. Every other error passes unchanged.
 */
export function withTransientAwsErrors<A extends unknown[], R>(task: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await task(...args);
    } catch (error) {
      // An error the handler already named (ClearinghouseUnavailable, MessagingUnavailable…) keeps its own retry.
      if (error instanceof TransientDependencyError || !isTransientAwsError(error)) throw error;
      throw new TransientDependencyError(TRANSIENT_ERRORS.awsServiceUnavailable, `AWS dependency unavailable: ${(error as Error).name}`, {
        cause: error,
      });
    }
  };
}
