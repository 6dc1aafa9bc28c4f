import type { StaffTaskListQuery, StaffTaskPage } from '#contract/api/staff-task-schema.ts';
import { queuesFor } from '#contract/staff-queues.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import type { SharedStores } from '#shared/stores.ts';
import { staffTaskSummary } from './staff-task-view.ts';

export interface ListStaffTasksDeps extends Pick<SharedStores, 'tasks'> {
  now: () => Date;
}

/**
 * A page of the clinic's staff tasks in the queues the person works (or the one asked for, if they work it), most due
 * first. Summaries carry IDs, routing and timing only (no reason, no patient name), so a list is not a read of anyone's
 * record; opening a task is (get-staff-task.ts).
 */
export async function listStaffTasks(deps: ListStaffTasksDeps, person: StaffPrincipal, query: StaffTaskListQuery): Promise<StaffTaskPage> {
  const now = deps.now();
  const works = queuesFor(person.roles);
  if (query.queue && !works.includes(query.queue)) throw HttpError.withMessage(403, `Your roles do not work the ${query.queue} queue`);
  const dueBefore = query.overdue ? minIso(now.toISOString(), query.dueBefore) : query.dueBefore;
  const page = await deps.tasks.list({
    clinicId: person.clinicId,
    queues: query.queue ? [query.queue] : works,
    status: query.status,
    ...(query.owner ? { owner: query.owner === 'me' ? staffActor(person) : query.owner } : {}),
    ...(dueBefore ? { dueBefore } : {}),
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit,
  });
  return { tasks: page.tasks.map((task) => staffTaskSummary(task, now)), ...(page.next ? { next: page.next } : {}) };
}

const minIso = (a: string, b: string | undefined) => (b !== undefined && b < a ? b : a);
