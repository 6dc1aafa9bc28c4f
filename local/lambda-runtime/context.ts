import type { Context } from 'aws-lambda';

/** A Lambda context with what handlers and middy/Powertools read: names, request ID, remaining time. */
export function buildLambdaContext(fields: {
  functionName: string;
  memorySize: number;
  invokedFunctionArn: string;
  awsRequestId: string;
  /** Epoch milliseconds at which the invocation times out. */
  deadline: number;
}): Context {
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fields.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fields.invokedFunctionArn,
    memoryLimitInMB: String(fields.memorySize),
    awsRequestId: fields.awsRequestId,
    logGroupName: `/aws/lambda/${fields.functionName}`,
    logStreamName: `local/${fields.functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, fields.deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
