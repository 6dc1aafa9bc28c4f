import type { JourneyMetrics } from '#shared/journey-metrics.ts';
import { log } from '#shared/observability.ts';
import type { StaffAlertPort } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface EscalateStaffTaskDeps extends Pick<SharedStores, 'tasks'> {
  alerts: StaffAlertPort;
  metrics: JourneyMetrics;
  now: () => Date;
}

export interface EscalationRequest {
  clinicId: string;
  taskId: string;
}

export type EscalationOutcome = 'ESCALATED' | 'CLOSED' | 'ALREADY_ESCALATED' | 'NOT_FOUND';

/** The schedule fired before the task was due (clocks apart): retried by Lambda's asynchronous invocation. */
export class EscalationNotDueError extends Error {
  override name = 'EscalationNotDue';
}

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
    // Schedules fire from the due time's next whole minute, so this is a clock apart: fail, and Lambda's retry of the
    // asynchronous invocation comes back after the due time (a success here would lose the escalation for good).
    log.warn('Escalation fired before the task was due', fields);
    throw new EscalationNotDueError(`Task ${task.taskId} is due at ${task.dueAt}`);
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
  if (await deps.tasks.markEscalated(task, ACTOR, now)) {
    deps.metrics.taskOverdue(task.queue, now);
    log.info('Overdue task escalated', { ...fields, outcome: 'ESCALATED' });
    return { outcome: 'ESCALATED' };
  }
  // Decided or escalated between the read and now: the alert went out anyway (at least once); say which.
  const after = await deps.tasks.escalationState(request.clinicId, request.taskId);
  const outcome: EscalationOutcome = after?.status === 'OPEN' ? 'ALREADY_ESCALATED' : 'CLOSED';
  log.info('Overdue task escalated meanwhile or closed', { ...fields, outcome });
  return { outcome };
}
