import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { FunctionName } from '#contract/function-catalog.ts';
import { functionNameFromArn, invokeFunction } from '#local/lambda-runtime.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localStateMachineArn, stateTypes, taskStates } from './definition.ts';
import { ServiceError, stateError } from './errors.ts';
import type { ActiveRun, Execution, ExecutionStatus, ResumeTarget } from './execution.ts';
import { ExecutionStore, executionFromStored, resumeTargetOf, type StoredExecution, storedExecution } from './execution-store.ts';
import { type HistoryEvent, HistoryRecorder, type LibraryEvent, openTopLevelState } from './history.ts';
import {
  type DeadLetteredStatusChange,
  type ExecutionStatusChangeEvent,
  StatusChangeDelivery,
  type StatusChangeRetryPolicy,
  statusChangeEvent,
} from './status-events.ts';

export type { ExecutionStatus } from './execution.ts';
export type { DeadLetteredStatusChange, ExecutionStatusChangeEvent, StatusChangeRetryPolicy } from './status-events.ts';

type JSONValue = Parameters<StateMachine['run']>[0];

export interface StateOverrideContext {
  executionArn: string;
  stateName: string;
  /** 1 for the first call of this state in this execution, 2 for its retry or re-entry, and so on. */
  attempt: number;
}

/**
 * Replaces what a Task state calls (the Lambda handler, or the function a .waitForTaskToken state invokes — the state
 * still waits for its token). Receives the state's evaluated Parameters and returns the call's raw result; a thrown
 * error's `name` is the state's error name, as Retry and Catch see it.
 */
export type StateOverride = (parameters: unknown, context: StateOverrideContext) => unknown;

export interface LocalStepFunctionsOptions {
  /** The state machine's name, e.g. PatientJourney; its ARN uses the local account and region. */
  stateMachineName: string;
  /** A definition with every placeholder substituted (definition.ts). Validated once, here. */
  definition: StateMachineDefinition;
  /** Per-state replacements of the task's call, keyed by state name (tests). */
  stateOverrides?: Record<string, StateOverride>;
  /** When set, every Retry waits this many milliseconds instead of its back-off (tests use 0). */
  retryDelayMs?: number;
  /** How a Lambda function is invoked; defaults to importing its handler file in this process. */
  invoke?: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** One line per closed execution; omit for silence. */
  log?: (line: string) => void;
  /**
   * Keeps every execution in this directory (one JSON file each, under `<persistDir>/<stateMachineName>/`), so
   * executions outlive the process: the constructor loads them, `resume()` continues the RUNNING ones, and
   * `stop()` suspends instead of aborting. Absent: executions live in memory.
   */
  persistDir?: string;
  /**
   * The target of the state machine's "Step Functions Execution Status Change" events (RUNNING on start and redrive;
   * SUCCEEDED, FAILED, TIMED_OUT, ABORTED on close), delivered like EventBridge to a Lambda target: a rejection is
   * retried with back-off, then dead-lettered (`deadLetters()`).
   */
  onStatusChange?: (event: ExecutionStatusChangeEvent) => Promise<void>;
  /** Bounds the retries of `onStatusChange` (EventBridge's defaults: 185 retries, 24 hours). */
  statusChangeRetryPolicy?: StatusChangeRetryPolicy;
  /**
   * EXPRESS state machines this one runs through `states:startExecution.sync:2` Tasks, by name (PatientJourney's
   * RunStages runs JourneyStages). A nested run happens inside the Task that starts it: its states appear in the
   * parent's events and history (on AWS an Express run's history is in its CloudWatch log), its Task states take
   * `stateOverrides` like the parent's, and it sends no status-change events (Express executions send none).
   */
  nested?: Record<string, StateMachineDefinition>;
}

export interface StartExecutionInput {
  stateMachineArn?: string;
  name?: string;
  input?: string;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
}

type TaskHandler = (parameters: unknown, execution: Execution, token?: string) => Promise<unknown>;

/** How a run starts: a new execution, a redrive, or a stored execution continuing in this process. */
type RunMode = { kind: 'start' } | { kind: 'redrive' } | ({ kind: 'resume'; parked: boolean } & ResumeTarget);

