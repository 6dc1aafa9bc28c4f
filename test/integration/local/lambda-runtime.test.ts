import { BroadcastChannel } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { type LambdaFunctionError, type LocalFunctionSpec, LocalLambdaRuntime, localLambda } from '#local/lambda-runtime.ts';
import type { ClientsIdentity } from './lambda-runtime.aws-clients.handler.ts';
import { HOLD_CHANNEL, type Identity, type TestEvent } from './lambda-runtime.handlers.ts';

/**
 * The local Lambda runtime with test-only functions (lambda-runtime.handlers.ts): execution environments per function,
 * the function timeout, and how failures are named. Two functions share one handler file on purpose: on Lambda they
 * would still be two functions with their own environments.
 */
const spec: LocalFunctionSpec = { entry: 'test/integration/local/lambda-runtime.handlers.ts', memorySize: 256, timeoutSeconds: 10 };
const clients: LocalFunctionSpec = { ...spec, entry: 'test/integration/local/lambda-runtime.aws-clients.handler.ts' };
const functions = {
  first: spec,
  second: spec,
  clientsA: clients,
  clientsB: clients,
  noHandler: { ...spec, entry: 'test/integration/local/lambda-runtime.no-handler.ts' },
  missing: { ...spec, entry: 'test/integration/local/lambda-runtime.does-not-exist.ts' },
};
type TestFunction = keyof typeof functions;

const runtimes: Array<LocalLambdaRuntime<TestFunction>> = [];
function runtime(
  options: { maxEnvironmentsPerFunction?: number; timeoutMs?: Partial<Record<TestFunction, number>>; preload?: string[] } = {},
) {
  const created = new LocalLambdaRuntime<TestFunction>({ functions, ...options });
  runtimes.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

/** Releases `hold` invocations by key, and waits until given ones have started (no timers involved). */
const channel = new BroadcastChannel(HOLD_CHANNEL);
const started = new Set<string>();
const startWaiters: Array<() => void> = [];
channel.onmessage = (message) => {
  const data = String((message as MessageEvent).data);
  if (data.startsWith('started:')) started.add(data.slice('started:'.length));
  for (const wake of startWaiters.splice(0)) wake();
};
async function whenStarted(...keys: string[]): Promise<void> {
  while (!keys.every((k) => started.has(k))) await new Promise<void>((resolve) => startWaiters.push(resolve));
}
const release = (key: string) => channel.postMessage(`release:${key}`);
afterAll(() => channel.close());

const invoke = (r: LocalLambdaRuntime<TestFunction>, name: TestFunction, event: TestEvent) => r.invoke(name, event);
const identify = async (r: LocalLambdaRuntime<TestFunction>, name: TestFunction) =>
  (await invoke(r, name, { action: 'identify' })) as Identity;
const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as LambdaFunctionError,
  );
  expect(error, 'the invocation should have failed').toBeDefined();
  return error as LambdaFunctionError;
};

