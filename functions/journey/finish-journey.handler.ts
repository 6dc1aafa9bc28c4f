import { FinishJourneyRequestSchema } from '#contract/journey-workflow.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type EndJourneyDeps, endJourney } from './end-journey.ts';

export interface FinishJourneyDeps extends EndJourneyDeps {
  now: () => Date;
}

/** Last task of every journey (CompleteJourney, CancelJourney): records how it ended (end-journey.ts). */
export function makeFinishJourney(deps: FinishJourneyDeps) {
  return taskHandler(FinishJourneyRequestSchema, async (request) => {
    await endJourney(deps, request, 'function:finishJourney', deps.now());
    return { outcome: request.outcome };
  });
}

export const handler = makeFinishJourney({
  ...dynamoStores(tableFromEnv()),
  now: systemClock,
});
