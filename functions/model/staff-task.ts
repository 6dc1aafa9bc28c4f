import { createHash } from 'node:crypto';
import type { Checkpoint, StaffDecision, StageName } from '#contract/journey-workflow.ts';

/** Work that needs a person (FHIR Task-like): why, for which journey and stage, and the token that resumes it. */
export interface StaffTask {
  type: 'StaffTask';
  clinicId: string;
  taskId: string;
  journeyId: string;
  /**
   * TRIAGE slips are informational (no token). STAGE_BLOCKED tasks hold a parked journey (with its token).
   * EXECUTION_STOPPED tasks hold a journey whose execution ended unsuccessfully (failed, timed out or aborted):
   * RETRY redrives the execution from where it stopped.
   */
  kind: 'TRIAGE' | 'STAGE_BLOCKED' | 'EXECUTION_STOPPED';
  stage: StageName;
  reason: string;
  status: 'OPEN' | 'DECIDED' | 'EXPIRED';
  createdAt: string;
  /** Step Functions task token; present only while a journey waits on this task. */
  taskToken?: string;
  /** STAGE_BLOCKED: where the journey's stages stopped; the decision resumes them there. */
  checkpoint?: Checkpoint;
  /** EXECUTION_STOPPED: the execution a RETRY redrives. */
  executionArn?: string;
  decision?: StaffDecision & { decidedBy: string; decidedAt: string; note?: string };
}

/**
 * Deterministic task ID from what makes the task unique (the task token, or journey + stage for a triage slip), so a
 * retried invocation finds the task it already opened instead of opening a second one.
 */
export function staffTaskId(uniqueBy: string): string {
  return `st-${createHash('sha256').update(uniqueBy).digest('hex').slice(0, 20)}`;
}
