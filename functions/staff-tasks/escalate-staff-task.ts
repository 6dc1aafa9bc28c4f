import { log } from '#shared/observability.ts';
import type { StaffAlertPort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface EscalateStaffTaskDeps extends Pick<SharedStores, 'tasks'> {
  alerts: StaffAlertPort;
  now: () => Date;
}

export interface EscalationRequest {
  clinicId: string;
  taskId: string;
}

export type EscalationOutcome = 'ESCALATED' | 'NOT_DUE' | 'CLOSED' | 'ALREADY_ESCALATED' | 'NOT_FOUND';

const ACTOR = 'function:escalateStaffTask';

/**
 * A task's due time has come (its one-time schedule fired): if it is still open, its queue's lead hears of it, once.
 * The alert names the task, queue, priority and due time only (the SNS message attribute `queue` lets each lead
 * subscribe to their queue); it reads nothing of the patient's, so it leaves no audit record. At least once: the
 * escalation is recorded after the alert went out, so a retry after a failed publish publishes again.
 */
export async function escalateStaffTask(deps: EscalateStaffTaskDeps, request: EscalationRequest): Promise<{ outcome: EscalationOutcome }> {
  const now = deps.now();
  const task = await deps.tasks.escalationState(request.clinicId, request.taskId);
  const fields = { clinicId: request.clinicId, taskId: request.taskId };
  if (!task) return { outcome: 'NOT_FOUND' };
  if (task.status !== 'OPEN') return { outcome: 'CLOSED' };
  if (task.escalatedAt) return { outcome: 'ALREADY_ESCALATED' };
  if (task.dueAt > now.toISOString()) {
    log.warn('Escalation fired before the task was due; not escalated', fields);
    return { outcome: 'NOT_DUE' };
  }
  await deps.alerts.send({
    subject: `Overdue ${task.priority} task in ${task.queue}`,
    message: {
      kind: 'TASK_OVERDUE',
      clinicId: task.clinicId,
      taskId: task.taskId,
      queue: task.queue,
      priority: task.priority,
      dueAt: task.dueAt,
    },
    attributes: { clinicId: task.clinicId, queue: task.queue, kind: 'TASK_OVERDUE' },
  });
  const marked = await deps.tasks.markEscalated(task, ACTOR, now);
  log.info('Overdue task escalated', { ...fields, outcome: marked ? 'ESCALATED' : 'ALREADY_ESCALATED' });
  return { outcome: marked ? 'ESCALATED' : 'ALREADY_ESCALATED' };
}
