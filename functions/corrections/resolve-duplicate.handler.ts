import { DuplicateResolutionSchema } from '#contract/api/correction-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoDuplicateStore } from './duplicate-store.ts';
import { type ResolveDuplicateDeps, resolveDuplicate } from './resolve-duplicate.ts';

/** POST /v1/clinics/{clinicId}/journeys/{journeyId}/duplicate-resolution: merge or keep apart (resolve-duplicate.ts). */
const ROLES = staffRolesOf('resolveDuplicate');

export function makeResolveDuplicate(deps: ResolveDuplicateDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { journeyId } = pathIds(event, ['journeyId']);
    const body = parseJsonBody(event, DuplicateResolutionSchema, { maxBytes: 1024 });
    return json(200, await resolveDuplicate(deps, person, journeyId, body, event.routeKey));
  });
}

const table = tableFromEnv();
export const handler = makeResolveDuplicate({ ...dynamoStores(table), duplicates: dynamoDuplicateStore(table), now: systemClock });
