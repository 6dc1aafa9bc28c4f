import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StaffDecision } from '#contract/journey-workflow.ts';
import type { StaffQueue } from '#contract/staff-queues.ts';
import type { StageState } from '#model/journey.ts';
import {
  journeyOfTask,
  type StaffTask,
  type StaffTaskEvent,
  type StaffTaskNote,
  type StaffTaskStatus,
  stageOfTask,
} from '#model/staff-task.ts';
import { type AuditEvent, auditPut } from '#shared/audit.ts';
import { statusIndexSet } from '#shared/journey-store.ts';
import { keys, staffTaskPosition } from '#shared/keys.ts';
import { conditionHeld, type TableRef, transactionHeld } from '#shared/table.ts';

/** The item of a task: its key, its place in its queue's list, the task. (Owned tasks get their owner index on claim.) */
function taskItem(task: StaffTask): Record<string, unknown> {
  const sortKey = keys.staffTaskSortKey(task.status, task.dueAt, task.taskId);
  return {
    ...keys.staffTask(task.clinicId, task.taskId),
    ...keys.staffTaskQueueIndex(task.clinicId, task.queue),
    GSI1SK: sortKey,
    ...(task.owner ? { ...keys.staffTaskOwnerIndex(task.clinicId, task.owner), GSI3SK: sortKey } : {}),
    ...task,
  };
}

/**
 * The update that moves a task to `status` in both of its lists (an unowned task's GSI3SK indexes nothing: the index
 * needs its partition key too) and appends the event to its history.
 */
function statusChange(task: Pick<StaffTask, 'dueAt' | 'taskId'>, status: StaffTaskStatus, event: StaffTaskEvent) {
  const sortKey = keys.staffTaskSortKey(status, task.dueAt, task.taskId);
  return {
    set: '#status = :newStatus, GSI1SK = :sortKey, GSI3SK = :sortKey, history = list_append(history, :event)',
    values: { ':newStatus': status, ':sortKey': sortKey, ':event': [event] },
  };
}

/** Opens the task unless it exists already. Returns true when this call created it (and so should alert staff). */
async function openStaffTask(table: TableRef, task: StaffTask): Promise<boolean> {
  return conditionHeld(
    table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: taskItem(task),
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

/**
 * Closes a task that no journey will wait on any more (the journey ended); a task no longer open is left alone. Read
 * first: the task's lists are sorted by its due time, which the update must write back under the new status. True when
 * this call closed it.
 */
async function expireIfOpen(
  table: TableRef,
  clinicId: string,
  taskId: string,
  by: string,
  now: Date,
  options: { unclaimedOnly?: boolean } = {},
): Promise<boolean> {
  const task = await getStaffTask(table, clinicId, taskId, { consistent: true });
  if (task?.status !== 'OPEN' || (options.unclaimedOnly && task.owner)) return false;
  const change = statusChange(task, 'EXPIRED', { at: now.toISOString(), by, event: 'expired' });
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(clinicId, taskId),
        UpdateExpression: `SET ${change.set} REMOVE taskToken`,
        // Withdrawing: not from under a colleague who claimed it after it was read.
        ConditionExpression: `#status = :open${options.unclaimedOnly ? ' AND attribute_not_exists(#owner)' : ''}`,
        ExpressionAttributeNames: { '#status': 'status', ...(options.unclaimedOnly ? { '#owner': 'owner' } : {}) },
        ExpressionAttributeValues: { ...change.values, ':open': 'OPEN' },
      }),
    ),
  );
}

/**
 * Opens again a task that `withdrawnBy` expired (its last event), for `by`: what withdrew it no longer holds. Any other
 * task is left alone. True when this call reopened it.
 */
async function reopenWithdrawn(table: TableRef, clinicId: string, taskId: string, withdrawnBy: string, by: string, now: Date) {
  const task = await getStaffTask(table, clinicId, taskId, { consistent: true });
  const last = task?.history.at(-1);
  if (task?.status !== 'EXPIRED' || last?.event !== 'expired' || last.by !== withdrawnBy) return false;
  const change = statusChange(task, 'OPEN', { at: now.toISOString(), by, event: 'reopened' });
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(clinicId, taskId),
        UpdateExpression: `SET ${change.set}`,
        ConditionExpression: '#status = :expired AND size(history) = :events',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...change.values, ':expired': 'EXPIRED', ':events': task.history.length },
      }),
    ),
  );
}