describe('Local Lambda runtime: execution environments', () => {
  it('gives two functions their own module instances of the client modules (functions/shared/aws/), hence their own SDK clients', async () => {
    // Arrange
    const lambda = runtime();

    // Act
    const a = (await lambda.invoke('clientsA', {})) as ClientsIdentity;
    const aAgain = (await lambda.invoke('clientsA', {})) as ClientsIdentity;
    const b = (await lambda.invoke('clientsB', {})) as ClientsIdentity;

    // Assert
    expect(aAgain).toEqual(a);
    expect(b.dynamoStamp).not.toBe(a.dynamoStamp);
    expect(b.sfnStamp).not.toBe(a.sfnStamp);
    expect(b.threadId).not.toBe(a.threadId);
  });

  it('gives two functions with the same handler file their own module instances', async () => {
    // Arrange
    const lambda = runtime();

    // Act
    const first = await identify(lambda, 'first');
    const second = await identify(lambda, 'second');

    // Assert
    expect(first).toMatchObject({ functionName: 'first', loads: 1 });
    expect(second).toMatchObject({ functionName: 'second', loads: 1 });
    expect(second.moduleStamp).not.toBe(first.moduleStamp);
  });

  it('loads the handler once per environment and reuses a warm environment', async () => {
    // Arrange
    const lambda = runtime();

    // Act
    const cold = await identify(lambda, 'first');
    const warm = await identify(lambda, 'first');

    // Assert
    expect(warm).toMatchObject({ threadId: cold.threadId, moduleStamp: cold.moduleStamp, loads: 1 });
    expect(lambda.stats().first).toMatchObject({ environments: 1, coldStarts: 1 });
  });

  it('runs concurrent invocations of one function in separate environments, one invocation each', async () => {
    // Arrange
    const lambda = runtime({ maxEnvironmentsPerFunction: 2 });

    // Act
    const a = invoke(lambda, 'first', { action: 'hold', key: 'concurrent-a' });
    const b = invoke(lambda, 'first', { action: 'hold', key: 'concurrent-b' });
    await whenStarted('concurrent-a', 'concurrent-b');
    const busy = lambda.stats().first;
    release('concurrent-a');
    release('concurrent-b');
    const [ranA, ranB] = (await Promise.all([a, b])) as Array<{ threadId: number }>;

    // Assert
    expect(busy).toMatchObject({ environments: 2, busy: 2 });
    expect(ranA?.threadId).not.toBe(ranB?.threadId);
  });

  it('queues an invocation while every environment of the function is busy', async () => {
    // Arrange
    const lambda = runtime({ maxEnvironmentsPerFunction: 1 });
    const held = invoke(lambda, 'first', { action: 'hold', key: 'queue-held' });
    await whenStarted('queue-held');

    // Act
    const queued = identify(lambda, 'first');
    const whileHeld = lambda.stats().first;
    release('queue-held');
    const { threadId } = (await held) as { threadId: number };

    // Assert
    expect(whileHeld).toMatchObject({ environments: 1, busy: 1, queued: 1 });
    expect((await queued).threadId).toBe(threadId);
  });

  it('gives handlers the process environment, including what is set after the runtime started', async () => {
    // Arrange
    const lambda = runtime();
    await identify(lambda, 'first');
    process.env.LAMBDA_RUNTIME_TEST_SETTING = 'set-later';

    // Act
    const seen = await invoke(lambda, 'first', { action: 'readEnv', variable: 'LAMBDA_RUNTIME_TEST_SETTING' });

    // Assert
    expect(seen).toBe('set-later');
    delete process.env.LAMBDA_RUNTIME_TEST_SETTING;
  });

  it('imports preload modules into each environment before the handler', async () => {
    // Arrange
    const lambda = runtime({ preload: ['test/integration/local/lambda-runtime.preload.ts'] });

    // Act
    const preloaded = (await invoke(lambda, 'first', { action: 'preloaded' })) as { threadId: number } | null;
    const { threadId } = await identify(lambda, 'first');

    // Assert
    expect(preloaded).toEqual({ threadId });
  });
});

describe('Local Lambda runtime: timeouts', () => {
  it("fails an invocation that outlives the function's timeout with Sandbox.Timedout, then starts a fresh environment", async () => {
    // Arrange
    const lambda = runtime({ maxEnvironmentsPerFunction: 1 });
    const before = await identify(lambda, 'first');
    lambda.setTimeoutMs('first', 50);

    // Act
    const error = await failureOf(invoke(lambda, 'first', { action: 'hold', key: 'never-released' }));
    lambda.setTimeoutMs('first', undefined);
    const after = await identify(lambda, 'first');

    // Assert
    expect(error.name).toBe('Sandbox.Timedout');
    expect(error.errorType).toBe('Sandbox.Timedout');
    expect(error.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 0\.05 seconds$/);
    expect(JSON.parse(error.message)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: error.errorMessage, trace: [] });
    expect(after.threadId).not.toBe(before.threadId);
    expect(after.moduleStamp).not.toBe(before.moduleStamp);
    expect(lambda.stats().first).toMatchObject({ environments: 1, coldStarts: 2 });
  });

  it("takes each function's timeoutSeconds unless overridden", () => {
    // Arrange
    const lambda = runtime({ timeoutMs: { second: 1_000 } });

    // Act
    const configured = lambda.timeoutMs('first');
    const overridden = lambda.timeoutMs('second');
    lambda.setTimeoutMs('second', undefined);

    // Assert
    expect(configured).toBe(10_000);
    expect(overridden).toBe(1_000);
    expect(lambda.timeoutMs('second')).toBe(10_000);
    for (const name of Object.keys(FUNCTIONS) as FunctionName[])
      expect(localLambda.timeoutMs(name)).toBe(FUNCTIONS[name].timeoutSeconds * 1000);
  });

  it('tells the handler the time it has left, within the timeout', async () => {
    // Arrange
    const lambda = runtime({ timeoutMs: { second: 5_000 } });

    // Act
    const configured = await identify(lambda, 'first');
    const overridden = await identify(lambda, 'second');

    // Assert
    expect(configured.remainingMs).toBeGreaterThan(0);
    expect(configured.remainingMs).toBeLessThanOrEqual(10_000);
    expect(overridden.remainingMs).toBeGreaterThan(0);
    expect(overridden.remainingMs).toBeLessThanOrEqual(5_000);
  });
});

