import { randomUUID } from 'node:crypto';
import { ContactLogSchema } from '#contract/api/contact-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { sns } from '#shared/aws/sns-client.ts';
import { requireEnv } from '#shared/env.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { httpHandler } from '#shared/handler.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type LogContactDeps, logContact } from './log-contact.ts';

/** POST /v1/clinics/{clinicId}/contacts: a person logs an inbound contact; it becomes a routed task (log-contact.ts). */
const ROLES = staffRolesOf('logContact');

export function makeLogContact(deps: LogContactDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const body = parseJsonBody(event, ContactLogSchema, { maxBytes: 8192 });
    return json(201, await logContact(deps, person, body, event.routeKey, idempotencyKeyHeader(event)));
  });
}

export const handler = makeLogContact({
  ...dynamoStores(tableFromEnv()),
  alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
  escalations: escalationsFromEnv(),
  now: systemClock,
  newId: randomUUID,
});
