import type { StageName } from '#contract/journey-workflow.ts';
import { STAGE_LABEL } from './park-reason.ts';

export type StoppedStatus = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

const STOPPED_WORDS: Record<StoppedStatus, string> = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was stopped' };

/** Why the journey waits, for staff: what stopped and where; the error name only (its cause may quote a dependency). */
export function stoppedReason(status: StoppedStatus, stage: StageName, error: string | undefined, canCancel: boolean): string {
  const what = `${STAGE_LABEL[stage]}: the journey's workflow ${STOPPED_WORDS[status]}${error ? ` (${error})` : ''}.`;
  return `${what} RETRY resumes it where it stopped${canCancel ? '; CANCEL ends the journey' : ''}.`;
}
