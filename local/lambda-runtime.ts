import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionName } from '#infra/function-catalog.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './step-functions/definition.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');

type Handler = (event: unknown, context: Context) => Promise<unknown> | unknown;

const loaded = new Map<FunctionName, Promise<Handler>>();

/**
 * Loads a catalog function's handler once, as Lambda does per execution environment. Import happens on first use,
 * so the process environment (table name, endpoints) must be set before the first invocation.
 */
function loadHandler(name: FunctionName): Promise<Handler> {
  let handler = loaded.get(name);
  if (!handler) {
    const entry = pathToFileURL(resolve(REPO_ROOT, FUNCTIONS[name].entry)).href;
    handler = import(entry).then((module: { handler?: Handler }) => {
      if (typeof module.handler !== 'function') throw new Error(`${FUNCTIONS[name].entry} does not export a handler`);
      return module.handler;
    });
    // A failed import (file not written yet, syntax error) is retried on the next invocation.
    handler.catch(() => loaded.delete(name));
    loaded.set(name, handler);
  }
  return handler;
}

/** A Lambda context with what handlers and middy/Powertools read: names, request ID, remaining time. */
export function lambdaContext(name: FunctionName): Context {
  const spec = FUNCTIONS[name];
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`,
    memoryLimitInMB: String(spec.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${name}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** What Lambda reports when a function throws: the error's name becomes Step Functions' error name. */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    trace: string[],
  ) {
    // Step Functions puts this JSON in the state's Cause, as it does for a real Lambda error.
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
  }
}

/**
 * Invokes a catalog function in this process with Lambda's semantics: the event and the result cross a JSON boundary
 * (so a handler can't depend on sharing objects with its caller), and a thrown error becomes a `LambdaFunctionError`
 * named after the error's `name`.
 */
export async function invokeFunction(name: FunctionName, event: unknown): Promise<unknown> {
  let handler: Handler;
  try {
    handler = await loadHandler(name);
  } catch (error) {
    // Lambda reports a handler that fails to load as Runtime.ImportModuleError.
    throw new LambdaFunctionError('Runtime.ImportModuleError', `${FUNCTIONS[name].entry}: ${(error as Error).message}`, []);
  }
  const payload = JSON.parse(JSON.stringify(event ?? null)) as unknown;
  let result: unknown;
  try {
    result = await handler(payload, lambdaContext(name));
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    throw new LambdaFunctionError(
      err.name || 'Error',
      err.message,
      (err.stack ?? '')
        .split('\n')
        .slice(1, 6)
        .map((l) => l.trim()),
    );
  }
  return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
}

/** The catalog function a Lambda ARN (or bare name, optionally qualified) designates, if any. */
export function functionNameFromArn(arnOrName: string): FunctionName | undefined {
  const match = /^(?:arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:)?([\w-]+)(?::[\w$-]+)?$/.exec(arnOrName);
  const name = match?.[1];
  return name && name in FUNCTIONS ? (name as FunctionName) : undefined;
}
