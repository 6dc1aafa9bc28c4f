import type { FinishJourneyRequest, StageName } from '#contract/journey-workflow.ts';
import type { JourneyRecord, StageState } from '#model/journey.ts';

const FINISHED: ReadonlySet<StageState['status']> = new Set(['COMPLETED', 'SKIPPED', 'FAILED']);

/**
 * The stages a journey's end leaves behind, and what they become: on CANCELLED every unfinished stage is SKIPPED; on
 * FAILED the stage that was running or waiting FAILED and the rest SKIPPED; on COMPLETED nothing changes (every stage
 * recorded its own end). Keeps the read model from showing a stage "waiting" on a journey that is over.
 */
export function closingStages(
  journey: JourneyRecord,
  outcome: FinishJourneyRequest['outcome'],
  at: string,
): Partial<Record<StageName, StageState>> {
  if (outcome === 'COMPLETED') return {};
  const closing: Partial<Record<StageName, StageState>> = {};
  for (const [name, stage] of Object.entries(journey.stages) as Array<[StageName, StageState]>) {
    if (FINISHED.has(stage.status)) continue;
    const wasActive = stage.status === 'IN_PROGRESS' || stage.status === 'WAITING_FOR_STAFF';
    closing[name] =
      outcome === 'FAILED' && wasActive
        ? {
            status: 'FAILED',
            at,
            reason: 'The journey stopped here after an error no retry or staff decision resolved; see its execution.',
          }
        : {
            status: 'SKIPPED',
            at,
            reason: outcome === 'CANCELLED' ? 'Journey cancelled by staff.' : 'Not reached: the journey failed earlier.',
          };
  }
  return closing;
}
