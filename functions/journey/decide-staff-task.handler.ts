import { StaffDecisionBodySchema } from '#contract/api/staff-decision-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { sfn } from '#shared/aws/sfn-client.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffActor, staffPrincipal } from '#shared/http/staff-principal.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type DecideStaffTaskDeps, decideStaffTask } from './decide-staff-task.ts';
import { sfnJourneyEngine } from './sfn-journey-engine-adapter.ts';

/**
 * POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision: a signed-in person of the clinic, in one of the route's
 * roles, decides what happens to a parked journey (decide-staff-task.ts); the decision and its audit record name them. 200 for the decision and for a repeat of it; 409 for a different one, or one on a task the
 * journey no longer waits on; 503 when the journey could not be resumed just now.
 */
const ROLES = staffRolesOf('decideStaffTask');

export function makeDecideStaffTask(deps: DecideStaffTaskDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { taskId } = pathIds(event, ['taskId']);
    const body = parseJsonBody(event, StaffDecisionBodySchema, { maxBytes: 4096 });
    return json(
      200,
      await decideStaffTask(deps, {
        clinicId: person.clinicId,
        taskId,
        actor: staffActor(person),
        roles: person.roles,
        via: event.routeKey,
        action: body.action,
        ...(body.note ? { note: body.note } : {}),
      }),
    );
  });
}

export const handler = makeDecideStaffTask({
  ...dynamoStores(tableFromEnv()),
  engine: sfnJourneyEngine(sfn),
  escalations: escalationsFromEnv(),
  metrics: emfJourneyMetrics(),
  now: systemClock,
});
