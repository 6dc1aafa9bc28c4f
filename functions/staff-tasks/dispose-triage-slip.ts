import type { StaffTaskSummary, TriageDispositionBody } from '#contract/api/staff-task-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { worksTask } from '#model/staff-decision.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { staffTaskSummary } from './staff-task-view.ts';

export interface DisposeTriageSlipDeps extends Pick<SharedStores, 'tasks'> {
  now: () => Date;
}

/**
 * A clinician closes a triage slip with what was done about the red-flag answers (a clinical disposition) and their
 * note, audited in their name with the write. Only a clinician (the route) who works clinical triage; a slip someone
 * else has claimed is theirs. The same disposition again answers the same; a closed slip is not disposed again (409).
 */
export async function disposeTriageSlip(
  deps: DisposeTriageSlipDeps,
  person: StaffPrincipal,
  taskId: string,
  body: TriageDispositionBody,
  via: string,
): Promise<StaffTaskSummary> {
  const now = deps.now();
  const actor = staffActor(person);
  const task = await deps.tasks.get(person.clinicId, taskId);
  if (!task) throw HttpError.withMessage(404, 'Staff task not found');
  if (!worksTask(task, person.roles)) throw HttpError.withMessage(403, 'Your roles do not work this task’s queue');
  if (task.kind !== 'TRIAGE') throw HttpError.withMessage(409, 'Only a triage slip takes a clinical disposition: decide this task instead');
  if (task.status === 'DECIDED' && task.disposition?.code === body.disposition && task.disposition.disposedBy === actor)
    return staffTaskSummary(task, now);
  if (task.status !== 'OPEN') throw HttpError.withMessage(409, `The slip is already ${task.status.toLowerCase()}`);
  if (task.owner && task.owner !== actor) throw HttpError.withMessage(409, `${task.ownerName ?? 'A colleague'} has claimed this slip`);

  const disposition = { code: body.disposition, note: body.note, disposedBy: actor, disposedAt: now.toISOString() };
  const audit = {
    clinicId: task.clinicId,
    actor,
    action: 'staffTask.dispose',
    journeyId: task.journeyId,
    patientId: task.patientId,
    via,
    outcome: 'success',
  } as const;
  if (!(await deps.tasks.recordDisposition(task, disposition, audit, actor)))
    throw HttpError.withMessage(409, 'The slip was closed or claimed meanwhile: read it again');
  log.info('Triage slip disposed', { clinicId: task.clinicId, taskId, outcome: body.disposition });
  return staffTaskSummary({ ...task, status: 'DECIDED', disposition }, now);
}
