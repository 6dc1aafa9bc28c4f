import { STAFF_ACTIONS_BY_STAGE, type StaffDecision, type StageName, TRIAGE_ACTIONS } from '#contract/journey-workflow.ts';
import { QUEUE_ROLES } from '#contract/staff-queues.ts';
import type { StaffRole } from '#contract/staff-roles.ts';
import type { StageState } from '#model/journey.ts';
import { isStandaloneTask, POSSIBLE_DUPLICATE_REASON, STAGE_QUEUE, type StaffTask, stageOfTask } from '#model/staff-task.ts';

/** What staff may decide for this task (the workflow routes exactly these; see STAFF_ACTIONS_BY_STAGE). */
export function allowedActions(
  task: Pick<StaffTask, 'kind' | 'stage'> & { reason?: string; taskId?: string },
): readonly StaffDecision['action'][] {
  if (task.kind === 'TRIAGE') return TRIAGE_ACTIONS;
  // A logged contact or a visit to reschedule holds no journey: PROCEED marks it handled.
  if (isStandaloneTask(task)) return CONTACT_ACTIONS;
  const stage = stageOfTask(task);
  // A possible duplicate goes on only once settled (merged or kept apart), by a RETRY that screens again.
  if (task.reason === POSSIBLE_DUPLICATE_REASON) return ['RETRY', 'CANCEL'];
  // A stopped execution can be redriven, or ended where its stage allows a cancel; it cannot skip the stage it stopped in.
  if (task.kind === 'EXECUTION_STOPPED') return STAFF_ACTIONS_BY_STAGE[stage].filter((action) => action !== 'PROCEED');
  return STAFF_ACTIONS_BY_STAGE[stage];
}

/** A logged contact's (or a visit to reschedule's) only decision: handled. */
export const CONTACT_ACTIONS: readonly StaffDecision['action'][] = ['PROCEED'];

/**
 * The roles that may decide this task: those who work its queue (only clinicians a triage slip; admins any task). A
 * stopped execution sits in ops' queue, and the people of the stage it stopped in may decide it too.
 */
export function rolesForTask(task: Pick<StaffTask, 'kind' | 'stage' | 'queue'>): readonly StaffRole[] {
  const roles = QUEUE_ROLES[task.queue];
  if (task.kind !== 'EXECUTION_STOPPED' || !task.stage) return roles;
  return [...new Set([...roles, ...QUEUE_ROLES[STAGE_QUEUE[task.stage]]])];
}

/** Whether the person works this task: sees it, claims it, writes notes on it, decides it (rolesForTask). */
export const worksTask = (task: Pick<StaffTask, 'kind' | 'stage' | 'queue'>, roles: readonly StaffRole[]) =>
  rolesForTask(task).some((role) => roles.includes(role));

const PROCEED_REASON: Record<StageName, string> = {
  INTAKE: 'Staff chose to continue without automatic screening.',
  ELIGIBILITY: 'Staff chose to continue without verified coverage.',
  SCHEDULING: 'Staff chose to continue.',
  PAYMENT: 'Staff chose to continue without payment: the patient is asked to pay later.',
  CONFIRMATION: 'Staff will confirm the appointment with the patient directly.',
};

/**
 * What the parked stage shows once staff decided: RETRY runs it again, PROCEED closes it with the reason, CANCEL
 * leaves it to the journey's end (which marks it skipped). Staff notes are not copied: they stay on the task.
 */
export function stageAfterDecision(
  task: Pick<StaffTask, 'stage' | 'taskId'>,
  action: StaffDecision['action'],
  at: string,
): StageState | undefined {
  if (!task.stage) return undefined; // a logged contact holds no stage
  // The task ID stays on the stage: it is how a late or repeated decision finds out whether it still applies.
  if (action === 'RETRY') return { status: 'IN_PROGRESS', at, reason: 'Retried by staff.', staffTaskId: task.taskId };
  if (action === 'PROCEED') return { status: 'COMPLETED', at, reason: PROCEED_REASON[stageOfTask(task)], staffTaskId: task.taskId };
  return undefined;
}
