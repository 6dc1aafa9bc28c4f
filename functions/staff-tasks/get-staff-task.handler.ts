import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type GetStaffTaskDeps, getStaffTask } from './get-staff-task.ts';

/** GET /v1/clinics/{clinicId}/staff-tasks/{taskId}: one task with what the person needs to act (get-staff-task.ts). */
const ROLES = staffRolesOf('getStaffTask');

export function makeGetStaffTask(deps: GetStaffTaskDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { taskId } = pathIds(event, ['taskId']);
    return json(200, await getStaffTask(deps, person, taskId, event.routeKey));
  });
}

export const handler = makeGetStaffTask({ ...dynamoStores(tableFromEnv()), now: systemClock });
