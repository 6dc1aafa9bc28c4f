import type { StateMachine } from 'aws-local-stepfunctions';

/** One event of aws-local-stepfunctions' event log (the library does not export the type). */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A history event in the shape GetExecutionHistory returns (details keyed `<type>EventDetails` in camel case). */
export interface HistoryEvent {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** What a recorder needs to continue an execution's history in another process (execution-store.ts). */
export interface HistorySnapshot {
  events: HistoryEvent[];
  /** Scheduled calls per Task state so far (the key of each call's result). */
  calls: Record<string, number>;
  /** Task states whose current failure a Catch took (their exit is not a success). */
  caught: string[];
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const detailsKey = (type: string) => `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;

/**
 * Turns the library's state-level events into AWS's history events: a Task state entry becomes
 * TaskStateEntered + (Lambda)Scheduled/Started, each retry another Scheduled/Started, a failed call
 * (Lambda)Failed or TimedOut, a successful one (Lambda)Succeeded with the call's raw result, then TaskStateExited.
 * Retries never enter the state again, as in AWS.
 */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly calls = new Map<string, number>();
  private readonly caught = new Set<string>();

  constructor(
    private readonly types: Map<string, { type: string; resource?: string }>,
    private readonly roleArn: string,
    snapshot?: HistorySnapshot,
  ) {
    if (!snapshot) return;
    for (const event of snapshot.events) this.events.push({ ...event, timestamp: new Date(event.timestamp) });
    for (const [name, calls] of Object.entries(snapshot.calls)) this.calls.set(name, calls);
    for (const name of snapshot.caught) this.caught.add(name);
  }

  snapshot(): HistorySnapshot {
    return { events: this.events, calls: Object.fromEntries(this.calls), caught: [...this.caught] };
  }

  /**
   * A Task state an execution was in when its process stopped, run again after a restart: a new attempt
   * (Scheduled/Started) inside the TaskStateEntered already recorded, as a retry looks.
   */
  rescheduled(event: LibraryEvent): void {
    if (event.type === 'StateEntered' && event.state.type === 'Task')
      this.scheduled(new Date(event.timestamp), event.state.name, event.state.input);
  }

  record(event: LibraryEvent, execution: { results: Map<string, unknown> }): void {
    const at = new Date(event.timestamp);
    switch (event.type) {
      case 'ExecutionStarted':
        this.push(at, 'ExecutionStarted', { input: json(event.input), inputDetails: { truncated: false }, roleArn: this.roleArn });
        return;
      case 'ExecutionSucceeded':
        this.push(at, 'ExecutionSucceeded', { output: json(event.output), outputDetails: { truncated: false } });
        return;
      case 'ExecutionFailed':
        this.push(at, 'ExecutionFailed', { error: event.Error, cause: causeText(event.Cause) });
        return;
      case 'ExecutionAborted':
        this.push(at, 'ExecutionAborted', {});
        return;
      case 'ExecutionTimeout':
        this.push(at, 'ExecutionTimedOut', {});
        return;
      case 'StateEntered': {
        const name = event.state.name;
        this.push(
          at,
          `${event.state.type}StateEntered`,
          { name, input: json(event.state.input), inputDetails: { truncated: false } },
          'stateEnteredEventDetails',
        );
        this.caught.delete(name);
        if (event.state.type === 'Task') this.scheduled(at, name, event.state.input);
        return;
      }
      case 'StateRetried':
        if (event.state.type === 'Task') this.scheduled(at, event.state.name, event.state.input);
        return;
      case 'StateFailed': {
        if (event.state.type !== 'Task') return;
        const timedOut = event.Error === 'States.Timeout';
        const { lambda, resource } = this.resource(event.state.name);
        const type = `${lambda ? 'LambdaFunction' : 'Task'}${timedOut ? 'TimedOut' : 'Failed'}`;
        this.push(at, type, { ...(lambda ? {} : this.taskResource(resource)), error: event.Error, cause: causeText(event.Cause) });
        return;
      }
      case 'StateCaught':
        this.caught.add(event.state.name);
        return;
      case 'StateExited': {
        const name = event.state.name;
        if (event.state.type === 'Task' && !this.caught.has(name)) {
          const { lambda, resource } = this.resource(name);
          const output = json(execution.results.get(`${name}#${this.calls.get(name) ?? 0}`));
          this.push(
            at,
            lambda ? 'LambdaFunctionSucceeded' : 'TaskSucceeded',
            lambda
              ? { output, outputDetails: { truncated: false } }
              : { ...this.taskResource(resource), output, outputDetails: { truncated: false } },
          );
        }
        this.push(
          at,
          `${event.state.type}StateExited`,
          { name, output: json(event.state.output), outputDetails: { truncated: false } },
          'stateExitedEventDetails',
        );
        return;
      }
      default:
        // Map and Parallel iteration events: the journey definition has neither.
        return;
    }
  }

  private scheduled(at: Date, name: string, input: unknown): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    const { lambda, resource } = this.resource(name);
    if (lambda) {
      this.push(at, 'LambdaFunctionScheduled', { resource, input: json(input), inputDetails: { truncated: false } });
      this.push(at, 'LambdaFunctionStarted', {});
    } else {
      this.push(at, 'TaskScheduled', { ...this.taskResource(resource), region: 'us-east-1', parameters: json(input) });
      this.push(at, 'TaskStarted', this.taskResource(resource));
    }
  }

  private resource(name: string): { lambda: boolean; resource: string } {
    const resource = this.types.get(name)?.resource ?? '';
    return { lambda: resource.startsWith('arn:aws:lambda:'), resource };
  }

  /** arn:aws:states:::dynamodb:updateItem → resourceType dynamodb, resource updateItem (AWS's split). */
  private taskResource(resource: string): { resourceType: string; resource: string } {
    const [resourceType = '', ...rest] = resource.replace('arn:aws:states:::', '').split(':');
    return { resourceType, resource: rest.join(':') };
  }

  private push(timestamp: Date, type: string, details: Record<string, unknown>, key = detailsKey(type)): void {
    const id = this.events.length + 1;
    this.events.push({ timestamp, type, id, previousEventId: id - 1, ...(Object.keys(details).length > 0 ? { [key]: details } : {}) });
  }
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause ?? '');
}

/**
 * The top-level state an execution is in according to its event log: the last top-level state entered and not yet
 * exited, with the input it entered with. Undefined between two states (or before the first).
 */
export function openTopLevelState(
  events: readonly LibraryEvent[],
  isTopLevel: (stateName: string) => boolean,
): { name: string; input: unknown } | undefined {
  const exited = new Set<string>();
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as LibraryEvent;
    if (event.type !== 'StateEntered' && event.type !== 'StateExited') continue;
    if (!isTopLevel(event.state.name)) continue;
    if (event.type === 'StateExited') exited.add(event.state.name);
    else if (!exited.has(event.state.name)) return { name: event.state.name, input: event.state.input };
  }
  return undefined;
}

/** The last top-level state the execution entered, exited or not (resuming from an inconsistent snapshot). */
export function lastTopLevelState(
  events: readonly LibraryEvent[],
  isTopLevel: (stateName: string) => boolean,
): { name: string; input: unknown } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as LibraryEvent;
    if (event.type === 'StateEntered' && isTopLevel(event.state.name)) return { name: event.state.name, input: event.state.input };
  }
  return undefined;
}
