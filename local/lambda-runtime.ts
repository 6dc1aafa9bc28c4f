import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { localClock } from '#local/clock.ts';
import { buildLambdaContext } from '#local/lambda-runtime/context.ts';
import type { EnvironmentData, FromEnvironment, SerializedError, ToEnvironment } from '#local/lambda-runtime/protocol.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/step-functions/definition.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const ENVIRONMENT_MODULE = pathToFileURL(resolve(import.meta.dirname, 'lambda-runtime/environment.ts')).href;
/** tsx's ESM API, resolved from here so that environments work whatever the working directory. */
const TSX_API = createRequire(import.meta.url).resolve('tsx/esm/api');
const TSCONFIG = resolve(REPO_ROOT, 'tsconfig.json');

/**
 * How many execution environments a function may have at once when the caller does not say. Each runs one invocation
 * at a time, as on Lambda; an invocation that finds them all busy waits for one (Lambda would scale out further, up
 * to the account's concurrency). Measured on 2 cores: an environment costs about 45 MB and 0.25–0.5 s to start (its
 * cold start, mostly loading the AWS SDK), so 4 per function keeps a load test under about 2 GB.
 */
const DEFAULT_MAX_ENVIRONMENTS = 4;
/** Overrides DEFAULT_MAX_ENVIRONMENTS for the default runtime (e.g. a load test that wants more concurrency). */
const MAX_ENVIRONMENTS_VARIABLE = 'LOCAL_LAMBDA_MAX_ENVIRONMENTS';

/** What the runtime needs to know of a function; the catalog's entries (contract/function-catalog.ts) qualify. */
export interface LocalFunctionSpec {
  /** Handler module, relative to the repo root; it exports `handler`. */
  entry: string;
  memorySize: number;
  timeoutSeconds: number;
}

export interface LocalLambdaRuntimeOptions<N extends string> {
  functions: Readonly<Record<N, LocalFunctionSpec>>;
  /** Execution environments per function (each runs one invocation at a time); default 4 or $LOCAL_LAMBDA_MAX_ENVIRONMENTS. */
  maxEnvironmentsPerFunction?: number;
  /** Replaces functions' timeouts, in milliseconds (tests, so that a timeout takes milliseconds instead of seconds). */
  timeoutMs?: Partial<Record<N, number>>;
  /** Gives each environment's JavaScript heap the function's memorySize as its limit (default true). */
  limitMemory?: boolean;
  /**
   * Modules (relative to the repo root) each environment imports before the handler, as `NODE_OPTIONS=--import` or
   * a layer would on Lambda: e.g. a meter that instruments the environment's own SDK clients (see setPreload).
   */
  preload?: string[];
  /** Receives every line the environments write, instead of this process's stdout/stderr (see setLogListener). */
  onLogLine?: LogLineListener;
}

/** A line an execution environment wrote to its stdout or stderr: for the handlers, one Powertools JSON log entry. */
export interface FunctionLogLine {
  functionName: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type LogLineListener = (line: FunctionLogLine) => void;

/** Per function: environments alive, how many are running an invocation, invocations waiting, and cold starts so far. */
export interface FunctionRuntimeStats {
  environments: number;
  busy: number;
  queued: number;
  coldStarts: number;
  /** Sum over the cold starts of the time from starting the worker to the handler module being loaded. */
  initMs: number;
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

const traceOf = (error: SerializedError) =>
  (error.stack ?? '')
    .split('\n')
    .slice(1, 6)
    .map((l) => l.trim());

const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;

interface Pending {
  requestId: string;
  resolve: (result: string) => void;
  reject: (error: Error) => void;
}

/**
 * One execution environment: a worker thread with its own module graph (tsx registered in it), hosting one function.
 * It is referenced (keeps the process alive) only while starting or running an invocation.
 */
class ExecutionEnvironment {
  readonly ready: Promise<void>;
  readonly startedAt = performance.now();
  initMs: number | undefined;
  private readonly worker: Worker;
  private pending: (Pending & { id: number }) | undefined;
  private nextId = 1;
  private ended: string | undefined;
  private settleInit!: { resolve: () => void; reject: (error: Error) => void };

