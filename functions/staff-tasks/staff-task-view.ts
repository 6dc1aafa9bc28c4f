import type { StaffTaskSummary } from '#contract/api/staff-task-schema.ts';
import { isOverdue, type StaffTask } from '#model/staff-task.ts';

/** A task as lists show it: IDs, routing and timing; never its reason (it can be clinical) or the patient's name. */
export function staffTaskSummary(task: StaffTask, now: Date): StaffTaskSummary {
  return {
    taskId: task.taskId,
    ...(task.journeyId ? { journeyId: task.journeyId } : {}),
    kind: task.kind,
    ...(task.appointmentId ? { appointmentId: task.appointmentId } : {}),
    ...(task.stage ? { stage: task.stage } : {}),
    queue: task.queue,
    priority: task.priority,
    status: task.status,
    createdAt: task.createdAt,
    dueAt: task.dueAt,
    overdue: isOverdue(task, now),
    ...(task.owner ? { owner: { userId: task.owner, ...(task.ownerName ? { name: task.ownerName } : {}) } } : {}),
  };
}
