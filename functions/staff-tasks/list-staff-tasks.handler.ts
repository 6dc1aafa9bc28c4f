import { StaffTaskListQuerySchema } from '#contract/api/staff-task-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type ListStaffTasksDeps, listStaffTasks } from './list-staff-tasks.ts';

/** GET /v1/clinics/{clinicId}/staff-tasks: a page of the tasks in the person's queues (list-staff-tasks.ts). */
const ROLES = staffRolesOf('listStaffTasks');

export function makeListStaffTasks(deps: ListStaffTasksDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const query = validateBody(StaffTaskListQuerySchema, event.queryStringParameters ?? {});
    return json(200, await listStaffTasks(deps, person, query));
  });
}

export const handler = makeListStaffTasks({ ...dynamoStores(tableFromEnv()), now: systemClock });
