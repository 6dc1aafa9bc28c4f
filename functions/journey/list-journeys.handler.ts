import { JourneyListQuerySchema } from '#contract/api/journey-list-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { systemClock, tableFromEnv } from '#shared/stores.ts';
import { type ListJourneysDeps, listJourneys } from './list-journeys.ts';

/** GET /v1/clinics/{clinicId}/journeys: a page of the clinic's journeys by status and stage (list-journeys.ts). */
const ROLES = staffRolesOf('listJourneys');

export function makeListJourneys(deps: ListJourneysDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const query = validateBody(JourneyListQuerySchema, event.queryStringParameters ?? {});
    return json(200, await listJourneys(deps, person, query));
  });
}

export const handler = makeListJourneys({ journeys: dynamoJourneyStore(tableFromEnv()), now: systemClock });
