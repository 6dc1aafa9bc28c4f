import type { JourneyRef } from '#contract/journey-workflow.ts';

/** The intake's port to the workflow engine. */
export interface JourneyStarter {
  /** Starts the journey's execution; starting one that already exists is not an error. */
  start(ref: JourneyRef): Promise<void>;
}
