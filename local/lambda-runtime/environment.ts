/**
 * One Lambda execution environment: runs in its own worker thread (started by local/lambda-runtime.ts, with tsx
 * registered), so it has its own module graph — its own functions/shared/aws/*-client.ts modules, SDK clients and socket
 * pools — as each deployed function has. Loads the handler once (the INIT phase), then runs one invocation at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { installClockSource } from '#contract/clock.ts';
import { clockSourceOf } from '#local/clock.ts';
import { buildLambdaContext } from './context.ts';
import { type EnvironmentData, type FromEnvironment, serializeError, type ToEnvironment } from './protocol.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown> | unknown;

const data = workerData as EnvironmentData;
const port = parentPort;
if (!port) throw new Error('local/lambda-runtime/environment.ts runs only as a worker thread of the local Lambda runtime');
const post = (message: FromEnvironment) => port.postMessage(message);

// Lambda's Node.js runtime reports an error that escapes the handler's promise as the invocation's error (an uncaught
// exception under its own name, a rejection as Runtime.UnhandledPromiseRejection), then exits the environment.
process.on('uncaughtException', (error) => {
  const serialized = serializeError(error);
  post({ type: 'crash', errorType: serialized.name, errorMessage: serialized.message, error: serialized });
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  const serialized = serializeError(reason);
  post({
    type: 'crash',
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: `${serialized.name}: ${serialized.message}`,
    error: serialized,
  });
  process.exit(1);
});

// Before any handler code runs: the function reads the local cloud's clock, which tests may move forward.
installClockSource(clockSourceOf(data.clock));

let handler: Handler | undefined;
try {
  for (const url of data.preloadUrls) await import(url);
  const module = (await import(data.entryUrl)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`${data.entry} does not export a handler`);
  handler = module.handler;
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'initError', error: serializeError(error) });
}

port.on('message', (message: ToEnvironment) => {
  void invoke(message);
});

async function invoke({ id, requestId, deadline, event }: ToEnvironment): Promise<void> {
  try {
    if (!handler) throw new Error(`${data.entry} is not loaded`);
    const context = buildLambdaContext({
      functionName: data.functionName,
      memorySize: data.memorySize,
      invokedFunctionArn: data.invokedFunctionArn,
      awsRequestId: requestId,
      deadline,
    });
    const result = await handler(JSON.parse(event) as unknown, context);
    post({ type: 'result', id, result: (result === undefined ? undefined : JSON.stringify(result)) ?? 'null' });
  } catch (error) {
    post({ type: 'error', id, error: serializeError(error) });
  }
}
