import type { StaffTaskSummary } from '#contract/api/staff-task-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { worksTask } from '#model/staff-decision.ts';
import type { StaffTask } from '#model/staff-task.ts';
import type { AuditAction, AuditEvent } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { staffTaskSummary } from './staff-task-view.ts';

export interface WorkStaffTaskDeps extends Pick<SharedStores, 'tasks'> {
  now: () => Date;
}

/** What a person does with a task short of deciding it. */
export type StaffTaskWork = { kind: 'claim' } | { kind: 'release' } | { kind: 'note'; text: string };

/**
 * Claims a task (it is theirs: their list, their name on it), releases it back to the queue, or adds a note, with an
 * audit record in the person's name in the same write. Only for people who work the task's queue. A repeat is harmless
 * (claiming one's own task, releasing a task nobody holds); claiming a colleague's task is refused (409); an admin may
 * release anyone's, to hand the work on.
 */
export async function workStaffTask(
  deps: WorkStaffTaskDeps,
  person: StaffPrincipal,
  taskId: string,
  work: StaffTaskWork,
  via: string,
): Promise<StaffTaskSummary> {
  const now = deps.now();
  const actor = staffActor(person);
  const task = await deps.tasks.get(person.clinicId, taskId);
  if (!task) throw HttpError.withMessage(404, 'Staff task not found');
  if (!worksTask(task, person.roles)) throw HttpError.withMessage(403, 'Your roles do not work this task’s queue');
  const audit = (action: AuditAction): AuditEvent => ({
    clinicId: task.clinicId,
    actor,
    action,
    journeyId: task.journeyId,
    patientId: task.patientId,
    via,
    outcome: 'success',
  });

  // A slip only a clinician can close is claimed by clinicians only, lest an admin's claim keep it from them.
  if (work.kind === 'claim' && task.kind === 'TRIAGE' && !person.roles.includes('clinical'))
    throw HttpError.withMessage(403, 'Only a clinician may claim a triage slip');
  if (work.kind === 'claim') {
    const claimed = await deps.tasks.claim(task, { actor, name: person.username }, now, audit('staffTask.claim'));
    if (claimed === 'TAKEN') throw HttpError.withMessage(409, 'Someone else has claimed this task');
    if (claimed === 'CLOSED') throw HttpError.withMessage(409, 'The task is no longer open');
    if (claimed === 'WORN') throw HttpError.withMessage(409, 'The task was claimed and released too often: an admin must decide it');
  } else if (work.kind === 'release') {
    const released = await deps.tasks.release(task, actor, person.roles.includes('admin'), now, audit('staffTask.release'));
    if (released === 'NOT_OWNER') throw HttpError.withMessage(409, 'Someone else holds this task; only they or an admin may release it');
  } else {
    const noted = await deps.tasks.addNote(task, { at: now.toISOString(), by: actor, text: work.text }, now, audit('staffTask.note'));
    if (!noted) throw HttpError.withMessage(409, 'The task holds as many notes as it can');
  }
  log.info('Staff task worked', { clinicId: task.clinicId, taskId: task.taskId, outcome: work.kind });
  return staffTaskSummary(await current(deps, task), now);
}

async function current(deps: WorkStaffTaskDeps, task: StaffTask): Promise<StaffTask> {
  return (await deps.tasks.get(task.clinicId, task.taskId)) ?? task;
}
