import { AvailabilityQuerySchema } from '#contract/api/appointment-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type ListAvailabilityDeps, listAvailability } from './list-availability.ts';

/** GET /v1/clinics/{clinicId}/availability: open slots of one appointment type (list-availability.ts). */
const ROLES = staffRolesOf('listAvailability');

export function makeListAvailability(deps: ListAvailabilityDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const query = validateBody(AvailabilityQuerySchema, event.queryStringParameters ?? {});
    return json(200, await listAvailability(deps, person, query));
  });
}

export const handler = makeListAvailability({ ...dynamoStores(tableFromEnv()), now: systemClock });
