import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type JourneyTimelineDeps, journeyTimeline } from './journey-timeline.ts';

/** GET /v1/clinics/{clinicId}/journeys/{journeyId}/timeline: what happened to a journey, and who did it (journey-timeline.ts). */
const ROLES = staffRolesOf('getJourneyTimeline');

export function makeJourneyTimeline(deps: JourneyTimelineDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { journeyId } = pathIds(event, ['journeyId']);
    return json(200, await journeyTimeline(deps, person, journeyId, event.routeKey));
  });
}

export const handler = makeJourneyTimeline({ ...dynamoStores(tableFromEnv()), now: systemClock });
