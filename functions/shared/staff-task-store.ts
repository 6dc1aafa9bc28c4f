import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StaffDecision } from '#contract/journey-workflow.ts';
import type { StageState } from '#model/journey.ts';
import type { StaffTask } from '#model/staff-task.ts';
import { type AuditEvent, auditPut } from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';
import { conditionHeld, type TableRef } from '#shared/table.ts';

/** Opens the task unless it exists already. Returns true when this call created it (and so should alert staff). */
async function openStaffTask(table: TableRef, task: StaffTask): Promise<boolean> {
  return conditionHeld(
    table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.staffTask(task.clinicId, task.taskId),
          ...keys.openStaffTasksIndex(task.clinicId, task.createdAt, task.taskId),
          ...task,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
}

/**
 * Points an open task at a new task token. Step Functions hands a retried .waitForTaskToken invocation a new token;
 * the journey must then resume through that one, and staff must keep working the task they already see.
 * False when the task is no longer open.
 */
async function refreshTaskToken(table: TableRef, clinicId: string, taskId: string, taskToken: string): Promise<boolean> {
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(clinicId, taskId),
        UpdateExpression: 'SET taskToken = :token',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':open': 'OPEN' },
      }),
    ),
  );
}

/** Closes a task that no journey will wait on any more (the journey ended); a task no longer open is left alone. */
async function expireIfOpen(table: TableRef, clinicId: string, taskId: string): Promise<void> {
  await conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(clinicId, taskId),
        UpdateExpression: 'SET #status = :expired REMOVE GSI1PK, GSI1SK, taskToken',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': 'EXPIRED', ':open': 'OPEN' },
      }),
    ),
  );
}

async function getStaffTask(table: TableRef, clinicId: string, taskId: string): Promise<StaffTask | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: keys.staffTask(clinicId, taskId) }));
  return Item as StaffTask | undefined;
}

/** CONFLICT: another transaction touched the task or journey at the same moment (DynamoDB's TransactionConflict). */
export type RecordDecisionResult = 'RECORDED' | 'ALREADY_DECIDED' | 'JOURNEY_NOT_WAITING' | 'CONFLICT';

/**
 * Records the decision and, for a task that holds a journey, sets the journey back to RUNNING and the parked stage to
 * what the decision makes of it — in one transaction, conditional on the task still being OPEN and the journey still
 * WAITING_FOR_STAFF: of two people deciding at once exactly one wins, and the journey can never be marked RUNNING after
 * the workflow has finished. A TransactionConflict (a concurrent transaction on the same items) is CONFLICT: read again.
 */
async function recordDecision(
  table: TableRef,
  task: StaffTask,
  decision: NonNullable<StaffTask['decision']>,
  stage: StageState | undefined,
  audit: AuditEvent,
): Promise<RecordDecisionResult> {
  const stageSet = stage ? ', stages.#stage = :stage' : '';
  const journeyUpdate =
    task.kind !== 'TRIAGE'
      ? [
          {
            Update: {
              TableName: table.tableName,
              Key: keys.journey(task.clinicId, task.journeyId),
              UpdateExpression: `SET #status = :running, updatedAt = :at${stageSet}`,
              // Waiting on THIS task: an older task of the same journey can never take over a later park.
              ConditionExpression: '#status = :waiting AND stages.#stage.staffTaskId = :taskId',
              ExpressionAttributeNames: { '#status': 'status', '#stage': task.stage },
              ExpressionAttributeValues: {
                ':running': 'RUNNING',
                ':waiting': 'WAITING_FOR_STAFF',
                ':at': decision.decidedAt,
                ':taskId': task.taskId,
                ...(stage ? { ':stage': stage } : {}),
              },
            },
          },
        ]
      : [];
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table.tableName,
              Key: keys.staffTask(task.clinicId, task.taskId),
              UpdateExpression: 'SET #status = :decided, decision = :decision REMOVE GSI1PK, GSI1SK',
              // The token read is still the task's: a park retried meanwhile (new token) makes the decider read again.
              ConditionExpression: task.taskToken ? '#status = :open AND taskToken = :token' : '#status = :open',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':decided': 'DECIDED',
                ':open': 'OPEN',
                ':decision': decision,
                ...(task.taskToken ? { ':token': task.taskToken } : {}),
              },
            },
          },
          ...journeyUpdate,
          auditPut(table.tableName, audit, new Date(decision.decidedAt)),
        ],
      }),
    );
    return 'RECORDED';
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'ALREADY_DECIDED';
    if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'JOURNEY_NOT_WAITING';
    if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'CONFLICT';
    throw error;
  }
}

