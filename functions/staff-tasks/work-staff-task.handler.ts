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
    const work = workOf(event.routeKey.split('/').at(-1), () => parseJsonBody(event, StaffTaskNoteBodySchema, { maxBytes: 8192 }).text);
    return json(200, await workStaffTask(deps, person, taskId, work, event.routeKey));
  });
}

/** What the route's last segment asks for; a route this function does not serve is a deployment error. */
function workOf(verb: string | undefined, noteText: () => string): StaffTaskWork {
  if (verb === 'claim') return { kind: 'claim' };
  if (verb === 'release') return { kind: 'release' };
  if (verb === 'notes') return { kind: 'note', text: noteText() };
  throw new Error(`workStaffTask serves claim, release and notes, not ${verb}`);
}

export const handler = makeWorkStaffTask({ ...dynamoStores(tableFromEnv()), now: systemClock });
