import { FinishJourneyRequestSchema } from '#contract/journey-workflow.ts';
import { taskHandler } from '#shared/handler.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type FinishJourneyDeps, finishJourney } from './finish-journey.ts';

/** Last task of every journey (CompleteJourney, CancelJourney): records how it ended (finish-journey.ts). */
export function makeFinishJourney(deps: FinishJourneyDeps) {
  return taskHandler(FinishJourneyRequestSchema, (request) => finishJourney(deps, request));
}

export const handler = makeFinishJourney({ ...dynamoStores(tableFromEnv()), metrics: emfJourneyMetrics(), now: systemClock });