async function getStaffTask(
  table: TableRef,
  clinicId: string,
  taskId: string,
  options: { consistent?: boolean } = {},
): Promise<StaffTask | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.staffTask(clinicId, taskId), ConsistentRead: options.consistent ?? false }),
  );
  return Item as StaffTask | undefined;
}

/** CONFLICT: another transaction touched the task or journey at the same moment (DynamoDB's TransactionConflict). */
export type RecordDecisionResult = 'RECORDED' | 'ALREADY_DECIDED' | 'JOURNEY_NOT_WAITING' | 'CONFLICT';

/**
 * Records the decision and, for a task that holds a journey, sets the journey back to RUNNING and the parked stage to
 * what the decision makes of it — in one transaction, conditional on the task still being OPEN and the journey still
 * WAITING_FOR_STAFF: of two people deciding at once exactly one wins, and the journey can never be marked RUNNING after
 * the workflow has finished. A TransactionConflict (a concurrent transaction on the same items) is CONFLICT: read again.
 * With `claimedBy` (a decider who is not an admin), also only while nobody else has claimed the task.
 */
async function recordDecision(
  table: TableRef,
  task: StaffTask,
  decision: NonNullable<StaffTask['decision']>,
  stage: StageState | undefined,
  audit: AuditEvent,
  claimedBy?: string,
): Promise<RecordDecisionResult> {
  const change = statusChange(task, 'DECIDED', { at: decision.decidedAt, by: decision.decidedBy, event: 'decided' });
  const stageSet = stage ? ', stages.#stage = :stage' : '';
  const resumed = statusIndexSet(task.clinicId, 'RUNNING');
  const journeyUpdate =
    task.kind === 'STAGE_BLOCKED' || task.kind === 'EXECUTION_STOPPED'
      ? [
          {
            Update: {
              TableName: table.tableName,
              Key: keys.journey(task.clinicId, journeyOfTask(task).journeyId),
              UpdateExpression: `SET #status = :running, ${resumed.set}, updatedAt = :at${stageSet}`,
              // Waiting on THIS task: an older task of the same journey can never take over a later park.
              ConditionExpression: '#status = :waiting AND stages.#stage.staffTaskId = :taskId',
              ExpressionAttributeNames: { '#status': 'status', '#stage': stageOfTask(task) },
              ExpressionAttributeValues: {
                ...resumed.values,
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
              UpdateExpression: `SET ${change.set}, decision = :decision`,
              // The token read is still the task's: a park retried meanwhile (new token) makes the decider read again.
              ConditionExpression: [
                '#status = :open',
                ...(task.taskToken ? ['taskToken = :token'] : []),
                ...(claimedBy ? ['(attribute_not_exists(#owner) OR #owner = :claimedBy)'] : []),
              ].join(' AND '),
              ExpressionAttributeNames: { '#status': 'status', ...(claimedBy ? { '#owner': 'owner' } : {}) },
              ExpressionAttributeValues: {
                ...change.values,
                ':open': 'OPEN',
                ':decision': decision,
                ...(task.taskToken ? { ':token': task.taskToken } : {}),
                ...(claimedBy ? { ':claimedBy': claimedBy } : {}),
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
async function reopenDecidedTask(
  table: TableRef,
  task: StaffTask,
  action: StaffDecision['action'],
  by: string,
  now: Date,
): Promise<boolean> {
  const waiting: StageState = { status: 'WAITING_FOR_STAFF', at: now.toISOString(), reason: task.reason, staffTaskId: task.taskId };
  const waitingAgain = statusIndexSet(task.clinicId, 'WAITING_FOR_STAFF');
  const change = statusChange(task, 'OPEN', { at: now.toISOString(), by, event: 'reopened' });
  return transactionHeld(
    table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table.tableName,
              Key: keys.staffTask(task.clinicId, task.taskId),
              UpdateExpression: `SET ${change.set} REMOVE decision`,
              ConditionExpression: '#status = :decided AND decision.#action = :action',
              ExpressionAttributeNames: { '#status': 'status', '#action': 'action' },
              ExpressionAttributeValues: { ...change.values, ':decided': 'DECIDED', ':action': action },
            },
          },
          {
            Update: {
              TableName: table.tableName,
              Key: keys.journey(task.clinicId, journeyOfTask(task).journeyId),
              UpdateExpression: `SET #status = :waiting, ${waitingAgain.set}, updatedAt = :at, stages.#stage = :stage ADD attempt :one`,
              ConditionExpression: '#status = :running AND stages.#stage.staffTaskId = :taskId',
              ExpressionAttributeNames: { '#status': 'status', '#stage': stageOfTask(task) },
              ExpressionAttributeValues: {
                ...waitingAgain.values,
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
    ),
  );
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

/** Which tasks a list wants: its queues (those the person works, or one of them), one status, optional filters. */
export interface StaffTaskQuery {
  clinicId: string;
  queues: readonly StaffQueue[];
  status: StaffTaskStatus;
  /** Only tasks this person (`user:<sub>`) has claimed. */
  owner?: string;
  /** Only tasks due before this time (ISO): e.g. now, for the overdue ones. */
  dueBefore?: string;
  /** The position (staffTaskPosition) of the last task of the previous page: the list goes on after it. */
  after?: string;
  limit: number;
}

export interface StaffTaskPage {
  tasks: StaffTask[];
  /** The position of the page's last task, when more may follow. */
  next?: string;
}

/**
 * A page of tasks, most due first, read from the indexes (no Scan): each queue's partition, or the owner's, read
 * between the cursor and the due bound, at most `limit` items per partition, merged. Every task has one position (due
 * time, then ID) in all of them, so one cursor continues all. Reads at most `limit` × partitions items per page.
 */
async function listStaffTasks(table: TableRef, query: StaffTaskQuery): Promise<StaffTaskPage> {
  if (query.queues.length === 0) return { tasks: [] };
  const prefix = `${query.status}#`;
  const between = {
    // "\u0000" makes the lower bound exclusive (the first position after the cursor); "$" sorts right after "#".
    ':from': query.after ? `${prefix}${query.after}\u0000` : prefix,
    ':to': query.dueBefore ? `${prefix}${query.dueBefore}` : `${query.status}$`,
  };
  // A cursor already past the due bound (a page of another list's): nothing left to read, and DynamoDB refuses the range.
  if (between[':from'] > between[':to']) return { tasks: [] };
  const queryIndex = (index: 'GSI1' | 'GSI3', partitionKey: Record<string, string>, filter?: Record<string, string>) =>
    table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: index,
        KeyConditionExpression: `${index}PK = :pk AND ${index}SK BETWEEN :from AND :to`,
        ...(filter
          ? { FilterExpression: `#queue IN (${Object.keys(filter).join(', ')})`, ExpressionAttributeNames: { '#queue': 'queue' } }
          : {}),
        ExpressionAttributeValues: { ':pk': Object.values(partitionKey)[0], ...between, ...filter },
        Limit: query.limit,
      }),
    );

  if (query.owner) {
    // The owner's partition holds all their queues: keep the ones asked for (a person holds few tasks). A filtered page
    // may end short of `limit` with more to read; the cursor is then where DynamoDB stopped reading.
    const queues = Object.fromEntries(query.queues.map((queue, i) => [`:q${i}`, queue]));
    const { Items = [], LastEvaluatedKey } = await queryIndex('GSI3', keys.staffTaskOwnerIndex(query.clinicId, query.owner), queues);
    const stoppedAt = LastEvaluatedKey?.GSI3SK;
    return { tasks: Items.map(stripKeys), ...(typeof stoppedAt === 'string' ? { next: stoppedAt.slice(prefix.length) } : {}) };
  }
  const pages = await Promise.all(query.queues.map((queue) => queryIndex('GSI1', keys.staffTaskQueueIndex(query.clinicId, queue))));
  // A partition that stopped early (its Limit, or DynamoDB's 1 MB a page) may hold unread tasks after its last read
  // position: the page ends there, so that no task of it can fall behind the cursor unread.
  const stops = pages.flatMap((page) => {
    const at = page.LastEvaluatedKey?.GSI1SK;
    return typeof at === 'string' ? [at.slice(prefix.length)] : [];
  });
  const boundary = stops.sort(byPosition)[0];
  const merged = pages
    .flatMap((page) => (page.Items ?? []).map(stripKeys))
    .filter((task) => boundary === undefined || byPosition(positionOf(task), boundary) <= 0)
    .sort((a, b) => byPosition(positionOf(a), positionOf(b)));
  const tasks = merged.slice(0, query.limit);
  const last = tasks.at(-1);
  // More than a page read: go on after its last task; otherwise after the boundary, if a partition has more.
  const next = merged.length > query.limit && last ? positionOf(last) : boundary;
  return { tasks, ...(next ? { next } : {}) };
}

const positionOf = (task: StaffTask) => staffTaskPosition(task.dueAt, task.taskId);
/** DynamoDB's order of string sort keys (code units, not the locale's collation). */
const byPosition = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function stripKeys(item: Record<string, unknown>): StaffTask {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI3PK: _g3, GSI3SK: _g3s, ...task } = item;
  return task as unknown as StaffTask;
}

/**
 * CLAIMED also for a repeat by the same person; TAKEN: someone else holds it; CLOSED: no longer open; WORN: claimed
 * and released so often that its history is full (MAX_HISTORY_FOR_CLAIMS).
 */
export type ClaimResult = 'CLAIMED' | 'TAKEN' | 'CLOSED' | 'WORN';

/**
 * A task's history entries beyond which it cannot be claimed again: claim/release cycles must not grow the item towards
 * DynamoDB's 400 KB (with 100 notes of 2 KB), where every write of it, its decision included, would fail.
 */
export const MAX_HISTORY_FOR_CLAIMS = 300;

/**
 * Makes the person the task's owner, while it is open and nobody else holds it (of two people claiming at once, one
 * wins), putting it in their list; with its audit record, in one transaction.
 */
async function claimStaffTask(
  table: TableRef,
  task: StaffTask,
  owner: { actor: string; name: string },
  now: Date,
  audit: AuditEvent,
): Promise<ClaimResult> {
  const at = now.toISOString();
  const written = await transactWithAudit(table, audit, now, {
    Key: keys.staffTask(task.clinicId, task.taskId),
    UpdateExpression:
      'SET #owner = :owner, ownerName = :name, claimedAt = :at, GSI3PK = :ownerIndex, GSI3SK = GSI1SK, history = list_append(history, :event)',
    // A claim by the owner again writes nothing (no history growing on repeats); claims and releases are bounded too.
    ConditionExpression: '#status = :open AND attribute_not_exists(#owner) AND size(history) < :maxHistory',
    ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
    ExpressionAttributeValues: {
      ':owner': owner.actor,
      ':name': owner.name,
      ':at': at,
      ':open': 'OPEN',
      ':maxHistory': MAX_HISTORY_FOR_CLAIMS,
      ':ownerIndex': keys.staffTaskOwnerIndex(task.clinicId, owner.actor).GSI3PK,
      ':event': [{ at, by: owner.actor, event: 'claimed' } satisfies StaffTaskEvent],
    },
  });
  if (written) return 'CLAIMED';
  const current = await getStaffTask(table, task.clinicId, task.taskId);
  if (current?.status !== 'OPEN') return 'CLOSED';
  if (current.owner === owner.actor) return 'CLAIMED';
  return current.owner ? 'TAKEN' : 'WORN';
}

/** RELEASED also when nobody holds it any more; NOT_OWNER: someone else holds it (and `anyOwner` was not given). */
export type ReleaseResult = 'RELEASED' | 'NOT_OWNER';

/** Gives the task back to its queue: by its owner, or by anyone when `anyOwner` (an admin reassigning work). */
async function releaseStaffTask(
  table: TableRef,
  task: StaffTask,
  by: string,
  anyOwner: boolean,
  now: Date,
  audit: AuditEvent,
): Promise<ReleaseResult> {
  const at = now.toISOString();
  const written = await transactWithAudit(table, audit, now, {
    Key: keys.staffTask(task.clinicId, task.taskId),
    UpdateExpression: 'SET history = list_append(history, :event) REMOVE #owner, ownerName, claimedAt, GSI3PK, GSI3SK',
    ConditionExpression: anyOwner ? 'attribute_exists(#owner)' : '#owner = :by',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: {
      ...(anyOwner ? {} : { ':by': by }),
      ':event': [{ at, by, event: 'released' } satisfies StaffTaskEvent],
    },
  });
  if (written) return 'RELEASED';
  const current = await getStaffTask(table, task.clinicId, task.taskId);
  return current?.owner === undefined ? 'RELEASED' : 'NOT_OWNER';
}

/** How many notes a task keeps: far more than a task needs, far below DynamoDB's 400 KB item. */
export const MAX_NOTES_PER_TASK = 100;

/** Appends a note (in any status: a colleague may add what happened after the decision). False when the task is full. */
async function addStaffTaskNote(table: TableRef, task: StaffTask, note: StaffTaskNote, now: Date, audit: AuditEvent): Promise<boolean> {
  return transactWithAudit(table, audit, now, {
    Key: keys.staffTask(task.clinicId, task.taskId),
    UpdateExpression: 'SET notes = list_append(if_not_exists(notes, :none), :note), history = list_append(history, :event)',
    ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(notes) OR size(notes) < :max)',
    ExpressionAttributeValues: {
      ':none': [],
      ':note': [note],
      ':max': MAX_NOTES_PER_TASK,
      ':event': [{ at: note.at, by: note.by, event: 'noted' } satisfies StaffTaskEvent],
    },
  });
}

/** Attempts of a task update that meets a concurrent transaction on the task (DynamoDB's TransactionConflict). */
const CONFLICT_ATTEMPTS = 3;

/**
 * One conditional update of a task with its audit record; false when the update's condition failed. A concurrent
 * transaction on the task (another claim, a decision) cancels it as TransactionConflict: it is sent again, a few times,
 * and then answers by its condition like any other write.
 */
async function transactWithAudit(
  table: TableRef,
  audit: AuditEvent,
  now: Date,
  update: {
    Key: Record<string, string>;
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  },
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await table.client.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: { TableName: table.tableName, ...update } }, auditPut(table.tableName, audit, now)],
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
      if (!reasons.some((reason) => reason.Code === 'TransactionConflict') || attempt === CONFLICT_ATTEMPTS) throw error;
    }
  }
}

