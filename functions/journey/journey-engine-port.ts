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
