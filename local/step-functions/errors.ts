/**
 * An error the local Step Functions (or SNS) endpoint returns to its caller, named as AWS names it so SDK code that
 * branches on `error.name` (ExecutionAlreadyExists, TaskDoesNotExist, …) behaves as it would against AWS.
 */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * An error raised inside a running execution. `isRetryable`/`isCatchable` are read by aws-local-stepfunctions'
 * Retry/Catch matching; errors ending an execution from outside (stop) set both to false.
 */
export function stateError(name: string, cause: string, options: { retryable?: boolean; catchable?: boolean } = {}): Error {
  const error = new Error(cause);
  error.name = name;
  return Object.assign(error, { isRetryable: options.retryable ?? true, isCatchable: options.catchable ?? true });
}