/**
 * Closes a triage slip with its clinical disposition, with the audit record, while it is open (and, with `claimedBy`,
 * unclaimed or theirs). False when it was not (someone else closed or claimed it meanwhile).
 */
async function recordDisposition(
  table: TableRef,
  task: StaffTask,
  disposition: NonNullable<StaffTask['disposition']>,
  audit: AuditEvent,
  claimedBy: string | undefined,
): Promise<boolean> {
  const change = statusChange(task, 'DECIDED', { at: disposition.disposedAt, by: disposition.disposedBy, event: 'disposed' });
  return transactWithAudit(table, audit, new Date(disposition.disposedAt), {
    Key: keys.staffTask(task.clinicId, task.taskId),
    UpdateExpression: `SET ${change.set}, disposition = :disposition`,
    ConditionExpression: [
      '#status = :open',
      '#kind = :triage',
      ...(claimedBy ? ['(attribute_not_exists(#owner) OR #owner = :claimedBy)'] : []),
    ].join(' AND '),
    ExpressionAttributeNames: { '#status': 'status', '#kind': 'kind', ...(claimedBy ? { '#owner': 'owner' } : {}) },
    ExpressionAttributeValues: {
      ...change.values,
      ':open': 'OPEN',
      ':triage': 'TRIAGE',
      ':disposition': disposition,
      ...(claimedBy ? { ':claimedBy': claimedBy } : {}),
    },
  });
}

