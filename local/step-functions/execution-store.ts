import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Execution, ExecutionStatus, ResumeTarget } from './execution.ts';
import { type HistoryRecorder, type HistorySnapshot, type LibraryEvent, lastTopLevelState, openTopLevelState } from './history.ts';
import type { DeadLetteredStatusChange, QueuedStatusChange } from './status-events.ts';

/** Bumped when the file shape changes incompatibly; files of another format are skipped (and logged). */
export const STORE_FORMAT = 1;

/** One execution as stored on disk: everything a later process needs to list, describe, answer or resume it. */
export interface StoredExecution {
  format: typeof STORE_FORMAT;
  stateMachineArn: string;
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  /** ISO 8601. */
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  /** Calls per Task state so far (callCount, override attempts). */
  calls: Record<string, number>;
  /** GetExecutionHistory's events and what the recorder needs to continue them. */
  history: HistorySnapshot;
  /** The raw aws-local-stepfunctions event log (enteredStates, redrive). */
  events: LibraryEvent[];
  /**
   * RUNNING only: the top-level state the execution is in and the input it entered with; `taskToken` when that state
   * is a .waitForTaskToken task whose function has run and that now waits for its token.
   */
  resumePoint?: { stateName: string; input: unknown; taskToken?: string };
  /** Tokens of this execution already answered or closed (SendTask* answers TaskTimedOut for them). */
  closedTokens: string[];
  /** Status-change events not yet delivered (redelivered after a restart). */
  undeliveredEvents: QueuedStatusChange[];
  deadLetters: DeadLetteredStatusChange[];
}

/** What an execution's file holds besides the execution itself. */
export interface StoreContext {
  stateMachineArn: string;
  /** Whether a state is a top-level one (where a run can resume). */
  isTopLevel: (stateName: string) => boolean;
  undeliveredEvents: QueuedStatusChange[];
  deadLetters: DeadLetteredStatusChange[];
}

/** The file's content for an execution as it is now. */
export function storedExecution(e: Execution, context: StoreContext): StoredExecution {
  let resumePoint: StoredExecution['resumePoint'];
  if (e.status === 'RUNNING') {
    const target = e.resumeTarget;
    if (target && target !== 'from-start' && target.entered && !e.run) {
      // Not resumed yet: still where the previous process left it.
      resumePoint = { stateName: target.stateName, input: target.input };
    } else {
      const open = openTopLevelState(e.events, context.isTopLevel);
      if (open) resumePoint = { stateName: open.name, input: open.input };
    }
    if (resumePoint && e.waiting?.stateName === resumePoint.stateName) resumePoint.taskToken = e.waiting.token;
  }
  return {
    format: STORE_FORMAT,
    stateMachineArn: context.stateMachineArn,
    executionArn: e.executionArn,
    name: e.name,
    input: e.input,
    status: e.status,
    startDate: e.startDate.toISOString(),
    ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    redriveCount: e.redriveCount,
    calls: Object.fromEntries(e.calls),
    history: e.history.snapshot(),
    events: e.events,
    ...(resumePoint ? { resumePoint } : {}),
    closedTokens: [...e.closedTokens],
    undeliveredEvents: context.undeliveredEvents,
    deadLetters: context.deadLetters,
  };
}