/**
 * Undoes a decision that could not be carried out (the redrive of a stopped execution failed): the task is OPEN and in
 * the queue again and the journey waits on it, as before the decision, so it is never left RUNNING with no execution
 * running. Only while nothing has moved on: the task still holds this decision and the journey is still RUNNING on it.
 * False when something did move on (e.g. a repeat of the decision carried it out meanwhile).
 */
async function reopenDecidedTask(table: TableRef, task: StaffTask, action: StaffDecision['action'], now: Date): Promise<boolean> {
  const waiting: StageState = { status: 'WAITING_FOR_STAFF', at: now.toISOString(), reason: task.reason, staffTaskId: task.taskId };
  const openIndex = keys.openStaffTasksIndex(task.clinicId, task.createdAt, task.taskId);
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table.tableName,
              Key: keys.staffTask(task.clinicId, task.taskId),
              UpdateExpression: 'SET #status = :open, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk REMOVE decision',
              ConditionExpression: '#status = :decided AND decision.#action = :action',
              ExpressionAttributeNames: { '#status': 'status', '#action': 'action' },
              ExpressionAttributeValues: {
                ':open': 'OPEN',
                ':decided': 'DECIDED',
                ':action': action,
                ':gsi1pk': openIndex.GSI1PK,
                ':gsi1sk': openIndex.GSI1SK,
              },
            },
          },
          {
            Update: {
              TableName: table.tableName,
              Key: keys.journey(task.clinicId, task.journeyId),
              UpdateExpression: 'SET #status = :waiting, updatedAt = :at, stages.#stage = :stage ADD attempt :one',
              ConditionExpression: '#status = :running AND stages.#stage.staffTaskId = :taskId',
              ExpressionAttributeNames: { '#status': 'status', '#stage': task.stage },
              ExpressionAttributeValues: {
                ':waiting': 'WAITING_FOR_STAFF',
                ':running': 'RUNNING',
                ':at': now.toISOString(),
                ':stage': waiting,
                ':taskId': task.taskId,
                ':one': 1,
              },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') return false;
    throw error;
  }
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

/** The staff tasks' port (FHIR Task-like work items): opened once, decided once, expired when moot. */
export interface StaffTaskStore {
  get(clinicId: string, taskId: string): Promise<StaffTask | undefined>;
  /** Opens the task unless it exists; true when this call created it. */
  open(task: StaffTask): Promise<boolean>;
  /** Points an open task at a retried park's new token; false when the task is no longer open. */
  refreshToken(clinicId: string, taskId: string, taskToken: string): Promise<boolean>;
  /** Closes a task nobody can act on any more; a task no longer open is left alone. */
  expireIfOpen(clinicId: string, taskId: string): Promise<void>;
  /** Records a decision (and resumes the journey's record) atomically; see recordDecision. */
  recordDecision(
    task: StaffTask,
    decision: NonNullable<StaffTask['decision']>,
    stage: StageState | undefined,
    audit: AuditEvent,
  ): Promise<RecordDecisionResult>;
  /** Undoes a decision that could not be carried out; false when something moved on meanwhile. */
  reopenDecided(task: StaffTask, action: StaffDecision['action'], now: Date): Promise<boolean>;
  /** An existing task still needs its alert: none recorded, and nobody has dealt with the task yet. */
  alertPending(task: StaffTask): Promise<boolean>;
  /** Records the first alert's time. */
  markAlerted(task: StaffTask, now: Date): Promise<void>;
}

/** The DynamoDB adapter of the staff task store. */
export function dynamoStaffTaskStore(table: TableRef): StaffTaskStore {
  return {
    get: (clinicId, taskId) => getStaffTask(table, clinicId, taskId),
    open: (task) => openStaffTask(table, task),
    refreshToken: (clinicId, taskId, taskToken) => refreshTaskToken(table, clinicId, taskId, taskToken),
    expireIfOpen: (clinicId, taskId) => expireIfOpen(table, clinicId, taskId),
    recordDecision: (task, decision, stage, audit) => recordDecision(table, task, decision, stage, audit),
    reopenDecided: (task, action, now) => reopenDecidedTask(table, task, action, now),
    alertPending: (task) => alertPending(table, task),
    markAlerted: (task, now) => markAlerted(table, task, now),
  };
}