/** What the escalation (and the ops view) reads of a task: its state and routing, nothing of the patient's. */
export type EscalationState = Pick<StaffTask, 'clinicId' | 'taskId' | 'status' | 'stage' | 'queue' | 'priority' | 'dueAt' | 'escalatedAt'>;

async function escalationState(table: TableRef, clinicId: string, taskId: string): Promise<EscalationState | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.staffTask(clinicId, taskId),
      ProjectionExpression: 'clinicId, taskId, #status, stage, #queue, priority, dueAt, escalatedAt',
      ExpressionAttributeNames: { '#status': 'status', '#queue': 'queue' },
      ConsistentRead: true,
    }),
  );
  return Item as EscalationState | undefined;
}

/** Records the escalation once, while the task is still open; false when it was escalated already or closed meanwhile. */
async function markEscalated(table: TableRef, task: EscalationState, by: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.staffTask(task.clinicId, task.taskId),
        UpdateExpression: 'SET escalatedAt = :at, history = list_append(history, :event)',
        ConditionExpression: '#status = :open AND attribute_not_exists(escalatedAt)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': at, ':open': 'OPEN', ':event': [{ at, by, event: 'escalated' } satisfies StaffTaskEvent] },
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
  /** `unclaimedOnly`: not a task someone has claimed (a withdrawal the system makes). */
  expireIfOpen(clinicId: string, taskId: string, by: string, now: Date, options?: { unclaimedOnly?: boolean }): Promise<boolean>;
  /** Opens again a task `withdrawnBy` expired last; true when this call did (reopenWithdrawn). */
  reopenWithdrawn(clinicId: string, taskId: string, withdrawnBy: string, by: string, now: Date): Promise<boolean>;
  /** Records a decision (and resumes the journey's record) atomically; see recordDecision. */
  recordDecision(
    task: StaffTask,
    decision: NonNullable<StaffTask['decision']>,
    stage: StageState | undefined,
    audit: AuditEvent,
    /** Only while the task is unclaimed or claimed by this person (a decider who is not an admin). */
    claimedBy?: string,
  ): Promise<RecordDecisionResult>;
  /** Undoes a decision that could not be carried out; false when something moved on meanwhile. */
  reopenDecided(task: StaffTask, action: StaffDecision['action'], by: string, now: Date): Promise<boolean>;
  /** An existing task still needs its alert: none recorded, and nobody has dealt with the task yet. */
  alertPending(task: StaffTask): Promise<boolean>;
  /** Records the first alert's time. */
  markAlerted(task: StaffTask, now: Date): Promise<void>;
  /** A page of a clinic's tasks, most due first (listStaffTasks). */
  list(query: StaffTaskQuery): Promise<StaffTaskPage>;
  /** Makes the person the owner of an open task nobody else holds, with its audit record. */
  claim(task: StaffTask, owner: { actor: string; name: string }, now: Date, audit: AuditEvent): Promise<ClaimResult>;
  /** Gives a claimed task back to its queue (its owner, or anyone when `anyOwner`), with its audit record. */
  release(task: StaffTask, by: string, anyOwner: boolean, now: Date, audit: AuditEvent): Promise<ReleaseResult>;
  /** Appends a note, with its audit record; false when the task holds MAX_NOTES_PER_TASK already. */
  addNote(task: StaffTask, note: StaffTaskNote, now: Date, audit: AuditEvent): Promise<boolean>;
  /** Closes a triage slip with its clinical disposition and audit record; false when it is no longer open (or claimed). */
  recordDisposition(
    task: StaffTask,
    disposition: NonNullable<StaffTask['disposition']>,
    audit: AuditEvent,
    claimedBy: string | undefined,
  ): Promise<boolean>;
  /** The task's state and routing, without its reason or notes (strongly consistent). */
  escalationState(clinicId: string, taskId: string): Promise<EscalationState | undefined>;
  /** Records the escalation once, while the task is open; false otherwise. */
  markEscalated(task: EscalationState, by: string, now: Date): Promise<boolean>;
}

