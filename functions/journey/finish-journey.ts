import type { FinishJourneyRequest } from '#contract/journey-workflow.ts';
import { type EndJourneyDeps, endJourney } from './end-journey.ts';

export interface FinishJourneyDeps extends EndJourneyDeps {
  now: () => Date;
}

/** The workflow's last task (CompleteJourney, CancelJourney): records how the journey ended (end-journey.ts). */
export async function finishJourney(
  deps: FinishJourneyDeps,
  request: FinishJourneyRequest,
): Promise<{ outcome: FinishJourneyRequest['outcome'] }> {
  await endJourney(deps, request, 'function:finishJourney', deps.now());
  return { outcome: request.outcome };
}
