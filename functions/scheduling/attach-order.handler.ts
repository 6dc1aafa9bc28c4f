import { PhysicianOrderSchema } from '#contract/api/submission-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type AttachOrderDeps, attachOrder } from './attach-order.ts';

/** PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/order: the physician's order a parked journey waits for (attach-order.ts). */
const ROLES = staffRolesOf('attachOrder');

export function makeAttachOrder(deps: AttachOrderDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { journeyId } = pathIds(event, ['journeyId']);
    const body = parseJsonBody(event, PhysicianOrderSchema, { maxBytes: 4096 });
    return json(200, await attachOrder(deps, person, journeyId, body, event.routeKey));
  });
}

export const handler = makeAttachOrder({ ...dynamoStores(tableFromEnv()), now: systemClock });