/** The DynamoDB adapter of the staff task store. */
export function dynamoStaffTaskStore(table: TableRef): StaffTaskStore {
  return {
    get: (clinicId, taskId) => getStaffTask(table, clinicId, taskId),
    open: (task) => openStaffTask(table, task),
    refreshToken: (clinicId, taskId, taskToken) => refreshTaskToken(table, clinicId, taskId, taskToken),
    expireIfOpen: (clinicId, taskId, by, now, options) => expireIfOpen(table, clinicId, taskId, by, now, options),
    reopenWithdrawn: (clinicId, taskId, withdrawnBy, by, now) => reopenWithdrawn(table, clinicId, taskId, withdrawnBy, by, now),
    recordDecision: (task, decision, stage, audit, claimedBy) => recordDecision(table, task, decision, stage, audit, claimedBy),
    reopenDecided: (task, action, by, now) => reopenDecidedTask(table, task, action, by, now),
    alertPending: (task) => alertPending(table, task),
    markAlerted: (task, now) => markAlerted(table, task, now),
    list: (query) => listStaffTasks(table, query),
    claim: (task, owner, now, audit) => claimStaffTask(table, task, owner, now, audit),
    release: (task, by, anyOwner, now, audit) => releaseStaffTask(table, task, by, anyOwner, now, audit),
    addNote: (task, note, now, audit) => addStaffTaskNote(table, task, note, now, audit),
    recordDisposition: (task, disposition, audit, claimedBy) => recordDisposition(table, task, disposition, audit, claimedBy),
    escalationState: (clinicId, taskId) => escalationState(table, clinicId, taskId),
    markEscalated: (task, by, now) => markEscalated(table, task, by, now),
  };
}
