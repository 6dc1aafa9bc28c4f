import { TriageDispositionBodySchema } from '#contract/api/staff-task-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type DisposeTriageSlipDeps, disposeTriageSlip } from './dispose-triage-slip.ts';

/** POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/disposition: a clinician closes a triage slip (dispose-triage-slip.ts). */
const ROLES = staffRolesOf('disposeTriageSlip');

export function makeDisposeTriageSlip(deps: DisposeTriageSlipDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { taskId } = pathIds(event, ['taskId']);
    const body = parseJsonBody(event, TriageDispositionBodySchema, { maxBytes: 8192 });
    return json(200, await disposeTriageSlip(deps, person, taskId, body, event.routeKey));
  });
}

export const handler = makeDisposeTriageSlip({ ...dynamoStores(tableFromEnv()), now: systemClock });
