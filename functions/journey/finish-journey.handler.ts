import type { FinishJourneyRequest } from '#contract/journey-workflow.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import type { TableRef } from '#shared/table.ts';
import { endJourney } from './end-journey.ts';

/** Last task of every journey (CompleteJourney, CancelJourney): records how it ended (end-journey.ts). */
export function makeFinishJourney(deps: { table: TableRef; now?: () => Date }) {
  return async (request: FinishJourneyRequest): Promise<{ outcome: FinishJourneyRequest['outcome'] }> => {
    await endJourney(deps.table, request, 'function:finishJourney', deps.now?.() ?? new Date());
    return { outcome: request.outcome };
  };
}

export const handler = withTransientAwsErrors(makeFinishJourney({ table: { client: dynamo, tableName: requireEnv('tableName') } }));
