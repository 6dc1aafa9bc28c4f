import { RecordAuthorizationSchema } from '#contract/api/prior-authorization-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { sfn } from '#shared/aws/sfn-client.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { getAuthorization, type PriorAuthorizationDeps, recordAuthorizationStatus } from './prior-authorization.ts';
import { sfnJourneyEngine } from './sfn-journey-engine-adapter.ts';

/**
 * GET /v1/clinics/{clinicId}/appointments/{appointmentId}/authorization (the visit's prior-authorization case) and POST
 * the same path (what the payer did; an approval covering the visit resumes its journey): prior-authorization.ts.
 */
const ROLES = staffRolesOf('managePriorAuthorization');

export function makeManagePriorAuthorization(deps: PriorAuthorizationDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { appointmentId } = pathIds(event, ['appointmentId']);
    if (event.routeKey.startsWith('GET ')) return json(200, await getAuthorization(deps, person, appointmentId, event.routeKey));
    const body = parseJsonBody(event, RecordAuthorizationSchema, { maxBytes: 4096 });
    return json(200, await recordAuthorizationStatus(deps, person, appointmentId, body, event.routeKey));
  });
}

export const handler = makeManagePriorAuthorization({
  ...dynamoStores(tableFromEnv()),
  engine: sfnJourneyEngine(sfn),
  escalations: escalationsFromEnv(),
  metrics: emfJourneyMetrics(),
  now: systemClock,
});
