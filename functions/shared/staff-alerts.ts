import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { recordAudit } from '#shared/audit.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { keys } from '#shared/keys.ts';
import { conditionHeld, type TableRef } from '#shared/table.ts';
import { openStaffTask, type StaffTask } from './staff-task-store.ts';

export interface StaffAlertDeps {
  table: TableRef;
  sns: SNSClient;
  topicArn: string;
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
  const created = await openStaffTask(deps.table, task);
  if (!created && !(await alertPending(deps.table, task))) return { created, alerted: false };

  await recordAudit(
    deps.table,
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
  await publish(deps, alert);
  await markAlerted(deps.table, task, now);
  return { created, alerted: true };
}

/** An existing task still needs its alert when none was recorded and nobody has dealt with the task yet. */
async function alertPending(table: TableRef, task: StaffTask): Promise<boolean> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.staffTask(task.clinicId, task.taskId),
      ProjectionExpression: '#status, alertedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  return Item?.status === 'OPEN' && Item.alertedAt === undefined;
}

async function publish(deps: StaffAlertDeps, alert: StaffAlert): Promise<void> {
  try {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: alert.subject,
        Message: JSON.stringify(alert.message),
        ...(alert.attributes
          ? {
              MessageAttributes: Object.fromEntries(
                Object.entries(alert.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
              ),
            }
          : {}),
      }),
    );
  } catch (error) {
    // Any SNS failure is retried: an unheard alert (an EMERGENT triage among them) is worse than a late one.
    throw new TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable, `SNS answered ${(error as Error).name}`, { cause: error });
  }
}

/** Keeps the first alert's time; the task must exist (no upsert of a stray item). */
async function markAlerted(table: TableRef, task: StaffTask, now: Date): Promise<void> {
  await conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(task.clinicId, task.taskId),
        UpdateExpression: 'SET alertedAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(alertedAt)',
        ExpressionAttributeValues: { ':at': now.toISOString() },
      }),
    ),
  );
}