/** An execution back from its file, not running in this process (the service resumes a RUNNING one). */
export function executionFromStored(record: StoredExecution, history: HistoryRecorder): Execution {
  return {
    executionArn: record.executionArn,
    name: record.name,
    input: record.input,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    ...(record.output !== undefined ? { output: record.output } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    redriveCount: record.redriveCount,
    events: record.events,
    nestedEvents: [],
    history,
    calls: new Map(Object.entries(record.calls)),
    results: new Map(),
    closedTokens: new Set(record.closedTokens),
    stopping: false,
  };
}

/**
 * Where a stored RUNNING execution continues: its resume point; without one (stored between two states, or killed
 * before the snapshot caught up), the last top-level state it entered, run again; failing that, its first state, or
 * the whole run when not even its start was recorded.
 */
export function resumeTargetOf(
  record: StoredExecution,
  isTopLevel: (stateName: string) => boolean,
  startAt: string,
): ResumeTarget | 'from-start' {
  const point = record.resumePoint;
  if (point) return { stateName: point.stateName, input: point.input, entered: true };
  const last = lastTopLevelState(record.events, isTopLevel);
  if (last) return { stateName: last.name, input: last.input, entered: true };
  if (record.events.some((e) => e.type === 'ExecutionStarted'))
    return { stateName: startAt, input: JSON.parse(record.input), entered: false };
  return 'from-start';
}

interface Slot {
  snapshot: () => StoredExecution;
  /** The write loop in progress, if any: at most one per execution. */
  writing?: Promise<void>;
  /** Changed since the write in progress serialised its snapshot. */
  dirty: boolean;
}

/**
 * One JSON file per execution under `<dir>/<state machine name>/`, each replaced atomically (written to a temporary
 * file, then renamed over the old one), so a process killed mid-write leaves the previous version. Saves are
 * coalesced per execution: at most one write in flight; changes made meanwhile are written once it ends, from the
 * execution's state at that time.
 */
export class ExecutionStore {
  readonly dir: string;
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(
    root: string,
    stateMachineName: string,
    private readonly log?: (line: string) => void,
  ) {
    this.dir = join(root, stateMachineName);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Every stored execution of this state machine, oldest first. Unreadable or foreign files are skipped. */
  load(stateMachineArn: string): StoredExecution[] {
    const records: StoredExecution[] = [];
    for (const file of readdirSync(this.dir)) {
      const path = join(this.dir, file);
      if (file.endsWith('.tmp')) {
        // A write the previous process did not finish; its previous version is intact.
        rmSync(path, { force: true });
        continue;
      }
      if (!file.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(path, 'utf8')) as StoredExecution;
        if (record.format !== STORE_FORMAT || record.stateMachineArn !== stateMachineArn) {
          this.log?.(`[step functions] skipped ${path}: format ${String(record.format)} of ${String(record.stateMachineArn)}`);
          continue;
        }
        records.push(record);
      } catch (error) {
        this.log?.(`[step functions] skipped ${path}: ${(error as Error).message}`);
      }
    }
    return records.sort((a, b) => a.startDate.localeCompare(b.startDate));
  }

  /** Schedules a write of the execution; `snapshot` is called when the write starts, so it sees the latest state. */
  save(executionArn: string, snapshot: () => StoredExecution): void {
    if (this.closed) return;
    let slot = this.slots.get(executionArn);
    if (!slot) {
      slot = { snapshot, dirty: false };
      this.slots.set(executionArn, slot);
    }
    slot.snapshot = snapshot;
    slot.dirty = true;
    if (!slot.writing) slot.writing = this.writeLoop(executionArn, slot);
  }

  /** Resolves once every scheduled write has reached the disk. */
  async flush(): Promise<void> {
    for (;;) {
      const writing = [...this.slots.values()].flatMap((s) => (s.writing ? [s.writing] : []));
      if (writing.length === 0) return;
      await Promise.all(writing);
    }
  }

  /** No write starts after this (writes in flight finish). */
  close(): void {
    this.closed = true;
  }

  private async writeLoop(executionArn: string, slot: Slot): Promise<void> {
    const file = join(this.dir, fileName(executionArn));
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      while (slot.dirty && !this.closed) {
        // Let the burst of events that triggered this save land first: one write for all of them.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.closed) break;
        slot.dirty = false;
        const text = JSON.stringify(slot.snapshot(), errorsAsObjects);
        await writeFile(tmp, text);
        await rename(tmp, file);
      }
    } catch (error) {
      this.log?.(`[step functions] could not store ${executionArn}: ${(error as Error).message}`);
    } finally {
      slot.writing = undefined;
    }
  }
}

/** `<name, made file-safe>.<hash of the ARN>.json`: readable, and distinct even on a case-insensitive file system. */
function fileName(executionArn: string): string {
  const name = executionArn.split(':').at(-1) ?? 'execution';
  const hash = createHash('sha256').update(executionArn).digest('hex').slice(0, 16);
  return `${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}.${hash}.json`;
}

/** Library events may carry an Error as a Cause; keep its name and message. */
function errorsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
