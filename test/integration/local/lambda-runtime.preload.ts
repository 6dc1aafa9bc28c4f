import { threadId } from 'node:worker_threads';

/** Test-only preload module (see lambda-runtime.test.ts): marks the environment that imported it. */
(globalThis as { lambdaRuntimeTestPreloaded?: unknown }).lambdaRuntimeTestPreloaded = { threadId };
