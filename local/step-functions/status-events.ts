import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './definition.ts';
import type { ExecutionStatus } from './execution.ts';
import type { ExecutionDescription } from './service.ts';

/** The `detail` of Step Functions' "Execution Status Change" event: DescribeExecution's fields, dates in epoch ms. */
export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  /** null while RUNNING (a redriven execution included). */
  stopDate: number | null;
  input: string;
  inputDetails: { included: boolean };
  output: string | null;
  outputDetails: { included: boolean } | null;
  error: string | null;
  cause: string | null;
  redriveCount: number;
  redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  redriveStatusReason: string | null;
}

/** The EventBridge event Step Functions sends (source `aws.states`) when a Standard execution's status changes. */
export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  /** ISO 8601, whole seconds, as EventBridge stamps it. */
  time: string;
  region: string;
  resources: [string];
  detail: ExecutionStatusChangeDetail;
}

/** An event waiting for (another) delivery attempt. */
export interface QueuedStatusChange {
  event: ExecutionStatusChangeEvent;
  /** Delivery attempts so far. */
  attempts: number;
  /** When the event was first queued (epoch ms): its age bounds the retries. */
  queuedAt: number;
  /** The last attempt's error, `name: message`. */
  lastError?: string;
}

/** An event whose retries ran out (EventBridge's dead-letter queue). */
export interface DeadLetteredStatusChange {
  event: ExecutionStatusChangeEvent;
  attempts: number;
  /** The last attempt's error, `name: message`. */
  error: string;
  deadLetteredAt: number;
}

/** EventBridge's retry policy for a target, with its defaults: 185 retries within 24 hours. */
export interface StatusChangeRetryPolicy {
  /** Retries after the first attempt (EventBridge's MaximumRetryAttempts; default 185). */
  maximumRetryAttempts?: number;
  /** An event older than this is not retried again (EventBridge's MaximumEventAgeInSeconds; default 86 400). */
  maximumEventAgeInSeconds?: number;
}

/** AWS's reason a closed execution cannot be redriven, or null when it can (the redrive rules' time limits aside). */
export function redriveStatus(status: ExecutionStatus): Pick<ExecutionStatusChangeDetail, 'redriveStatus' | 'redriveStatusReason'> {
  if (status === 'RUNNING' || status === 'SUCCEEDED') {
    return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: `Execution is ${status} and cannot be redriven` };
  }
  return { redriveStatus: 'REDRIVABLE', redriveStatusReason: null };
}

/** The status-change event for an execution as it is now. */
export function statusChangeEvent(execution: ExecutionDescription, at = new Date()): ExecutionStatusChangeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: LOCAL_ACCOUNT_ID,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.status === 'RUNNING' || !execution.stopDate ? null : execution.stopDate.getTime(),
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output ?? null,
      outputDetails: execution.output === undefined ? null : { included: true },
      error: execution.error ?? null,
      cause: execution.cause ?? null,
      redriveCount: execution.redriveCount,
      ...redriveStatus(execution.status),
    },
  };
}

export interface StatusChangeDeliveryOptions {
  /** The target; a rejection (or throw) is a failed attempt. Absent: events are kept, never delivered. */
  deliver?: (event: ExecutionStatusChangeEvent) => Promise<void>;
  retryPolicy?: StatusChangeRetryPolicy;
  /** Fixed wait between attempts (tests use 0); otherwise 1 s doubling up to 30 s. */
  retryDelayMs?: number;
  /** Called whenever an execution's queued or dead-lettered events change (persistence, waiters). */
  onChange: (executionArn: string) => void;
  log?: (line: string) => void;
}

interface Entry extends QueuedStatusChange {
  timer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
}

const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 24 * 60 * 60;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Delivers status-change events the way EventBridge delivers to a Lambda target with a retry policy: at least once,
 * a failed attempt retried with exponential back-off until the policy's attempts or event age run out, then
 * dead-lettered. Events are delivered independently (no order per execution), each as a JSON copy.
 */
export class StatusChangeDelivery {
  private readonly queued = new Map<string, Entry>();
  private readonly dead: DeadLetteredStatusChange[] = [];
  private stopped = false;

  constructor(private readonly options: StatusChangeDeliveryOptions) {}

  /** True when no event waits for delivery (every event delivered or dead-lettered). */
  get idle(): boolean {
    return this.queued.size === 0;
  }

  /** Queues a new event and attempts it at once. */
  enqueue(event: ExecutionStatusChangeEvent): void {
    const entry: Entry = { event, attempts: 0, queuedAt: Date.now() };
    this.queued.set(event.id, entry);
    this.options.onChange(arnOf(event));
    this.attempt(entry);
  }

  /** Takes back events a previous process left undelivered or dead-lettered; `start` attempts the undelivered. */
  restore(queued: readonly QueuedStatusChange[], dead: readonly DeadLetteredStatusChange[]): void {
    for (const entry of queued) this.queued.set(entry.event.id, { ...entry });
    this.dead.push(...dead);
  }

  /** Attempts every restored event now. */
  start(): void {
    for (const entry of this.queued.values()) if (!entry.timer && !entry.inFlight) this.attempt(entry);
  }

  /** Ends every retry timer and waits (up to `graceMs`) for attempts in flight; queued events stay queued. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    const inFlight: Promise<void>[] = [];
    for (const entry of this.queued.values()) {
      clearTimeout(entry.timer);
      delete entry.timer;
      if (entry.inFlight) inFlight.push(entry.inFlight);
    }
    if (inFlight.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(inFlight), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /** The execution's events still waiting for delivery (persisted with it). */
  queuedFor(executionArn: string): QueuedStatusChange[] {
    return [...this.queued.values()].filter((e) => arnOf(e.event) === executionArn).map(({ timer: _, inFlight: __, ...entry }) => entry);
  }

  deadLettersFor(executionArn: string): DeadLetteredStatusChange[] {
    return this.dead.filter((d) => arnOf(d.event) === executionArn);
  }

  deadLetters(): DeadLetteredStatusChange[] {
    return [...this.dead];
  }

  private attempt(entry: Entry): void {
    const { deliver } = this.options;
    if (this.stopped || !deliver) return;
    delete entry.timer;
    entry.attempts += 1;
    const copy = JSON.parse(JSON.stringify(entry.event)) as ExecutionStatusChangeEvent;
    entry.inFlight = Promise.resolve()
      .then(() => deliver(copy))
      .then(
        () => {
          this.queued.delete(entry.event.id);
        },
        (error: unknown) => {
          entry.lastError = describe(error);
          const retries = entry.attempts - 1;
          const maxRetries = this.options.retryPolicy?.maximumRetryAttempts ?? DEFAULT_RETRIES;
          const maxAgeMs = (this.options.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
          if (retries >= maxRetries || Date.now() - entry.queuedAt >= maxAgeMs) {
            this.queued.delete(entry.event.id);
            this.dead.push({ event: entry.event, attempts: entry.attempts, error: entry.lastError, deadLetteredAt: Date.now() });
            this.options.log?.(
              `[step functions] status change ${entry.event.detail.name} ${entry.event.detail.status} dead-lettered after ${entry.attempts} attempts: ${entry.lastError}`,
            );
          } else if (!this.stopped) {
            entry.timer = setTimeout(() => this.attempt(entry), this.delay(entry.attempts));
          }
        },
      )
      .finally(() => {
        delete entry.inFlight;
        this.options.onChange(arnOf(entry.event));
      });
  }

  private delay(attempts: number): number {
    return this.options.retryDelayMs ?? Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
  }
}

function arnOf(event: ExecutionStatusChangeEvent): string {
  return event.detail.executionArn;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
