/**
 * What the local Lambda runtime (local/lambda-runtime.ts) and an execution environment (./environment.ts, one
 * worker thread) say to each other. Events and results cross as JSON text, as they cross Lambda's invoke API.
 */

/** The function an environment hosts, as workerData. */
export interface EnvironmentData {
  functionName: string;
  /** Handler module, relative to the repo root (for messages). */
  entry: string;
  /** The same module as a file URL (for import). */
  entryUrl: string;
  memorySize: number;
  invokedFunctionArn: string;
  /** Modules imported before the handler, in order (file URLs), as NODE_OPTIONS=--import would on Lambda. */
  preloadUrls: string[];
  /** The local cloud's clock (local/clock.ts), which the environment's code reads as its time. */
  clock: SharedArrayBuffer;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type ToEnvironment = { type: 'invoke'; id: number; requestId: string; deadline: number; event: string };

export type FromEnvironment =
  /** The handler module loaded: the environment takes invocations. */
  | { type: 'ready' }
  /** The handler module failed to load (Lambda: Runtime.ImportModuleError); the environment is discarded. */
  | { type: 'initError'; error: SerializedError }
  | { type: 'result'; id: number; result: string }
  | { type: 'error'; id: number; error: SerializedError }
  /** An uncaught exception or unhandled rejection: the runtime exits, as Lambda's Node.js runtime does. */
  | { type: 'crash'; errorType: string; errorMessage: string; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  const err = error instanceof Error ? error : new Error(String(error));
  return { name: err.name || 'Error', message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}
