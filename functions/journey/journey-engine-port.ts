import type { JourneyResume } from '#contract/journey-workflow.ts';

/** Where an execution of the journey's workflow stands. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** An execution as the engine describes it now. */
export interface ExecutionState {
  status: ExecutionStatus;
  /** The execution's input, parsed (the journey's IDs, by the journey contract). */
  input: unknown;
  /** How often the execution was redriven: 0 for its first run. */
  redriveCount: number;
  /** A stopped execution's error name (never its cause, which may quote a dependency). */
  error?: string;
}

/** An execution in a list: which, how it stands, when. */
export interface ExecutionListing {
  executionArn: string;
  /** The execution's name: the journey ID. */
  name: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
}

/**
 * The journey stage's port to the workflow engine that runs the journeys (Step Functions in AWS:
 * sfn-journey-engine-adapter.ts). Outcomes that are part of the journey's life are answers; anything else throws.
 */
export interface JourneyEngine {
  /**
   * Resumes the execution parked on the token with the staff decision at its checkpoint. TOKEN_GONE when the token
   * can never be used again: it was answered already, or its execution ended.
   */
  resume(taskToken: string, resume: JourneyResume): Promise<'RESUMED' | 'TOKEN_GONE'>;
  /** Restarts a stopped execution where it stopped; NOT_REDRIVABLE when it cannot be (running again, or too old). */
  redrive(executionArn: string): Promise<'REDRIVEN' | 'NOT_REDRIVABLE'>;
  describe(executionArn: string): Promise<ExecutionState>;
}

/** The journey workflow's executions as ops look at them (sfn-journey-engine-adapter.ts sfnJourneyExecutions). */
export interface JourneyExecutions {
  /** A page of the executions in one status, newest first (`cursor`: the previous page's `next`). */
  list(query: { status: ExecutionStatus; limit: number; cursor?: string }): Promise<{ executions: ExecutionListing[]; next?: string }>;
  describe(executionArn: string): Promise<ExecutionState>;
  /** The ARN of the execution of this name (the journey ID). */
  executionArnOf(name: string): string;
}