interface PendingTask {
  executionArn: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-step-functions`;
const TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{40,}$/;
/** The Task resources taskHandler runs: the ones the deployable workflow uses, and no other. */
const SUPPORTED_RESOURCES =
  'arn:aws:lambda:…:function:<catalog function>, arn:aws:states:::lambda:invoke.waitForTaskToken and arn:aws:states:::states:startExecution.sync:2 (of a nested state machine)';
const START_NESTED_SYNC = 'arn:aws:states:::states:startExecution.sync:2';
/** What AWS forbids in an execution name: white space, brackets, wildcards, special and control characters. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]|\p{Cc}/u;

/**
 * A local Step Functions service for one state machine: runs the deployable definition with aws-local-stepfunctions
 * and supplies what that library leaves to its caller — Lambda tasks run the catalog handlers in this process,
 * `.waitForTaskToken` tasks wait for SendTaskSuccess/Failure, executions have AWS's name uniqueness, status and
 * history, and status changes go out as EventBridge events. Any other Task resource is refused at construction. With
 * `persistDir`, executions survive the process (see README in this folder): construct, `await resume()`, serve,
 * `await stop()`.
 */
export class LocalStepFunctions {
  readonly stateMachineArn: string;
  private readonly machine: StateMachine;
  /** The nested EXPRESS machines, by ARN. */
  private readonly nested = new Map<string, { name: string; machine: StateMachine }>();
  /** Aborts the nested runs in progress, by parent execution. */
  private readonly nestedRuns = new Map<string, Set<() => void>>();
  private readonly handlers: Map<string, TaskHandler>;
  private readonly types: ReturnType<typeof stateTypes>;
  private readonly executions = new Map<string, Execution>();
  private readonly pending = new Map<string, PendingTask>();
  /** Tokens whose task already finished: AWS answers TaskTimedOut for these rather than TaskDoesNotExist. */
  private readonly closedTokens = new Set<string>();
  private readonly changes = new EventEmitter();
  private readonly retryIntervalOverrides: Record<string, number> | undefined;
  private readonly createdAt = new Date();
  private readonly store: ExecutionStore | undefined;
  private readonly delivery: StatusChangeDelivery;
  private resumed = false;
  private suspended = false;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.stateMachineArn = localStateMachineArn(options.stateMachineName);
    assertRunnable(options.definition);
    this.machine = new StateMachine(options.definition);
    const definitions = [options.definition];
    for (const [name, definition] of Object.entries(options.nested ?? {})) {
      assertRunnable(definition);
      this.nested.set(localStateMachineArn(name), { name, machine: new StateMachine(definition) });
      definitions.push(definition);
    }
    // State names are unique across the nested machines too: overrides and history address states by name.
    this.types = new Map(definitions.flatMap((definition) => [...stateTypes(definition)]));
    const tasks = definitions.flatMap((definition) => taskStates(definition));
    if (new Set(tasks.map((t) => t.name)).size !== tasks.length) throw new Error('A Task state name is used by two state machines');
    this.handlers = new Map(tasks.map((task) => [task.name, this.taskHandler(task.name, task.resource)]));
    for (const name of Object.keys(options.stateOverrides ?? {})) {
      if (!this.handlers.has(name)) throw new Error(`stateOverrides: no Task state named ${name}`);
    }
    this.retryIntervalOverrides =
      options.retryDelayMs === undefined
        ? undefined
        : Object.fromEntries([...this.types].filter(([, s]) => s.type === 'Task').map(([name]) => [name, options.retryDelayMs as number]));
    this.changes.setMaxListeners(0);
    this.delivery = new StatusChangeDelivery({
      ...(options.onStatusChange ? { deliver: options.onStatusChange } : {}),
      ...(options.statusChangeRetryPolicy ? { retryPolicy: options.statusChangeRetryPolicy } : {}),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      ...(options.log ? { log: options.log } : {}),
      onChange: (executionArn) => {
        const execution = this.executions.get(executionArn);
        if (execution) this.persist(execution);
        this.changes.emit('change');
      },
    });
    if (options.persistDir) {
      this.store = new ExecutionStore(options.persistDir, options.stateMachineName, options.log);
      for (const record of this.store.load(this.stateMachineArn)) this.restore(record);
    }
  }

  /**
   * Continues the stored RUNNING executions (from the state each was in; a task waiting for its token waits again for
   * the same token without its function being called again) and redelivers the status-change events a previous
   * process left undelivered. Call it once the functions can run (their environment set), before serving.
   */
  async resume(): Promise<void> {
    if (this.resumed || this.suspended) return;
    this.resumed = true;
    for (const execution of this.executions.values()) {
      const target = execution.resumeTarget;
      if (!target) continue;
      delete execution.resumeTarget;
      this.continueExecution(execution, target);
    }
    this.delivery.start();
  }

  /** StartExecution: an execution name is unique per state machine; repeating a running one's name and input is a no-op. */
  startExecution(request: StartExecutionInput): { executionArn: string; startDate: Date } {
    this.assertStateMachine(request.stateMachineArn);
    this.assertServing();
    const name = request.name ?? randomUUID();
    if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    let parsed: JSONValue;
    try {
      parsed = JSON.parse(input) as JSONValue;
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    }
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${this.options.stateMachineName}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // AWS: same name and input while RUNNING returns the original response; anything else is a conflict.
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      executionArn,
      name,
      input,
      status: 'RUNNING',
      startDate: new Date(),
      redriveCount: 0,
      events: [],
      nestedEvents: [],
      history: new HistoryRecorder(this.types, ROLE_ARN),
      calls: new Map(),
      results: new Map(),
      closedTokens: new Set(),
      stopping: false,
    };
    this.executions.set(executionArn, execution);
    this.statusChanged(execution);
    this.run(execution, this.machine, parsed, { kind: 'start' });
    return { executionArn, startDate: execution.startDate };
  }

  describeExecution(executionArn: string): ExecutionDescription {
    const e = this.execution(executionArn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      input: e.input,
      redriveCount: e.redriveCount,
      ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  /** Newest first, like ListExecutions. */
  listExecutions(filter: { stateMachineArn?: string; statusFilter?: ExecutionStatus } = {}): ExecutionDescription[] {
    this.assertStateMachine(filter.stateMachineArn);
    return [...this.executions.values()]
      .filter((e) => !filter.statusFilter || e.status === filter.statusFilter)
      .reverse()
      .map((e) => this.describeExecution(e.executionArn));
  }

  /** The execution's history in AWS's event shapes (GetExecutionHistory). */
  getExecutionHistory(executionArn: string): HistoryEvent[] {
    return this.execution(executionArn).history.events;
  }

  /** The names of the states the execution entered, in order (a retry is not a new entry, as in AWS). */
  enteredStates(executionArn: string): string[] {
    return this.execution(executionArn).events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
  }

  /** How many times the execution called a Task state's resource (first call + retries + re-entries). */
  callCount(executionArn: string, stateName: string): number {
    return this.execution(executionArn).calls.get(stateName) ?? 0;
  }

  /** The raw aws-local-stepfunctions event log. */
  rawEvents(executionArn: string): readonly LibraryEvent[] {
    return this.execution(executionArn).events;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new ServiceError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    }
    this.takePending(taskToken).resolve(parsed);
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.takePending(taskToken).reject(stateError(error ?? '', cause ?? ''));
  }

  /** SendTaskHeartbeat: tasks here have no heartbeat timeout, so this only checks that the task still waits. */
  sendTaskHeartbeat(taskToken: string): void {
    this.findPending(taskToken);
  }

  /** DescribeStateMachine, for tools that inspect the endpoint. */
  describeStateMachine() {
    return {
      stateMachineArn: this.stateMachineArn,
      name: this.options.stateMachineName,
      status: 'ACTIVE',
      type: 'STANDARD',
      definition: JSON.stringify(this.options.definition),
      roleArn: ROLE_ARN,
      creationDate: this.createdAt,
    };
  }

  /** StopExecution: aborts a running execution (its waiting tasks end; a task call in progress finishes on its own). */
  stopExecution(executionArn: string, error?: string, cause?: string): { stopDate: Date } {
    const e = this.execution(executionArn);
    if (e.status === 'RUNNING') {
      if (error !== undefined) e.error = error;
      if (cause !== undefined) e.cause = cause;
      e.stopping = true;
      if (e.run) {
        e.run.abort();
        this.abortNested(executionArn);
        this.rejectPending(executionArn);
      } else {
        // A stored execution not resumed yet: nothing runs, it closes here.
        delete e.resumeTarget;
        this.close(e, { status: 'ABORTED' });
      }
    }
    return { stopDate: e.stopDate ?? new Date() };
  }

  /**
   * RedriveExecution: runs a FAILED, TIMED_OUT or ABORTED execution again from the state it did not leave, with that
   * state's input (approximates AWS, which also resets that state's retry counters). Returns the redrive date.
   */
  redriveExecution(executionArn: string): { redriveDate: Date } {
    this.assertServing();
    const e = this.execution(executionArn);
    if (e.status === 'RUNNING' || e.status === 'SUCCEEDED') {
      throw new ServiceError(
        'ExecutionNotRedrivable',
        `Execution is ${e.status}: only FAILED, TIMED_OUT or ABORTED executions can be redriven`,
      );
    }
    const from = openTopLevelState(e.events, this.isTopLevel);
    if (!from || !(from.name in this.options.definition.States)) {
      throw new ServiceError('ExecutionNotRedrivable', 'No top-level state to redrive from');
    }
    const machine = new StateMachine({ ...this.options.definition, StartAt: from.name }, { validationOptions: { noValidate: true } });
    e.status = 'RUNNING';
    e.stopping = false;
    e.redriveCount += 1;
    delete e.stopDate;
    delete e.error;
    delete e.cause;
    delete e.output;
    this.statusChanged(e);
    this.run(e, machine, from.input as JSONValue, { kind: 'redrive' });
    return { redriveDate: new Date() };
  }

  /** Resolves once the execution has closed (any status but RUNNING). */
  async awaitExecution(executionArn: string, timeoutMs = 20_000): Promise<ExecutionDescription> {
    return this.waitFor(() => {
      const d = this.describeExecution(executionArn);
      return d.status === 'RUNNING' ? undefined : d;
    }, timeoutMs);
  }

  /** Resolves with the token of a task the execution waits on (optionally in a given state). */
  async awaitTaskToken(executionArn: string, stateName?: string, timeoutMs = 20_000): Promise<string> {
    return this.waitFor(() => {
      for (const [token, task] of this.pending) {
        if (task.executionArn === executionArn && (!stateName || task.stateName === stateName)) return token;
      }
      const d = this.describeExecution(executionArn);
      if (d.status !== 'RUNNING') throw new Error(`Execution closed (${d.status}) without waiting for a task token`);
      return undefined;
    }, timeoutMs);
  }

  /** Resolves once no status-change event waits for delivery (each delivered or dead-lettered). */
  async awaitEventsDelivered(timeoutMs = 20_000): Promise<void> {
    await this.waitFor(() => (this.delivery.idle ? true : undefined), timeoutMs);
  }

  /** Status-change events whose delivery retries ran out, oldest first (EventBridge's dead-letter queue). */
  deadLetters(): DeadLetteredStatusChange[] {
    return this.delivery.deadLetters();
  }

  /**
   * Ends this service so the process can exit. With `persistDir`, this is `suspend()`: the executions stay RUNNING on
   * disk for the next process. Without, every running execution is aborted (ABORTED: the process takes them along);
   * events not delivered yet, and the ABORTED events of this shutdown, are dropped with the rest of the memory.
   */
  async stop(): Promise<void> {
    if (this.store) return this.suspend();
    await this.delivery.stop();
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const e of running) this.stopExecution(e.executionArn);
    await this.waitFor(() => (running.every((e) => e.status !== 'RUNNING') ? true : undefined), 5_000).catch(() => undefined);
  }

  /**
   * Stops every run in this process without closing any execution, as a process death would leave them on AWS: the
   * stored executions stay RUNNING, where they were (waiting tasks keep their tokens), undelivered events stay queued,
   * and nothing more is written. Timers end, so the process can exit; a task call in progress finishes on its own and
   * its result is dropped (the next process runs that task again). The service takes no new work afterwards.
   */
  async suspend(): Promise<void> {
    if (this.suspended) return;
    this.suspended = true;
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    const runs: ActiveRun[] = [];
    for (const e of running) {
      if (e.run) {
        // A run StopExecution already aborted ends ABORTED as it should; any other is only interrupted.
        if (!e.stopping) {
          e.run.suspended = true;
          e.run.abort();
          this.abortNested(e.executionArn);
        }
        runs.push(e.run);
      }
      e.stopping = true;
    }
    // The events the runs logged before the abort: the last state entered is where the next process continues.
    await Promise.all(runs.map((run) => run.finished));
    for (const e of running) if (e.run) this.persist(e);
    await this.delivery.stop();
    await this.store?.flush();
    this.store?.close();
    // Only now end the waits in memory (their tasks' timers with them); nothing of it reaches the disk.
    for (const [token, task] of this.pending) {
      this.pending.delete(token);
      task.reject(stateError('States.Runtime', 'The local service was suspended', { retryable: false, catchable: false }));
    }
  }

  private run(execution: Execution, machine: StateMachine, input: JSONValue, mode: RunMode): void {
    // One marker per execution stands in for $$.Task.Token; each waiting task swaps it for a fresh token of its own.
    const tokenMarker = `local-task-token-marker:${execution.executionArn}`;
    const run = machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: this.localHandlers(execution, tokenMarker),
        ...(this.retryIntervalOverrides ? { retryIntervalOverrides: this.retryIntervalOverrides } : {}),
      },
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: ROLE_ARN, RedriveCount: execution.redriveCount },
        StateMachine: { Id: this.stateMachineArn, Name: this.options.stateMachineName },
        Task: { Token: tokenMarker },
      },
    });
    // A resumed run starts again inside the history: no second ExecutionStarted, and the state it resumes was entered
    // already (a task run again is a new attempt, a task waiting again is nothing new).
    let skipStart = mode.kind === 'resume';
    let skipEntry = mode.kind === 'resume' && mode.entered ? mode.stateName : undefined;
    const active: ActiveRun = { abort: run.abort, suspended: false, finished: Promise.resolve() };
    const drained = (async () => {
      for await (const event of run.eventLogs) {
        if (active.suspended && event.type === 'ExecutionAborted') continue;
        if (skipStart && event.type === 'ExecutionStarted') {
          skipStart = false;
          continue;
        }
        if (skipEntry !== undefined && event.type === 'StateEntered' && event.state.name === skipEntry) {
          skipEntry = undefined;
          if (mode.kind === 'resume' && !mode.parked) execution.history.rescheduled(event);
        } else {
          // A nested run's states come before the end of the Task that ran it.
          if ('state' in event && event.type !== 'StateEntered' && this.types.get(event.state.name)?.resource === START_NESTED_SYNC)
            this.recordNested(execution);
          execution.events.push(event);
          execution.history.record(event, execution);
        }
        this.persist(execution);
        this.changes.emit('change');
      }
    })();
    execution.run = active;
    const settled = run.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output: JSON.stringify(output) }),
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' as const };
        if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' as const };
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
        return { status: 'FAILED' as const, error: cause.name, cause: cause.message };
      },
    );
    active.finished = Promise.all([settled, drained]).then(([outcome]) => {
      // The abort of suspend() is no outcome: the execution goes on in the next process. (A run that ended just
      // before it did end.)
      if (active.suspended && outcome.status === 'ABORTED') return;
      if (execution.run === active) delete execution.run;
      this.close(execution, outcome);
    });
  }

  /** The library's task handlers for a run of the execution (or of a machine it nests). */
  private localHandlers(execution: Execution, tokenMarker: string) {
    return Object.fromEntries(
      [...this.handlers].map(([name, handler]) => [
        name,
        (parameters: JSONValue) => {
          const { value, token } = replaceMarker(parameters, tokenMarker);
          return handler(value, execution, token) as Promise<JSONValue>;
        },
      ]),
    );
  }

  /**
   * A startExecution.sync:2 Task: runs the nested EXPRESS machine to its end inside the Task, its events recorded with
   * the parent's. Succeeds with the run's description and its output as JSON (as .sync:2 does); a run that fails,
   * times out or is aborted fails the Task with States.TaskFailed and the run's description, with its own error and
   * cause, as the Task's cause.
   */
  private async runNested(parameters: unknown, execution: Execution): Promise<unknown> {
    const { StateMachineArn, Input } = parameters as { StateMachineArn?: string; Input?: unknown };
    const nested = StateMachineArn ? this.nested.get(StateMachineArn) : undefined;
    if (!nested) throw stateError('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${StateMachineArn}'`);
    const name = randomUUID();
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:express:${nested.name}:${name}:${randomUUID()}`;
    const input = typeof Input === 'string' ? (JSON.parse(Input) as JSONValue) : ((Input ?? {}) as JSONValue);
    const run = nested.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: this.localHandlers(execution, `local-no-task-token:${executionArn}`),
        ...(this.retryIntervalOverrides ? { retryIntervalOverrides: this.retryIntervalOverrides } : {}),
      },
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: ROLE_ARN },
        StateMachine: { Id: StateMachineArn as string, Name: nested.name },
      },
    });
    const aborts = this.nestedRuns.get(execution.executionArn) ?? new Set<() => void>();
    this.nestedRuns.set(execution.executionArn, aborts);
    aborts.add(run.abort);
    // Kept aside until the parent records the Task's end (its own events trail this run's), then recorded in order.
    const drained = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type.startsWith('Execution')) continue;
        execution.nestedEvents.push(event);
      }
    })();
    const startDate = new Date();
    const description = {
      ExecutionArn: executionArn,
      StateMachineArn,
      Name: name,
      StartDate: startDate.getTime(),
      Input: JSON.stringify(input),
    };
    try {
      const output = await run.result;
      await drained;
      return { ...description, Status: 'SUCCEEDED', StopDate: Date.now(), Output: output };
    } catch (error) {
      await drained.catch(() => undefined);
      const status = error instanceof ExecutionAbortedError ? 'ABORTED' : error instanceof ExecutionTimeoutError ? 'TIMED_OUT' : 'FAILED';
      const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
      const failure =
        status === 'FAILED'
          ? { Error: cause.name, Cause: cause.message }
          : { Error: `States.${status === 'TIMED_OUT' ? 'Timeout' : 'Aborted'}` };
      throw stateError('States.TaskFailed', JSON.stringify({ ...description, Status: status, StopDate: Date.now(), ...failure }));
    } finally {
      aborts.delete(run.abort);
    }
  }

  private recordNested(execution: Execution): void {
    for (const event of execution.nestedEvents.splice(0)) {
      execution.events.push(event);
      execution.history.record(event, execution);
    }
  }

  private abortNested(executionArn: string): void {
    for (const abort of this.nestedRuns.get(executionArn) ?? []) abort();
    this.nestedRuns.delete(executionArn);
  }

  /** Records an execution's end: status, stop date, output or error; ends its waiting tasks; sends its event. */
  private close(
    execution: Execution,
    outcome: { status: Exclude<ExecutionStatus, 'RUNNING'>; output?: string; error?: string; cause?: string },
  ): void {
    execution.status = outcome.status;
    execution.stopDate = new Date();
    if (outcome.output !== undefined) execution.output = outcome.output;
    if (outcome.error !== undefined) {
      execution.error = outcome.error;
      execution.cause = outcome.cause ?? '';
    }
    this.rejectPending(execution.executionArn);
    this.options.log?.(`[step functions] ${this.options.stateMachineName}/${execution.name} ${execution.status}`);
    this.statusChanged(execution);
    this.changes.emit('change');
  }

  /** Persists the execution and, when a target is set, sends its status-change event. */
  private statusChanged(execution: Execution): void {
    if (this.options.onStatusChange) this.delivery.enqueue(statusChangeEvent(this.describeExecution(execution.executionArn)));
    this.persist(execution);
  }

  /** A stored RUNNING execution continues in this process (resume()). */
  private continueExecution(execution: Execution, target: ResumeTarget | 'from-start'): void {
    if (target === 'from-start') {
      // Stored before its first event: nothing of it ran yet.
      this.run(execution, this.machine, JSON.parse(execution.input) as JSONValue, { kind: 'start' });
      return;
    }
    if (!(target.stateName in this.options.definition.States)) {
      this.close(execution, {
        status: 'FAILED',
        error: 'States.Runtime',
        cause: `The execution was in state ${target.stateName}, which the state machine definition no longer has`,
      });
      return;
    }
    const { TimeoutSeconds } = this.options.definition;
    const definition = {
      ...this.options.definition,
      StartAt: target.stateName,
      // The execution's time limit runs from its start, not from this process's.
      ...(TimeoutSeconds !== undefined
        ? { TimeoutSeconds: Math.max(TimeoutSeconds - (Date.now() - execution.startDate.getTime()) / 1000, 0.001) }
        : {}),
    };
    const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const parked = execution.parked?.stateName === target.stateName;
    this.options.log?.(
      `[step functions] ${this.options.stateMachineName}/${execution.name} resumed in ${target.stateName}${parked ? ' (waiting for its task token)' : ''}`,
    );
    this.run(execution, machine, target.input as JSONValue, { kind: 'resume', parked, ...target });
  }

  /** Takes back a stored execution (constructor). RUNNING ones wait for resume(); their waiting token answers now. */
  private restore(record: StoredExecution): void {
    const execution = executionFromStored(record, new HistoryRecorder(this.types, ROLE_ARN, record.history));
    for (const token of execution.closedTokens) this.closedTokens.add(token);
    this.executions.set(execution.executionArn, execution);
    this.delivery.restore(record.undeliveredEvents, record.deadLetters);
    if (execution.status !== 'RUNNING') return;
    execution.resumeTarget = resumeTargetOf(record, this.isTopLevel, this.options.definition.StartAt);
    const point = record.resumePoint;
    const token = point?.taskToken;
    // A token answered before the snapshot caught up is lost with its answer: the task runs again instead.
    if (point && token && !execution.closedTokens.has(token)) {
      const answered = new Promise<unknown>((resolve, reject) => {
        this.pending.set(token, { executionArn: execution.executionArn, stateName: point.stateName, resolve, reject });
      });
      answered.catch(() => undefined);
      execution.parked = { stateName: point.stateName, answered };
      execution.waiting = { stateName: point.stateName, token };
    }
  }

  /** Schedules a write of the execution (no-op without persistDir, and after suspend()). */
  private persist(execution: Execution): void {
    this.store?.save(execution.executionArn, () =>
      storedExecution(execution, {
        stateMachineArn: this.stateMachineArn,
        isTopLevel: this.isTopLevel,
        undeliveredEvents: this.delivery.queuedFor(execution.executionArn),
        deadLetters: this.delivery.deadLettersFor(execution.executionArn),
      }),
    );
  }

  private readonly isTopLevel = (stateName: string): boolean => stateName in this.options.definition.States;

  /** What a Task state calls, chosen from its Resource as Step Functions would (see README in this folder). */
  private taskHandler(stateName: string, resource: string): TaskHandler {
    const override = this.options.stateOverrides?.[stateName];
    const invoke = this.options.invoke ?? invokeFunction;
    const call = (execution: Execution, fallback: (parameters: unknown) => Promise<unknown>) => async (parameters: unknown) => {
      if (execution.stopping) throw stateError('States.Runtime', 'The execution was stopped', { retryable: false, catchable: false });
      const attempt = (execution.calls.get(stateName) ?? 0) + 1;
      execution.calls.set(stateName, attempt);
      const result = override
        ? await override(parameters, { executionArn: execution.executionArn, stateName, attempt })
        : await fallback(parameters);
      return { attempt, result: result === undefined ? null : result };
    };

    const lambdaName = functionNameFromArn(resource);
    if (resource.startsWith('arn:aws:lambda:')) {
      if (!lambdaName) throw new Error(`State ${stateName}: ${resource} is not a function of contract/function-catalog.ts`);
      return async (parameters, execution) => {
        const { attempt, result } = await call(execution, (p) => invoke(lambdaName, p))(parameters);
        execution.results.set(`${stateName}#${attempt}`, result);
        return result;
      };
    }
    if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
      return async (parameters, execution, token) => {
        const parked = execution.parked;
        if (parked?.stateName === stateName) {
          // Resumed after a restart: the function ran in the previous process and the task still waits for its token.
          delete execution.parked;
          const output = await parked.answered;
          execution.results.set(`${stateName}#${execution.calls.get(stateName) ?? 0}`, output);
          return output;
        }
        const { FunctionName } = parameters as { FunctionName: string };
        const target = this.catalogFunction(stateName, FunctionName);
        if (!token)
          throw stateError('States.Runtime', `State ${stateName}: the Payload does not pass $$.Task.Token`, {
            retryable: false,
            catchable: false,
          });
        // Registered before the function runs, so a function that answers at once finds its task.
        const answered = new Promise<unknown>((resolve, reject) => {
          this.pending.set(token, { executionArn: execution.executionArn, stateName, resolve, reject });
        });
        answered.catch(() => undefined);
        try {
          await call(execution, (p) => invoke(target, (p as { Payload?: unknown }).Payload))(parameters);
        } catch (error) {
          this.pending.delete(token);
          throw error;
        }
        // Unless the function answered already: the token to wait for again after a restart.
        if (this.pending.has(token)) {
          execution.waiting = { stateName, token };
          this.persist(execution);
        }
        this.changes.emit('change');
        const output = await answered;
        execution.results.set(`${stateName}#${execution.calls.get(stateName) ?? 0}`, output);
        return output;
      };
    }
    if (resource === START_NESTED_SYNC) {
      return async (parameters, execution) => {
        const { attempt, result } = await call(execution, (p) => this.runNested(p, execution))(parameters);
        execution.results.set(`${stateName}#${attempt}`, result);
        return result;
      };
    }
    throw new Error(
      `State ${stateName}: the local Step Functions service does not support ${resource} ` +
        `(it runs ${SUPPORTED_RESOURCES}, the integrations the journey's workflows use)`,
    );
  }

  private catalogFunction(stateName: string, functionName: string): FunctionName {
    const name = functionNameFromArn(functionName);
    if (!name) throw stateError('Lambda.ResourceNotFoundException', `State ${stateName}: function not found: ${functionName}`);
    return name;
  }

  private findPending(taskToken: string): PendingTask {
    if (!TOKEN_PATTERN.test(taskToken)) throw new ServiceError('InvalidToken', 'Invalid Token: the task token is malformed');
    const task = this.pending.get(taskToken);
    if (!task) {
      if (this.closedTokens.has(taskToken))
        throw new ServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
      throw new ServiceError('TaskDoesNotExist', 'Task Does Not Exist: no task is waiting for this token');
    }
    return task;
  }

  private takePending(taskToken: string): PendingTask {
    const task = this.findPending(taskToken);
    this.closeToken(taskToken, task);
    return task;
  }

  /** The task no longer waits for this token: later answers get TaskTimedOut (after a restart too). */
  private closeToken(taskToken: string, task: PendingTask): void {
    this.pending.delete(taskToken);
    this.closedTokens.add(taskToken);
    const execution = this.executions.get(task.executionArn);
    if (!execution) return;
    execution.closedTokens.add(taskToken);
    if (execution.waiting?.token === taskToken) delete execution.waiting;
    this.persist(execution);
  }

  /** Ends every task the execution waits on with an error no Retry or Catch matches (stop, close). */
  private rejectPending(executionArn: string): void {
    for (const [token, task] of this.pending) {
      if (task.executionArn !== executionArn) continue;
      this.closeToken(token, task);
      task.reject(stateError('States.Runtime', 'The execution was stopped', { retryable: false, catchable: false }));
    }
  }

  private execution(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  private assertServing(): void {
    if (this.suspended) throw new ServiceError('ServiceUnavailable', 'The local Step Functions service is stopping', 503);
  }

  private assertStateMachine(stateMachineArn: string | undefined): void {
    if (stateMachineArn !== undefined && stateMachineArn !== this.stateMachineArn) {
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
  }

  private waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          cleanup();
          reject(error);
          return;
        }
        if (value !== undefined) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for the local state machine`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changes.off('change', attempt);
      };
      this.changes.on('change', attempt);
      attempt();
    });
  }
}

/**
 * aws-local-stepfunctions runs JSONPath only and silently ignores JSONata and `Assign`: refuse such a definition
 * rather than run it wrongly.
 */
function assertRunnable(definition: StateMachineDefinition): void {
  const text = JSON.stringify(definition);
  if (/"QueryLanguage"\s*:\s*"JSONata"/.test(text) || /"Assign"\s*:/.test(text)) {
    throw new Error('The local Step Functions service runs JSONPath definitions only (no JSONata, no Assign)');
  }
}

/** A task token: opaque, unguessable, and shaped like AWS's (which start with "AQ"). */
function newToken(): string {
  return `AQ${randomBytes(48).toString('base64url')}`;
}

/**
 * Replaces the execution's $$.Task.Token marker, wherever the Parameters put it, with a fresh token: one per task call,
 * so every waiting task (and every retry of one) has a token of its own, as in AWS.
 */
function replaceMarker(parameters: unknown, marker: string): { value: unknown; token?: string } {
  let token: string | undefined;
  const walk = (v: unknown): unknown => {
    if (v === marker) {
      token ??= newToken();
      return token;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  const value = walk(parameters);
  return token ? { value, token } : { value };
}
