/** The in-memory shape of an execution, shared by the service and its store. */
import type { HistoryRecorder, LibraryEvent } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An aws-local-stepfunctions run of an execution in this process. */
export interface ActiveRun {
  abort: () => void;
  /** Set by suspend(): the run ends without its end being recorded, and the stored execution stays RUNNING. */
  suspended: boolean;
  /** Resolves once the run's events are recorded and its outcome too (none when suspend() aborted it). */
  finished: Promise<void>;
}

/** Where a stored RUNNING execution continues, and whether it had already entered that state. */
export interface ResumeTarget {
  stateName: string;
  input: unknown;
  entered: boolean;
}

/** An execution as the service keeps it in memory (execution-store.ts maps it to and from its file). */
export interface Execution {
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
  /** Events of a nested run in progress, recorded once its Task ends (in memory only: a resumed Task runs it again). */
  nestedEvents: LibraryEvent[];
  history: HistoryRecorder;
  /** Calls per state so far (override attempts, history). */
  calls: Map<string, number>;
  /** Raw result of each successful task call, by `${state}#${call}` (history's TaskSucceeded output). */
  results: Map<string, unknown>;
  /** Tokens of this execution answered or closed (persisted; the service-wide set answers SendTask*). */
  closedTokens: Set<string>;
  /** The token the execution's current .waitForTaskToken task waits on, once its function has run. */
  waiting?: { stateName: string; token: string };
  /**
   * A stored execution that waited for a token when its process stopped: the token is registered again at load and
   * the resumed run awaits this answer instead of invoking the function again.
   */
  parked?: { stateName: string; answered: Promise<unknown> };
  /** A stored RUNNING execution not yet resumed in this process (see resume()). */
  resumeTarget?: ResumeTarget | 'from-start';
  run?: ActiveRun;
  /**
   * Set by StopExecution and suspend(): the library still runs pending retries after an abort, and they must not call
   * anything.
   */
  stopping: boolean;
}
