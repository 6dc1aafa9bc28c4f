import type { Checkpoint, StageName } from '#contract/journey-workflow.ts';
import type { StaffTask } from '#model/staff-task.ts';
import { newStaffTask, openTaskAndAlert, type StaffAlertDeps } from '#shared/staff-alerts.ts';

/** What makes a task that holds a journey: a park's (with its token) or a stopped execution's (with its execution). */
export type JourneyTaskFields = Pick<StaffTask, 'clinicId' | 'taskId' | 'journeyId' | 'patientId' | 'stage' | 'reason'> &
  ({ kind: 'STAGE_BLOCKED'; taskToken: string; checkpoint: Checkpoint } | { kind: 'EXECUTION_STOPPED'; executionArn: string });

/** A staff task that holds a journey (not a triage slip). */
export type JourneyTask = StaffTask & { kind: JourneyTaskFields['kind']; journeyId: string; patientId: string; stage: StageName };

/** A new open task that holds a journey for a person's decision, opened by `by` (in its queue, with its due time). */
export async function journeyTask(
  deps: Pick<StaffAlertDeps, 'catalog'>,
  fields: JourneyTaskFields,
  by: string,
  now: Date,
): Promise<JourneyTask> {
  return (await newStaffTask(deps, fields, by, now)) as JourneyTask;
}

const SUBJECT: Record<JourneyTaskFields['kind'], string> = {
  STAGE_BLOCKED: 'Journey needs staff',
  EXECUTION_STOPPED: 'Journey stopped',
};

/**
 * Opens the task (once) and alerts staff until an alert has gone out for it (openTaskAndAlert). The alert names the
 * task, its journey and stage, plus `details` (codes only), and carries the clinic for subscription filters.
 */
export function alertStaffOfTask(
  deps: StaffAlertDeps,
  task: JourneyTask,
  actor: string,
  now: Date,
  details: Readonly<Record<string, string>> = {},
): Promise<{ created: boolean; alerted: boolean }> {
  const { kind, clinicId, journeyId, taskId, stage } = task;
  return openTaskAndAlert(
    deps,
    task,
    { subject: `${SUBJECT[kind]}: ${stage}`, message: { kind, clinicId, journeyId, taskId, stage, ...details }, attributes: { clinicId } },
    actor,
    now,
  );
}
