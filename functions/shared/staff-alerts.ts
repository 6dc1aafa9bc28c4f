import { ESCALATION_NOT_SCHEDULED_MESSAGE } from '#contract/journey-workflow.ts';
import { openedStaffTask, type StaffTask, type StaffTaskDraft, serviceLevelsOf } from '#model/staff-task.ts';
import type { AuditLog } from './audit-store.ts';
import type { CatalogStore } from './catalog-store.ts';
import { log } from './observability.ts';
import type { StaffTaskStore } from './staff-task-store.ts';

/** When a task is due: the escalation to its queue's lead is scheduled then (EventBridge Scheduler in AWS). */
export interface EscalationSchedulePort {
  /** Schedules the task's escalation at its due time; a schedule that exists already is left as it is. */
  schedule(task: Pick<StaffTask, 'clinicId' | 'taskId' | 'dueAt'>): Promise<void>;
}

/** Where staff hear of new work (SNS in AWS: sns-staff-alert-adapter.ts). */
export interface StaffAlertPort {
  /** Sends the alert; throws MessagingUnavailable when it could not (the caller's retry sends it again). */
  send(alert: StaffAlert): Promise<void>;
}

export interface StaffAlertDeps {
  tasks: StaffTaskStore;
  audit: AuditLog;
  alerts: StaffAlertPort;
  /** The clinic's service levels (its catalog's profile), which make a new task's due time. */
  catalog: Pick<CatalogStore, 'load'>;
  escalations: EscalationSchedulePort;
}

/** The task as it is opened by `by`: routed to its queue, due by the clinic's service level for its priority. */
export async function newStaffTask(
  deps: Pick<StaffAlertDeps, 'catalog'>,
  draft: StaffTaskDraft,
  by: string,
  now: Date,
): Promise<StaffTask> {
  const catalog = await deps.catalog.load(draft.clinicId);
  return openedStaffTask(draft, serviceLevelsOf(catalog?.profile.serviceLevels), by, now);
}

/**
 * What staff are told. Alerts travel by email/SMS outside the encrypted table, so the message holds IDs and codes
 * only (string values: no reasons, question keys or answers); the details are read in the task itself.
 */
export interface StaffAlert {
  subject: string;
  message: Readonly<Record<string, string>>;
  attributes?: Readonly<Record<string, string>>;
}

/**
 * Opens the staff task (once: its ID is deterministic) and alerts staff until an alert has been sent for it: the task
 * records `alertedAt` only after SNS has accepted the alert, so a retry after a failed publish publishes again instead
 * of leaving an open task nobody heard of. At least once: two concurrent attempts may both publish. SNS failures throw
 * MessagingUnavailable for the workflow to retry. The `staffTask.create` audit is recorded with each alert attempt,
 * before publishing, so it cannot be lost either (a retry may record it twice).
 * Returns whether this call created the task and whether it published the alert.
 */
export async function openTaskAndAlert(
  deps: StaffAlertDeps,
  task: StaffTask,
  alert: StaffAlert,
  /** Who opens it, for the `staffTask.create` audit record (the task holds the reason, which is patient data). */
  actor: string,
  now: Date,
): Promise<{ created: boolean; alerted: boolean }> {
  const created = await deps.tasks.open(task);
  // A retried opener built the task anew: the stored one's due time is the one to escalate at.
  await scheduleEscalation(deps, created ? task : ((await deps.tasks.get(task.clinicId, task.taskId)) ?? task));
  if (!created && !(await deps.tasks.alertPending(task))) return { created, alerted: false };

  await deps.audit.record(
    {
      clinicId: task.clinicId,
      actor,
      action: 'staffTask.create',
      journeyId: task.journeyId,
      patientId: task.patientId,
      outcome: 'success',
    },
    now,
  );
  await deps.alerts.send(alert);
  await deps.tasks.markAlerted(task, now);
  return { created, alerted: true };
}

/**
 * Schedules the overdue escalation on every opening call (the schedule is created once; a repeat meets it). A scheduler
 * that fails must not keep the task from being opened and announced: the task is in its queue, and lists show it
 * overdue when it is; the error is logged, and the log line raises an alarm, so nobody waits on an escalation that
 * will not come.
 */
export async function scheduleEscalation(
  deps: Pick<StaffAlertDeps, 'escalations'>,
  task: Pick<StaffTask, 'clinicId' | 'taskId' | 'dueAt'>,
): Promise<void> {
  try {
    await deps.escalations.schedule(task);
  } catch (error) {
    // The EscalationsNotScheduled alarm counts this line (infra/constructs/monitoring.ts): ops tell the queue's lead.
    log.error(ESCALATION_NOT_SCHEDULED_MESSAGE, { clinicId: task.clinicId, taskId: task.taskId, errorName: (error as Error).name });
  }
}

/**
 * Opens a task that needs no alert of its own (a routine logged contact): in its queue at once, escalated to the queue's
 * lead if still open at its due time. Its `staffTask.create` audit record is written before it (a retry may record it
 * twice, as openTaskAndAlert's).
 */
export async function openTaskWithoutAlert(
  deps: Pick<StaffAlertDeps, 'tasks' | 'audit' | 'escalations'>,
  task: StaffTask,
  actor: string,
  now: Date,
): Promise<{ created: boolean }> {
  // Recorded on every attempt, before the write: a retry after a failed record cannot leave the task without one.
  await deps.audit.record(
    {
      clinicId: task.clinicId,
      actor,
      action: 'staffTask.create',
      ...(task.journeyId ? { journeyId: task.journeyId } : {}),
      ...(task.patientId ? { patientId: task.patientId } : {}),
      outcome: 'success',
    },
    now,
  );
  const created = await deps.tasks.open(task);
  await scheduleEscalation(deps, created ? task : ((await deps.tasks.get(task.clinicId, task.taskId)) ?? task));
  return { created };
}