  constructor(
    readonly functionName: string,
    private readonly spec: LocalFunctionSpec,
    limitMemory: boolean,
    preload: readonly string[],
    private readonly onEnd: (environment: ExecutionEnvironment) => void,
    logListener: () => LogLineListener | undefined,
  ) {
    this.ready = new Promise<void>((resolvePromise, reject) => {
      this.settleInit = { resolve: resolvePromise, reject };
    });
    // Handled by whoever awaits it; this keeps an environment nobody awaits from raising an unhandled rejection.
    this.ready.catch(() => undefined);
    const data: EnvironmentData = {
      functionName,
      entry: spec.entry,
      entryUrl: pathToFileURL(resolve(REPO_ROOT, spec.entry)).href,
      memorySize: spec.memorySize,
      invokedFunctionArn: functionArn(functionName),
      preloadUrls: preload.map((module) => pathToFileURL(resolve(REPO_ROOT, module)).href),
      clock: localClock.buffer,
    };
    const bootstrap = [
      // V8's code cache on disk (Node's compile cache) makes a cold start ~10–30% cheaper: most of it is compiling the SDK.
      `require('node:module').enableCompileCache?.();`,
      `require(${JSON.stringify(TSX_API)}).register({ tsconfig: ${JSON.stringify(TSCONFIG)} });`,
      `import(${JSON.stringify(ENVIRONMENT_MODULE)});`,
    ].join('\n');
    this.worker = new Worker(bootstrap, {
      eval: true,
      workerData: data,
      // The local cloud sets the handlers' configuration (endpoints, table name) on process.env, as Lambda sets it.
      env: SHARE_ENV,
      name: `lambda:${functionName}`,
      ...(limitMemory ? { resourceLimits: { maxOldGenerationSizeMb: spec.memorySize } } : {}),
      // With a log listener, the worker's output comes to this process as streams instead of going to its console.
      ...(logListener() ? { stdout: true, stderr: true } : {}),
    });
    if (logListener()) {
      for (const stream of ['stdout', 'stderr'] as const) {
        createInterface({ input: this.worker[stream], crlfDelay: Number.POSITIVE_INFINITY }).on('line', (text) => {
          const listener = logListener();
          if (listener) listener({ functionName, stream, text });
          else process[stream].write(`${text}\n`);
        });
      }
    }
    this.worker.on('message', (message: FromEnvironment) => this.receive(message));
    this.worker.on('error', (error: Error & { code?: string }) =>
      this.end(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'Runtime exited with error: out of memory'
          : `Runtime exited with error: ${error.message}`,
      ),
    );
    this.worker.on('exit', (code) => this.end('Runtime.ExitError', `Runtime exited with error: exit status ${code}`));
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Runs one invocation; rejects with Sandbox.Timedout (and ends this environment) after `timeoutMs`. */
  invoke(event: string, timeoutMs: number): Promise<string> {
    if (this.ended) return Promise.reject(new Error(`The execution environment of ${this.functionName} has ended`));
    if (this.pending) return Promise.reject(new Error(`The execution environment of ${this.functionName} is busy`));
    const id = this.nextId++;
    const requestId = randomUUID();
    this.worker.ref();
    return new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(
          new LambdaFunctionError(
            'Sandbox.Timedout',
            `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
            [],
          ),
        );
        // Lambda stops the environment of a timed-out invocation; the next invocation gets a fresh one (a cold start).
        void this.terminate('Sandbox.Timedout');
      }, timeoutMs);
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          this.pending = undefined;
          if (!this.ended) this.worker.unref();
          fn(value);
        };
      this.pending = { id, requestId, resolve: settle(resolvePromise), reject: settle(reject) };
      const message: ToEnvironment = { type: 'invoke', id, requestId, deadline: Date.now() + timeoutMs, event };
      this.worker.postMessage(message);
    });
  }

  /** Ends the worker; whatever it was running fails with `reason` (unless already settled). */
  terminate(reason: string): Promise<void> {
    this.end('Runtime.ExitError', reason);
    return this.worker.terminate().then(() => undefined);
  }

  private receive(message: FromEnvironment): void {
    switch (message.type) {
      case 'ready':
        this.initMs = performance.now() - this.startedAt;
        this.worker.unref();
        this.settleInit.resolve();
        return;
      case 'initError':
        this.end('Runtime.ImportModuleError', `${this.spec.entry}: ${message.error.message}`);
        void this.worker.terminate();
        return;
      case 'result':
        if (this.pending?.id === message.id) this.pending.resolve(message.result);
        return;
      case 'error':
        if (this.pending?.id === message.id)
          this.pending.reject(new LambdaFunctionError(message.error.name || 'Error', message.error.message, traceOf(message.error)));
        return;
      case 'crash':
        this.pending?.reject(new LambdaFunctionError(message.errorType, message.errorMessage, traceOf(message.error)));
        this.end(message.errorType, message.errorMessage);
        return;
    }
  }

  /** Marks the environment ended (once): fails its init or its invocation, and tells the pool. */
  private end(errorType: string, errorMessage: string): void {
    if (this.ended) return;
    this.ended = errorType;
    const failure = () => new LambdaFunctionError(errorType, errorMessage, []);
    this.settleInit.reject(failure());
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(
      errorType === 'Runtime.ExitError'
        ? new LambdaFunctionError(errorType, `RequestId: ${pending.requestId} Error: ${errorMessage}`, [])
        : failure(),
    );
    this.onEnd(this);
  }
}

interface Waiter {
  resolve: (environment: ExecutionEnvironment) => void;
  reject: (error: Error) => void;
}

/** A function's execution environments: reuses an idle one, starts another up to the limit, else queues. */
class FunctionPool {
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiters: Waiter[] = [];
  coldStarts = 0;
  initMs = 0;

  constructor(
    private readonly name: string,
    private readonly spec: LocalFunctionSpec,
    private readonly maxEnvironments: () => number,
    private readonly limitMemory: boolean,
    private readonly preload: () => readonly string[],
    private readonly logListener: () => LogLineListener | undefined,
  ) {}

  acquire(): Promise<ExecutionEnvironment> {
    const warm = this.idle.pop();
    if (warm) return Promise.resolve(warm);
    if (this.environments.size < this.maxEnvironments()) return Promise.resolve(this.start());
    return new Promise((resolvePromise, reject) => this.waiters.push({ resolve: resolvePromise, reject }));
  }

  release(environment: ExecutionEnvironment): void {
    if (!this.environments.has(environment)) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(environment);
    else this.idle.push(environment);
  }

  stats(): FunctionRuntimeStats {
    const busy = [...this.environments].filter((e) => e.busy).length;
    return { environments: this.environments.size, busy, queued: this.waiters.length, coldStarts: this.coldStarts, initMs: this.initMs };
  }

  async stop(): Promise<void> {
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`The local Lambda runtime stopped before ${this.name} ran`));
    await Promise.all([...this.environments].map((e) => e.terminate('The local Lambda runtime stopped')));
  }

  private start(): ExecutionEnvironment {
    const environment = new ExecutionEnvironment(
      this.name,
      this.spec,
      this.limitMemory,
      this.preload(),
      (ended) => this.forget(ended),
      this.logListener,
    );
    this.environments.add(environment);
    this.coldStarts += 1;
    environment.ready.then(
      () => {
        this.initMs += environment.initMs ?? 0;
      },
      () => undefined,
    );
    return environment;
  }

  /** An environment ended (timeout, crash, failed init, stop): its place goes to the next waiting invocation. */
  private forget(environment: ExecutionEnvironment): void {
    if (!this.environments.delete(environment)) return;
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(this.start());
  }
}

/**
 * Runs functions as Lambda does, in this process: each function has its own execution environments (worker threads,
 * each with its own module instances, so its own SDK clients and socket pools), each environment loads the handler
 * once and runs one invocation at a time, and an invocation that outlives the function's timeout fails with
 * Sandbox.Timedout and ends its environment.
 */
export class LocalLambdaRuntime<N extends string = FunctionName> {
  private readonly pools = new Map<N, FunctionPool>();
  private readonly timeouts: Partial<Record<N, number>>;
  private preload: readonly string[];
  private logListener: LogLineListener | undefined;

  constructor(private readonly options: LocalLambdaRuntimeOptions<N>) {
    this.timeouts = { ...options.timeoutMs };
    this.preload = [...(options.preload ?? [])];
    this.logListener = options.onLogLine;
  }

  /**
   * Invokes a function with Lambda's semantics: the event and the result cross a JSON boundary (so a handler can't
   * depend on sharing objects with its caller), and a thrown error becomes a `LambdaFunctionError` named after the
   * error's `name`; a handler that fails to load is `Runtime.ImportModuleError`, one that runs out of time
   * `Sandbox.Timedout`.
   */
  async invoke(name: N, event: unknown): Promise<unknown> {
    const spec = Object.hasOwn(this.options.functions, name) ? this.options.functions[name] : undefined;
    if (!spec) throw Object.assign(new Error(`Function not found: ${functionArn(name)}`), { name: 'ResourceNotFoundException' });
    const payload = JSON.stringify(event ?? null) ?? 'null';
    const pool = this.pool(name, spec);
    const environment = await pool.acquire();
    try {
      await environment.ready;
      const result = await environment.invoke(payload, this.timeoutMs(name));
      return JSON.parse(result) as unknown;
    } finally {
      pool.release(environment);
    }
  }

  /** The time an invocation of the function may run: its configured timeoutSeconds unless overridden. */
  timeoutMs(name: N): number {
    return this.timeouts[name] ?? this.options.functions[name].timeoutSeconds * 1000;
  }

  /** Replaces a function's timeout (milliseconds), or restores the configured one with `undefined` (tests). */
  setTimeoutMs(name: N, timeoutMs: number | undefined): void {
    if (timeoutMs === undefined) delete this.timeouts[name];
    else this.timeouts[name] = timeoutMs;
  }

  /**
   * Sets the modules environments started from now on import before their handler (see the `preload` option); call
   * it before the first invocation, or `stop()` first, for it to reach every environment.
   */
  setPreload(modules: readonly string[]): void {
    this.preload = [...modules];
  }

  /**
   * Hands every line the environments write (stdout and stderr) to `listener` instead of this process's console, or
   * restores the console with `undefined`. Environments started from now on are captured; call it before the first
   * invocation, or `stop()` first, for it to reach every environment.
   */
  setLogListener(listener: LogLineListener | undefined): void {
    this.logListener = listener;
  }

  stats(): Partial<Record<N, FunctionRuntimeStats>> {
    return Object.fromEntries([...this.pools].map(([name, pool]) => [name, pool.stats()])) as Partial<Record<N, FunctionRuntimeStats>>;
  }

  /** Ends every execution environment (in-flight invocations fail); later invocations start fresh ones. */
  async stop(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.stop()));
  }

  private pool(name: N, spec: LocalFunctionSpec): FunctionPool {
    let pool = this.pools.get(name);
    if (!pool) {
      const max = () =>
        this.options.maxEnvironmentsPerFunction ?? (Number(process.env[MAX_ENVIRONMENTS_VARIABLE]) || DEFAULT_MAX_ENVIRONMENTS);
      pool = new FunctionPool(
        name,
        spec,
        max,
        this.options.limitMemory ?? true,
        () => this.preload,
        () => this.logListener,
      );
      this.pools.set(name, pool);
    }
    return pool;
  }
}

/** The catalog's functions, as the local cloud, the API Gateway and the Step Functions service invoke them. */
export const localLambda = new LocalLambdaRuntime<FunctionName>({ functions: FUNCTIONS });

/**
 * Invokes a catalog function in its own execution environment (see LocalLambdaRuntime). Environments start on first
 * use, so the process environment (table name, endpoints) must be set before the first invocation.
 */
export function invokeFunction(name: FunctionName, event: unknown): Promise<unknown> {
  return localLambda.invoke(name, event);
}

/** Hands every line the catalog's functions write to `listener` (undefined: their console again); see setLogListener. */
export function setFunctionLogListener(listener: LogLineListener | undefined): void {
  localLambda.setLogListener(listener);
}

/** Ends every execution environment of the catalog's functions, so the process can exit. */
export function stopFunctions(): Promise<void> {
  return localLambda.stop();
}

/** A Lambda context for a catalog function, as its handler receives it. */
export function lambdaContext(name: FunctionName): Context {
  const spec = FUNCTIONS[name];
  return buildLambdaContext({
    functionName: name,
    memorySize: spec.memorySize,
    invokedFunctionArn: functionArn(name),
    awsRequestId: randomUUID(),
    deadline: Date.now() + spec.timeoutSeconds * 1000,
  });
}

/** The catalog function a Lambda ARN (or bare name, optionally qualified) designates, if any. */
export function functionNameFromArn(arnOrName: string): FunctionName | undefined {
  const match = /^(?:arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:)?([\w-]+)(?::[\w$-]+)?$/.exec(arnOrName);
  const name = match?.[1];
  return name && name in FUNCTIONS ? (name as FunctionName) : undefined;
}
