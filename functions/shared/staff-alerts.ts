import type { StaffTask } from '#model/staff-task.ts';
import type { AuditLog } from './audit-store.ts';
import type { StaffTaskStore } from './staff-task-store.ts';

/** Where staff hear of new work (SNS in AWS: sns-staff-alert-adapter.ts). */
export interface StaffAlertPort {
  /** Sends the alert; throws MessagingUnavailable when it could not (the caller's retry sends it again). */
  send(alert: StaffAlert): Promise<void>;
}

export interface StaffAlertDeps {
  tasks: StaffTaskStore;
  audit: AuditLog;
  alerts: StaffAlertPort;
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

/** Who opens the task, for the `staffTask.create` audit record (the task holds the reason, which is patient data). */
export interface StaffTaskAuditor {
  actor: string;
  patientId: string;
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
  auditor: StaffTaskAuditor,
  now: Date,
): Promise<{ created: boolean; alerted: boolean }> {
  const created = await deps.tasks.open(task);
  if (!created && !(await deps.tasks.alertPending(task))) return { created, alerted: false };

  await deps.audit.record(
    {
      clinicId: task.clinicId,
      actor: auditor.actor,
      action: 'staffTask.create',
      journeyId: task.journeyId,
      patientId: auditor.patientId,
      outcome: 'success',
    },
    now,
  );
  await deps.alerts.send(alert);
  await deps.tasks.markAlerted(task, now);
  return { created, alerted: true };
}
