import { AuditEventQuerySchema } from '#contract/api/audit-event-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { httpHandler } from '#shared/handler.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoAuditTrail } from './audit-trail-store.ts';
import { type ListAuditEventsDeps, listAuditEvents } from './list-audit-events.ts';

/** GET /v1/clinics/{clinicId}/audit-events: a page of the clinic's audit trail, for admins (list-audit-events.ts). */
const ROLES = staffRolesOf('listAuditEvents');

export function makeListAuditEvents(deps: ListAuditEventsDeps) {
  return httpHandler(async (event) => {
    const admin = staffPrincipal(event, ROLES);
    const query = validateBody(AuditEventQuerySchema, event.queryStringParameters ?? {});
    return json(200, await listAuditEvents(deps, admin, query, event.routeKey));
  });
}

const table = tableFromEnv();
export const handler = makeListAuditEvents({ trail: dynamoAuditTrail(table), audit: dynamoAuditLog(table), now: systemClock });
