import { StaffTaskNoteBodySchema } from '#contract/api/staff-task-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type StaffTaskWork, type WorkStaffTaskDeps, workStaffTask } from './work-staff-task.ts';

/**
 * POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/claim, …/release and …/notes: a person works a task
 * (work-staff-task.ts). One function for the three, which differ by the path's last segment only.
 */
const ROLES = staffRolesOf('workStaffTask');

export function makeWorkStaffTask(deps: WorkStaffTaskDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { taskId } = pathIds(event, ['taskId']);
    const verb = event.routeKey.split('/').at(-1);
    const work: StaffTaskWork =
      verb === 'notes'
        ? { kind: 'note', text: parseJsonBody(event, StaffTaskNoteBodySchema, { maxBytes: 8192 }).text }
        : { kind: verb === 'release' ? 'release' : 'claim' };
    return json(200, await workStaffTask(deps, person, taskId, work, event.routeKey));
  });
}

export const handler = makeWorkStaffTask({ ...dynamoStores(tableFromEnv()), now: systemClock });
