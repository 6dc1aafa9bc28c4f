import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { FunctionName } from '#infra/function-catalog.ts';
import { functionNameFromArn, invokeFunction } from '../lambda-runtime.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localStateMachineArn, stateTypes, taskStates } from './definition.ts';
import { ServiceError, stateError } from './errors.ts';
import { type HistoryEvent, HistoryRecorder, type LibraryEvent } from './history.ts';

type JSONValue = Parameters<StateMachine['run']>[0];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateOverrideContext {
  executionArn: string;
  stateName: string;
  /** 1 for the first call of this state in this execution, 2 for its retry or re-entry, and so on. */
  attempt: number;
}

/**
 * Replaces what a Task state calls (the Lambda handler, the DynamoDB request, or the function a .waitForTaskToken
 * state invokes — the state still waits for its token). Receives the state's evaluated Parameters and returns the
 * call's raw result; a thrown error's `name` is the state's error name, as Retry and Catch see it.
 */
export type StateOverride = (parameters: unknown, context: StateOverrideContext) => unknown;

export interface LocalStepFunctionsOptions {
  /** The state machine's name, e.g. PatientJourney; its ARN uses the local account and region. */
  stateMachineName: string;
  /** A definition with every placeholder substituted (definition.ts). Validated once, here. */
  definition: StateMachineDefinition;
  /** For the direct DynamoDB integrations (arn:aws:states:::dynamodb:*). */
  dynamodb: DynamoDBClient;
  /** Per-state replacements of the task's call, keyed by state name (tests). */
  stateOverrides?: Record<string, StateOverride>;
  /** When set, every Retry waits this many milliseconds instead of its back-off (tests use 0). */
  retryDelayMs?: number;
  /** How a Lambda function is invoked; defaults to importing its handler file in this process. */
  invoke?: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** One line per closed execution; omit for silence. */
  log?: (line: string) => void;
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

interface PendingTask {
  executionArn: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

interface Execution {
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  /** Raw aws-local-stepfunctions events, across redrives. */
  events: LibraryEvent[];
  history: HistoryRecorder;
  /** Calls per state so far (override attempts, history). */
  calls: Map<string, number>;
  /** Raw result of each successful task call, by `${state}#${call}` (history's TaskSucceeded output). */
  results: Map<string, unknown>;
  abort?: () => void;
  /** Set by StopExecution: the library still runs pending retries after an abort, and they must not call anything. */
  stopping: boolean;
}

const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-step-functions`;
const TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{40,}$/;
/** What AWS forbids in an execution name: white space, brackets, wildcards, special and control characters. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]|\p{Cc}/u;

/**
 * A local Step Functions service for one state machine: runs the deployable definition with aws-local-stepfunctions
 * and supplies what that library leaves to its caller — Lambda tasks run the catalog handlers in this process, direct
 * DynamoDB integrations run against DynamoDB Local, `.waitForTaskToken` tasks wait for SendTaskSuccess/Failure, and
 * executions have AWS's name uniqueness, status and history. Executions live in memory: a restart loses in-flight
 * executions (the journeys' state is in DynamoDB, which may persist).
 */
export class LocalStepFunctions {
  readonly stateMachineArn: string;
  private readonly machine: StateMachine;
  private readonly handlers: Map<string, TaskHandler>;
  private readonly types: ReturnType<typeof stateTypes>;
  private readonly executions = new Map<string, Execution>();
  private readonly pending = new Map<string, PendingTask>();
  /** Tokens whose task already finished: AWS answers TaskTimedOut for these rather than TaskDoesNotExist. */
  private readonly closedTokens = new Set<string>();
  private readonly changes = new EventEmitter();
  private readonly retryIntervalOverrides: Record<string, number> | undefined;
  private readonly createdAt = new Date();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.stateMachineArn = localStateMachineArn(options.stateMachineName);
    assertRunnable(options.definition);
    this.machine = new StateMachine(options.definition);
    this.types = stateTypes(options.definition);
    this.handlers = new Map(taskStates(options.definition).map((task) => [task.name, this.taskHandler(task.name, task.resource)]));
    for (const name of Object.keys(options.stateOverrides ?? {})) {
      if (!this.handlers.has(name)) throw new Error(`stateOverrides: no Task state named ${name}`);
    }
    this.retryIntervalOverrides =
      options.retryDelayMs === undefined
        ? undefined
        : Object.fromEntries([...this.types].filter(([, s]) => s.type === 'Task').map(([name]) => [name, options.retryDelayMs as number]));
    this.changes.setMaxListeners(0);
  }

  /** StartExecution: an execution name is unique per state machine; repeating a running one's name and input is a no-op. */
  startExecution(request: StartExecutionInput): { executionArn: string; startDate: Date } {
    this.assertStateMachine(request.stateMachineArn);
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
      history: new HistoryRecorder(this.types, ROLE_ARN),
      calls: new Map(),
      results: new Map(),
      stopping: false,
    };
    this.executions.set(executionArn, execution);
    this.run(execution, this.machine, parsed);
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
      e.abort?.();
      this.rejectPending(executionArn);
    }
    return { stopDate: e.stopDate ?? new Date() };
  }

  /**
   * RedriveExecution: runs a FAILED, TIMED_OUT or ABORTED execution again from the state it did not leave, with that
   * state's input (approximates AWS, which also resets that state's retry counters). Returns the redrive date.
   */
  redriveExecution(executionArn: string): { redriveDate: Date } {
    const e = this.execution(executionArn);
    if (e.status === 'RUNNING' || e.status === 'SUCCEEDED') {
      throw new ServiceError(
        'ExecutionNotRedrivable',
        `Execution is ${e.status}: only FAILED, TIMED_OUT or ABORTED executions can be redriven`,
      );
    }
    const exited = new Set<string>();
    let from: { name: string; input: unknown } | undefined;
    for (const event of [...e.events].reverse()) {
      if (event.type === 'StateExited') exited.add(event.state.name);
      if (event.type === 'StateEntered' && !exited.has(event.state.name)) {
        from = { name: event.state.name, input: event.state.input };
        break;
      }
    }
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
    this.run(e, machine, from.input as JSONValue);
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

  /** Aborts every running execution and ends its waiting tasks, so no timer keeps the process alive. */
  async stop(): Promise<void> {
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const e of running) this.stopExecution(e.executionArn);
    await this.waitFor(() => (running.every((e) => e.status !== 'RUNNING') ? true : undefined), 5_000).catch(() => undefined);
  }

  private run(execution: Execution, machine: StateMachine, input: JSONValue): void {
    // One marker per execution stands in for $$.Task.Token; each waiting task swaps it for a fresh token of its own.
    const tokenMarker = `local-task-token-marker:${execution.executionArn}`;
    const handlers = Object.fromEntries(
      [...this.handlers].map(([name, handler]) => [
        name,
        (parameters: JSONValue) => {
          const { value, token } = replaceMarker(parameters, tokenMarker);
          return handler(value, execution, token) as Promise<JSONValue>;
        },
      ]),
    );
    const run = machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(this.retryIntervalOverrides ? { retryIntervalOverrides: this.retryIntervalOverrides } : {}),
      },
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: ROLE_ARN, RedriveCount: execution.redriveCount },
        StateMachine: { Id: this.stateMachineArn, Name: this.options.stateMachineName },
        Task: { Token: tokenMarker },
      },
    });
    execution.abort = run.abort;
    const drained = (async () => {
      for await (const event of run.eventLogs) {
        execution.events.push(event);
        execution.history.record(event, execution);
        this.changes.emit('change');
      }
    })();
    const settled = run.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output: JSON.stringify(output) }),
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' as const };
        if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' as const };
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
        return { status: 'FAILED' as const, error: cause.name, cause: cause.message };
      },
    );
    void Promise.all([settled, drained]).then(([outcome]) => {
      execution.status = outcome.status;
      execution.stopDate = new Date();
      if ('output' in outcome) execution.output = outcome.output;
      if ('error' in outcome) {
        execution.error = outcome.error;
        execution.cause = outcome.cause;
      }
      this.rejectPending(execution.executionArn);
      this.options.log?.(`[step functions] ${this.options.stateMachineName}/${execution.name} ${execution.status}`);
      this.changes.emit('change');
    });
  }

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
      if (!lambdaName) throw new Error(`State ${stateName}: ${resource} is not a function of infra/function-catalog.ts`);
      return async (parameters, execution) => {
        const { attempt, result } = await call(execution, (p) => invoke(lambdaName, p))(parameters);
        execution.results.set(`${stateName}#${attempt}`, result);
        return result;
      };
    }
    if (resource === 'arn:aws:states:::lambda:invoke') {
      return async (parameters, execution) => {
        const { FunctionName, Payload } = parameters as { FunctionName: string; Payload?: unknown };
        const target = this.catalogFunction(stateName, FunctionName);
        const { attempt, result } = await call(execution, async () => ({
          ExecutedVersion: '$LATEST',
          StatusCode: 200,
          Payload: await invoke(target, Payload),
        }))(parameters);
        execution.results.set(`${stateName}#${attempt}`, result);
        return result;
      };
    }
    if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
      return async (parameters, execution, token) => {
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
        this.changes.emit('change');
        const output = await answered;
        execution.results.set(`${stateName}#${execution.calls.get(stateName) ?? 0}`, output);
        return output;
      };
    }
    const dynamo = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource)?.[1];
    if (dynamo) {
      return async (parameters, execution) => {
        const { attempt, result } = await call(execution, (p) => this.dynamodb(dynamo, p))(parameters);
        execution.results.set(`${stateName}#${attempt}`, result);
        return result;
      };
    }
    throw new Error(`State ${stateName}: the local Step Functions service does not support ${resource}`);
  }

  private async dynamodb(operation: string, parameters: unknown): Promise<unknown> {
    // Parameters are the DynamoDB API request, as AWS's integration passes them on.
    const input = parameters as never;
    const command =
      operation === 'getItem'
        ? new GetItemCommand(input)
        : operation === 'putItem'
          ? new PutItemCommand(input)
          : operation === 'updateItem'
            ? new UpdateItemCommand(input)
            : new DeleteItemCommand(input);
    try {
      const { $metadata: _, ...output } = (await this.options.dynamodb.send(command as never)) as { $metadata: unknown };
      return JSON.parse(JSON.stringify(output)) as unknown;
    } catch (error) {
      // The integration reports service errors as DynamoDB.<ExceptionName>.
      const err = error as Error;
      throw stateError(`DynamoDB.${err.name}`, err.message);
    }
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
    this.pending.delete(taskToken);
    this.closedTokens.add(taskToken);
    return task;
  }

  /** Ends every task the execution waits on with an error no Retry or Catch matches (stop, close). */
  private rejectPending(executionArn: string): void {
    for (const [token, task] of this.pending) {
      if (task.executionArn !== executionArn) continue;
      this.pending.delete(token);
      this.closedTokens.add(token);
      task.reject(stateError('States.Runtime', 'The execution was stopped', { retryable: false, catchable: false }));
    }
  }

  private execution(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
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