describe('Local Lambda runtime: errors', () => {
  it("names a thrown error's LambdaFunctionError after the error, with its message and trace", async () => {
    // Arrange
    const lambda = runtime();

    // Act
    const error = await failureOf(
      invoke(lambda, 'first', { action: 'fail', errorName: 'ClearinghouseUnavailable', message: 'payer down' }),
    );

    // Assert
    expect(error.name).toBe('ClearinghouseUnavailable');
    expect(error.errorMessage).toBe('payer down');
    const cause = JSON.parse(error.message) as { errorType: string; trace: string[] };
    expect(cause.errorType).toBe('ClearinghouseUnavailable');
    expect(cause.trace[0]).toContain('lambda-runtime.handlers.ts');
  });

  it('keeps the environment after a handled error', async () => {
    // Arrange
    const lambda = runtime();
    const before = await identify(lambda, 'first');

    // Act
    await failureOf(invoke(lambda, 'first', { action: 'fail', errorName: 'TypeError', message: 'bad input' }));
    const after = await identify(lambda, 'first');

    // Assert
    expect(after.threadId).toBe(before.threadId);
  });

  it('reports a handler module that does not load, or does not export a handler, as Runtime.ImportModuleError', async () => {
    // Arrange
    const lambda = runtime();

    // Act
    const missing = await failureOf(lambda.invoke('missing', {}));
    const noHandler = await failureOf(lambda.invoke('noHandler', {}));

    // Assert
    expect(missing.name).toBe('Runtime.ImportModuleError');
    expect(missing.errorMessage).toContain('lambda-runtime.does-not-exist.ts');
    expect(noHandler.name).toBe('Runtime.ImportModuleError');
    expect(noHandler.errorMessage).toContain('does not export a handler');
    expect(lambda.stats().noHandler).toMatchObject({ environments: 0 });
  });

  it('fails the invocation on an unhandled rejection and replaces the environment', async () => {
    // Arrange
    const lambda = runtime({ maxEnvironmentsPerFunction: 1 });
    const before = await identify(lambda, 'first');

    // Act
    const error = await failureOf(invoke(lambda, 'first', { action: 'rejectLater' }));
    const after = await identify(lambda, 'first');

    // Assert
    expect(error.name).toBe('Runtime.UnhandledPromiseRejection');
    expect(error.errorMessage).toBe('EscapedError: escaped the handler');
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('fails in-flight invocations when stopped, and starts fresh environments afterwards', async () => {
    // Arrange
    const lambda = runtime();
    const before = await identify(lambda, 'first');
    const held = failureOf(invoke(lambda, 'first', { action: 'hold', key: 'stopped' }));
    await whenStarted('stopped');

    // Act
    await lambda.stop();
    const error = await held;
    const after = await identify(lambda, 'first');

    // Assert
    expect(error.name).toBe('Runtime.ExitError');
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('rejects a function it does not know', async () => {
    // Arrange
    const lambda = runtime();

    // Act
    const error = await failureOf(lambda.invoke('unknown' as TestFunction, {}));

    // Assert
    expect(error.name).toBe('ResourceNotFoundException');
  });
});
