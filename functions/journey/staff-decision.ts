import { STAFF_ACTIONS_BY_STAGE, type StaffDecision, type StageName, TRIAGE_ACTIONS } from '#contract/journey-workflow.ts';
import type { StaffRole } from '#contract/staff-roles.ts';
import type { StageState } from '#model/journey.ts';
import type { StaffTask } from '#model/staff-task.ts';

/** What staff may decide for this task (the workflow routes exactly these; see STAFF_ACTIONS_BY_STAGE). */
export function allowedActions(task: Pick<StaffTask, 'kind' | 'stage'>): readonly StaffDecision['action'][] {
  if (task.kind === 'TRIAGE') return TRIAGE_ACTIONS;
  // A stopped execution can be redriven, or ended where its stage allows a cancel; it cannot skip the stage it stopped in.
  if (task.kind === 'EXECUTION_STOPPED') return STAFF_ACTIONS_BY_STAGE[task.stage].filter((action) => action !== 'PROCEED');
  return STAFF_ACTIONS_BY_STAGE[task.stage];
}

/** Who works a journey parked at each stage (admins may decide any task of their clinic). */
const STAGE_ROLES: Readonly<Record<StageName, readonly StaffRole[]>> = {
  INTAKE: ['front-desk'],
  ELIGIBILITY: ['front-desk', 'billing'],
  SCHEDULING: ['front-desk', 'radiology'],
  PAYMENT: ['billing', 'front-desk'],
  CONFIRMATION: ['front-desk'],
};

/**
 * The roles that may decide this task: only clinicians dispose a triage slip; a parked stage belongs to the people who
 * work that stage; a stopped execution also to ops, who know why it stopped. Admins may decide any.
 */
export function rolesForTask(task: Pick<StaffTask, 'kind' | 'stage'>): readonly StaffRole[] {
  if (task.kind === 'TRIAGE') return ['clinical', 'admin'];
  const stage = STAGE_ROLES[task.stage];
  return task.kind === 'EXECUTION_STOPPED' ? [...stage, 'ops', 'admin'] : [...stage, 'admin'];
}

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
  // The task ID stays on the stage: it is how a late or repeated decision finds out whether it still applies.
  if (action === 'RETRY') return { status: 'IN_PROGRESS', at, reason: 'Retried by staff.', staffTaskId: task.taskId };
  if (action === 'PROCEED') return { status: 'COMPLETED', at, reason: PROCEED_REASON[task.stage], staffTaskId: task.taskId };
  return undefined;
}
