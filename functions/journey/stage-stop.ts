import {
  type CaughtError,
  STAGE_CHECKPOINT,
  STAGES_STOPPED_FOR_STAFF,
  type StageStop,
  StageStopSchema,
} from '#contract/journey-workflow.ts';
import { currentStage, type JourneyRecord } from '#model/journey.ts';

/**
 * Why and where the journey's stages stopped, from RunStages' caught failure. A run that stopped at a checkpoint
 * failed with JourneyNeedsStaff and a StageStop as its cause; Step Functions may hand the parent that failure as it
 * is or wrapped in the child execution's description (`Error`/`Cause` or `error`/`cause` inside a JSON cause), so
 * both are read. Any other failure (the run timed out, crashed, or could not start) names no checkpoint: the stop is
 * then at the journey's current stage, retried from its start, with the run's own error name (e.g. States.Timeout)
 * as the reason.
 */
export function stageStopOf(stopped: CaughtError, journey: Pick<JourneyRecord, 'stages'>): StageStop {
  const stop = namedStop(stopped);
  if (stop) return stop;
  const stage = currentStage(journey);
  const error = innermostError(stopped, 3);
  return { checkpoint: STAGE_CHECKPOINT[stage], stage, error: error ? { Error: error } : {} };
}

/**
 * The stop when the run named its checkpoint; undefined for any other end of a run (a time-out, a crash, a workflow
 * bug such as an unrouted decision), which ops must hear about.
 */
export function namedStop(stopped: CaughtError): StageStop | undefined {
  return checkpointStop(stopped, 3);
}

type Failure = { Error?: unknown; Cause?: unknown; error?: unknown; cause?: unknown };

/** The error name of the failure a description wraps, or this failure's own. */
function innermostError(failure: Failure, depth: number): string | undefined {
  const own = failure.Error ?? failure.error;
  const inner = depth > 0 ? parsedCause(failure) : undefined;
  return (inner && innermostError(inner, depth - 1)) ?? (typeof own === 'string' ? own : undefined);
}

function parsedCause(failure: Failure): Failure | undefined {
  const cause = failure.Cause ?? failure.cause;
  if (typeof cause !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    return parsed && typeof parsed === 'object' ? (parsed as Failure) : undefined;
  } catch {
    return undefined;
  }
}

function checkpointStop(failure: Failure, depth: number): StageStop | undefined {
  const parsed = depth > 0 ? parsedCause(failure) : undefined;
  if (!parsed) return undefined;
  if ((failure.Error ?? failure.error) === STAGES_STOPPED_FOR_STAFF) {
    const stop = StageStopSchema.safeParse(parsed);
    if (stop.success) return stop.data;
  }
  return checkpointStop(parsed, depth - 1);
}
