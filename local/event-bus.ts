import { randomUUID } from 'node:crypto';
import type { AppointmentEventRule } from '#contract/appointment-events.ts';
import { matchesEventFilter } from '#contract/audit-archive.ts';
import type { FunctionName } from '#contract/function-catalog.ts';
import { ServiceError } from './step-functions/errors.ts';

export interface LocalEventBusOptions {
  /** The bus's name, as the functions' environment gives it (EVENT_BUS_NAME). */
  name: string;
  rules: readonly AppointmentEventRule[];
  /** Invokes a rule's function with an SQS event of one record, as its queue would. */
  invoke: (target: FunctionName, sqsEvent: unknown) => Promise<unknown>;
  region: string;
  accountId: string;
  /** The local cloud's clock: each event's `time`. */
  now: () => Date;
  /** First redelivery delay after a failure, doubled each time (the queue's visibility timeout, shortened). Default 200 ms. */
  retryDelayMs?: number;
  /** Deliveries before an event is dead-lettered (the queue's maxReceiveCount, shortened). Default 8. */
  maxDeliveries?: number;
  log?: (line: string) => void;
}

const DELIVERIES_KEPT = 1_000;

/** An event that kept failing its rule's function: what the dead-letter queue would hold. */
export interface LocalDeadLetter {
  rule: string;
  event: unknown;
  error: string;
}

/**
 * The stack's event bus, locally (infra/constructs/appointment-events.ts): PutEvents as EventBridge answers it, each
 * event matched against the same rules (contract/appointment-events.ts) with the same matcher the stream filters use,
 * and delivered to the rule's function as its SQS queue would: one record per invocation, redelivered after a failure
 * with a growing delay, dead-lettered after `maxDeliveries`. Delivery is asynchronous, as on AWS; `drain()` waits for
 * what is under way (tests and the clock command use it).
 */
export class LocalEventBus {
  readonly deadLetters: LocalDeadLetter[] = [];
  /** The last DELIVERIES_KEPT deliveries, oldest first (a long-running `npm start` keeps no more). */
  readonly delivered: Array<{ rule: string; event: unknown }> = [];
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly options: LocalEventBusOptions) {}

  /** EventBridge's PutEvents (JSON 1.1): `{ Entries: [{ Source, DetailType, Detail, EventBusName }] }`. */
  putEvents(input: Record<string, unknown>): {
    FailedEntryCount: number;
    Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  } {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new ServiceError('ValidationException', 'Entries must hold 1 to 10 entries');
    }
    const answers = entries.map((entry: Record<string, unknown>) => {
      if (entry.EventBusName !== this.options.name) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.` };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(String(entry.Detail));
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const id = randomUUID();
      const event = {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: this.options.accountId,
        time: this.options
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        region: this.options.region,
        resources: [],
        detail,
      };
      for (const rule of this.options.rules) if (matchesEventFilter(rule.pattern, event)) this.#track(this.#deliver(rule, event));
      return { EventId: id };
    });
    return { FailedEntryCount: answers.filter((a) => 'ErrorCode' in a).length, Entries: answers };
  }

  /** Waits until every delivery under way (and what it led to) has ended. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track(delivery: Promise<void>): void {
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }

  async #deliver(rule: AppointmentEventRule, event: unknown): Promise<void> {
    const maxDeliveries = this.options.maxDeliveries ?? 8;
    let delay = this.options.retryDelayMs ?? 200;
    for (let delivery = 1; ; delivery += 1) {
      try {
        const record = {
          messageId: randomUUID(),
          eventSource: 'aws:sqs',
          body: JSON.stringify(event),
          attributes: { ApproximateReceiveCount: String(delivery) },
        };
        await this.options.invoke(rule.target, { Records: [record] });
        this.delivered.push({ rule: rule.name, event });
        if (this.delivered.length > DELIVERIES_KEPT) this.delivered.splice(0, this.delivered.length - DELIVERIES_KEPT);
        return;
      } catch (error) {
        if (delivery >= maxDeliveries) {
          this.deadLetters.push({ rule: rule.name, event, error: (error as Error).name });
          this.options.log?.(`[events] ${rule.name}: dead-lettered after ${delivery} deliveries (${(error as Error).name})`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }
}
