import { randomUUID } from 'node:crypto';
import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { Context } from 'aws-lambda';

/**
 * Test-only handler for test/integration/local/lambda-runtime.test.ts (never in the catalog), light so that its
 * environments start fast. It reports which execution environment ran it: the worker thread, a stamp drawn when this
 * module was loaded, and how many times it was loaded in that thread.
 */
export type TestEvent =
  | { action: 'identify' }
  | { action: 'fail'; errorName: string; message: string }
  | { action: 'hold'; key: string }
  | { action: 'rejectLater' }
  | { action: 'readEnv'; variable: string }
  | { action: 'log'; line: string }
  | { action: 'preloaded' };

export interface Identity {
  threadId: number;
  loads: number;
  moduleStamp: string;
  functionName: string;
  remainingMs: number;
}

/** Where `hold` invocations say they started and wait to be released: `started:<key>`, `release:<key>`. */
export const HOLD_CHANNEL = 'lambda-runtime-test';

const MODULE_STAMP = randomUUID();
const counter = globalThis as { lambdaRuntimeTestLoads?: number };
counter.lambdaRuntimeTestLoads = (counter.lambdaRuntimeTestLoads ?? 0) + 1;

export const handler = async (event: TestEvent, context: Context): Promise<unknown> => {
  switch (event.action) {
    case 'identify':
      return {
        threadId,
        loads: counter.lambdaRuntimeTestLoads ?? 0,
        moduleStamp: MODULE_STAMP,
        functionName: context.functionName,
        remainingMs: context.getRemainingTimeInMillis(),
      } satisfies Identity;
    case 'fail':
      throw Object.assign(new Error(event.message), { name: event.errorName });
    case 'hold':
      return hold(event.key);
    case 'rejectLater':
      // A rejection nobody handles, after the handler has returned.
      setImmediate(() => void Promise.reject(Object.assign(new Error('escaped the handler'), { name: 'EscapedError' })));
      return new Promise(() => undefined);
    case 'readEnv':
      return process.env[event.variable] ?? null;
    case 'log':
      console.log(event.line);
      return null;
    case 'preloaded':
      return (globalThis as { lambdaRuntimeTestPreloaded?: unknown }).lambdaRuntimeTestPreloaded ?? null;
  }
};

/** Says it started, then waits until the test releases it (by key), without a timer. */
function hold(key: string): Promise<{ threadId: number }> {
  const channel = new BroadcastChannel(HOLD_CHANNEL);
  return new Promise((resolve) => {
    channel.onmessage = (message) => {
      if ((message as MessageEvent).data === `release:${key}`) {
        channel.close();
        resolve({ threadId });
      }
    };
    channel.postMessage(`started:${key}`);
  });
}
