import { httpHandler } from '#shared/handler.ts';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type GetJourneyDeps, getJourney } from './get-journey.ts';

/** GET /v1/clinics/{clinicId}/journeys/{journeyId}: the journey as the front desk sees it (get-journey.ts). */
export function makeGetJourney(deps: GetJourneyDeps) {
  return httpHandler(async (event) => {
    const { clinicId, keyId } = authorizedClinic(event);
    const { journeyId } = pathIds(event, ['journeyId']);
    return json(200, await getJourney(deps, { clinicId, journeyId }, `api-key:${keyId}`, event.routeKey));
  });
}

export const handler = makeGetJourney({ ...dynamoStores(tableFromEnv()), now: systemClock });
