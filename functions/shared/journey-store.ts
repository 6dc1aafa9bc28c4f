import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { clockNow } from '#contract/clock.ts';
import type { JourneyRef, JourneyStatus, StageName, StageStatus } from '#contract/journey-workflow.ts';
import {
  type Amounts,
  appointmentIdOf,
  ENDED_JOURNEY_STATUSES,
  type JourneyAppointment,
  type JourneyAttempt,
  JourneyEndedError,
  JourneyNotFoundError,
  type JourneyRecord,
  type StageState,
  StaleAttemptError,
} from '#model/journey.ts';
import { keys } from './keys.ts';
import { batchGetItems, conditionHeld, type TableRef } from './table.ts';

/**
 * The journey item as stored (keys.journey). Every stage's claim and write is billed on the item's size in whole KB,
 * so it keeps nothing its key or a rule already says: no `clinicId`, `journeyId` or `type` (the key holds them), and
 * no appointment ID when it is the journey's own (appointmentIdOf). `journeyOfItem` puts them back.
 */
export function journeyItem(journey: JourneyRecord): Record<string, unknown> {
  const { clinicId, journeyId, type: _type, appointment, ...stored } = journey;
  return {
    ...keys.journey(clinicId, journeyId),
    ...keys.journeysByStatus(clinicId, journey.status),
    ...stored,
    ...(appointment ? { appointment: storedAppointment(journeyId, appointment) } : {}),
  };
}

/** The index key a status write sets with `status` (keys.journeysByStatus), as an update's names and values. */
export function statusIndexSet(clinicId: string, status: JourneyStatus) {
  return { set: 'GSI4PK = :statusIndex', values: { ':statusIndex': keys.journeysByStatus(clinicId, status).GSI4PK } };
}

/** The appointment as the journey item keeps it: without its ID when that is the journey's own. */
function storedAppointment(journeyId: string, appointment: JourneyAppointment): Partial<JourneyAppointment> {
  const { appointmentId, ...rest } = appointment;
  return appointmentId === appointmentIdOf(journeyId) ? rest : appointment;
}

/** The journey record from its stored item (journeyItem), or from an item stored whole, as journeys were before. */
function journeyOfItem(ref: JourneyRef, item: Record<string, unknown>): JourneyRecord {
  const { PK: _pk, SK: _sk, GSI4PK: _status, ...journey } = item;
  const appointment = journey.appointment as Partial<JourneyAppointment> | undefined;
  return {
    ...(journey as Omit<JourneyRecord, 'clinicId' | 'journeyId' | 'type'>),
    type: 'Journey',
    clinicId: ref.clinicId,
    journeyId: ref.journeyId,
    ...(appointment ? { appointment: { appointmentId: appointmentIdOf(ref.journeyId), ...appointment } as JourneyAppointment } : {}),
  };
}

/** `consistent` for tasks that decide from the journey's latest state (a retry must see its first attempt's write). */
async function getJourney(table: TableRef, ref: JourneyRef, options: { consistent?: boolean } = {}): Promise<JourneyRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.journey(ref.clinicId, ref.journeyId),
      ConsistentRead: options.consistent ?? false,
    }),
  );
  return Item ? journeyOfItem(ref, Item) : undefined;
}

/**
 * Claims the journey for the calling task attempt and returns it as of the claim (a strongly consistent read, so a
 * retry sees its first attempt's writes). Every later write of the attempt passes the returned record (or its
 * `attempt`) to updateStage, which refuses it once a newer attempt has claimed the journey.
 * Only a RUNNING journey can be claimed (a park may also claim one that already waits, to refresh its task): an
 * invocation that starts after its state timed out and the journey parked is refused with StaleAttempt, one that
 * starts after the journey ended with JourneyEnded; neither can write over what came after it.
 */
async function beginAttempt(table: TableRef, ref: JourneyRef, options: { parking?: boolean } = {}): Promise<JourneyRecord> {
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(ref.clinicId, ref.journeyId),
        UpdateExpression: 'ADD attempt :one',
        ConditionExpression: options.parking ? '#status IN (:running, :waiting)' : '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':running': 'RUNNING',
          ...(options.parking ? { ':waiting': 'WAITING_FOR_STAFF' } : {}),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (!Attributes) throw new JourneyNotFoundError(`Journey ${ref.journeyId} not found`);
    return journeyOfItem(ref, Attributes);
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    // The item as it was (still in DynamoDB's attribute-value form: only its presence and status are read).
    const old = (error as { Item?: { status?: { S?: string } } }).Item;
    if (!old) throw new JourneyNotFoundError(`Journey ${ref.journeyId} not found`);
    if (ENDED_JOURNEY_STATUSES.has(old.status?.S ?? '')) throw new JourneyEndedError(`Journey ${ref.journeyId} has ended`);
    throw new StaleAttemptError(`Journey ${ref.journeyId} is no longer running: this task attempt is void`);
  }
}

export interface StageUpdate {
  status: StageStatus;
  reason?: string;
  staffTaskId?: string;
  /** Overall journey status to set alongside (e.g. WAITING_FOR_STAFF when a stage parks). */
  journeyStatus?: JourneyStatus;
  appointment?: JourneyAppointment;
  /** Sets only the fields given, so eligibility's dueCents and payment's paidCents never overwrite each other. */
  amounts?: Partial<Pick<Amounts, 'dueCents' | 'paidCents'>>;
  /** Takes back an estimate an earlier check gave (a check that gives none). */
  clearDueCents?: true;
}

/**
 * Records a stage's new status on the journey item, for the attempt that claimed it (beginAttempt). Idempotent:
 * repeating the same update leaves the same item. Throws StaleAttemptError when a newer attempt holds the journey
 * (or the journey does not exist), so a late writer never clobbers a newer state.
 */
async function updateStage(table: TableRef, ref: JourneyAttempt, stage: StageName, update: StageUpdate, now = clockNow()): Promise<void> {
  const at = now.toISOString();
  const sets = ['stages.#stage = :stage', 'updatedAt = :at'];
  const values: Record<string, unknown> = {
    ':stage': {
      status: update.status,
      at,
      ...(update.reason ? { reason: update.reason } : {}),
      ...(update.staffTaskId ? { staffTaskId: update.staffTaskId } : {}),
    },
    ':at': at,
  };
  const names: Record<string, string> = { '#stage': stage, '#attempt': 'attempt' };
  values[':attempt'] = ref.attempt;
  if (update.journeyStatus) {
    const index = statusIndexSet(ref.clinicId, update.journeyStatus);
    sets.push('#status = :status', index.set);
    names['#status'] = 'status';
    values[':status'] = update.journeyStatus;
    Object.assign(values, index.values);
  }
  if (update.appointment) {
    sets.push('appointment = :appointment');
    values[':appointment'] = storedAppointment(ref.journeyId, update.appointment);
  }
  for (const [field, value] of Object.entries(update.amounts ?? {})) {
    sets.push(`amounts.${field} = :${field}`);
    values[`:${field}`] = value;
  }
  const held = await conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(ref.clinicId, ref.journeyId),
        UpdateExpression: `SET ${sets.join(', ')}${update.clearDueCents ? ' REMOVE amounts.dueCents' : ''}`,
        ConditionExpression: '#attempt = :attempt',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
  if (!held) throw new StaleAttemptError(`Journey ${ref.journeyId}: attempt ${ref.attempt} is no longer current`);
}

/** How a close went (closeJourney). */
export type CloseOutcome = 'CLOSED' | 'ALREADY_CLOSED' | 'ENDED_OTHERWISE';

/**
 * Records how the journey ended, in one conditional update: the final status, the stages that will not run (or
 * stopped), and — when its appointment was released — no appointment in the view any more. `ALREADY_CLOSED` for a
 * repeat of the same end (only the fence moves); `ENDED_OTHERWISE` when the journey had already ended otherwise (e.g. a
 * staff CANCEL of a stopped execution racing its redrive): that end stands. A missing journey also fails the
 * condition: a stray task never creates a half-empty journey.
 */
async function closeJourney(table: TableRef, ref: JourneyRef, close: JourneyEnd, now: Date): Promise<CloseOutcome> {
  const index = statusIndexSet(ref.clinicId, close.status);
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ...index.values,
    ':status': close.status,
    ':at': now.toISOString(),
    ':running': 'RUNNING',
    ':waiting': 'WAITING_FOR_STAFF',
  };
  const sets = ['#status = :status', index.set, 'updatedAt = :at'];
  values[':one'] = 1;
  for (const [stage, state] of Object.entries(close.stages)) {
    names[`#${stage}`] = stage;
    values[`:${stage}`] = state;
    sets.push(`stages.#${stage} = :${stage}`);
  }
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(ref.clinicId, ref.journeyId),
        // The end moves the fence on: no task attempt still running can write after it.
        UpdateExpression: `SET ${sets.join(', ')} ADD attempt :one${close.removeAppointment ? ' REMOVE appointment' : ''}`,
        // Only an open journey closes; closing it again with the same outcome is a no-op, another outcome is refused.
        ConditionExpression: 'attribute_exists(PK) AND (#status IN (:running, :waiting) OR #status = :status)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Attributes?.status === close.status ? 'ALREADY_CLOSED' : 'CLOSED';
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return 'ENDED_OTHERWISE';
    throw error;
  }
}

/**
 * Holds an open journey whose execution stopped (failed, timed out or aborted) for staff: WAITING_FOR_STAFF with the
 * stage it stopped in pointing at the new staff task. Moves the fence on, so nothing the stopped execution left
 * running can write after it. False when the journey had already ended: that end stands.
 */
async function holdStoppedJourney(table: TableRef, ref: JourneyRef, stage: StageName, state: StageState, now: Date): Promise<boolean> {
  const index = statusIndexSet(ref.clinicId, 'WAITING_FOR_STAFF');
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(ref.clinicId, ref.journeyId),
        UpdateExpression: `SET #status = :waiting, ${index.set}, updatedAt = :at, stages.#stage = :stage ADD attempt :one`,
        ConditionExpression: '#status IN (:running, :waiting)',
        ExpressionAttributeNames: { '#status': 'status', '#stage': stage },
        ExpressionAttributeValues: {
          ...index.values,
          ':waiting': 'WAITING_FOR_STAFF',
          ':running': 'RUNNING',
          ':at': now.toISOString(),
          ':stage': state,
          ':one': 1,
        },
      }),
    ),
  );
}

/** Which journeys: a clinic's, of some statuses, started in a window, after a position (`<createdAt>#<journeyId>`). */
export interface JourneyListQuery {
  clinicId: string;
  statuses: readonly JourneyStatus[];
  /** ISO times (milliseconds, Z): started at or after `from`, before `to`. */
  from: string;
  to: string;
  after?: string;
  limit: number;
}

export interface JourneyPage {
  journeys: JourneyRecord[];
  /** The position of the page's last journey, when more follow. */
  next?: string;
}

/**
 * A page of journeys by start, oldest first: GSI4 (keys only) for each status asked, merged by position
 * (`<createdAt>#<journeyId>`: a journey has one, whatever its status, so one cursor continues all), then one BatchGet
 * of the page's items. A journey whose status changed between the two reads is left out of this page (it is listed
 * under its new status). Reads about (limit + 1) × statuses keys and `limit` items.
 */
async function listJourneys(table: TableRef, query: JourneyListQuery): Promise<JourneyPage> {
  const after = query.after && query.after >= query.from ? query.after : undefined;
  // A cursor at or past the window's end (a page of another window's): nothing left, and DynamoDB refuses the range.
  if (after !== undefined && after >= query.to) return { journeys: [] };
  const entries = await Promise.all(query.statuses.map((status) => positionsAfter(table, query, status, after)));
  // A journey whose status changed between the queries (or while the index catches up) can be under two statuses.
  const unique = new Map(entries.flat().map((entry) => [entry.position, entry]));
  const merged = [...unique.values()].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const page = merged.slice(0, query.limit);
  const items = await batchGetItems(
    table,
    page.map((entry) => entry.key),
  );
  const journeys = items.flatMap((item) => {
    const journey = journeyOfItem(refOfKey(String(item.PK), query.clinicId), item);
    return query.statuses.includes(journey.status) ? [journey] : [];
  });
  const last = page.at(-1);
  return { journeys, ...(merged.length > query.limit && last ? { next: last.position } : {}) };
}

/**
 * The first `limit + 1` positions of one status after the cursor, and every other journey started in the same
 * millisecond as the last of them: journeys that share a start are in no set order in the index, so a page that cut
 * through them could pass one by. The cursor's own millisecond is read again and what is not after it left out.
 */
async function positionsAfter(table: TableRef, query: JourneyListQuery, status: JourneyStatus, after: string | undefined) {
  const found: Array<{ position: string; key: { PK: string; SK: string } }> = [];
  let boundary: string | undefined;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'GSI4',
        KeyConditionExpression: 'GSI4PK = :status AND createdAt BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':status': keys.journeysByStatus(query.clinicId, status).GSI4PK,
          ':from': after ? after.slice(0, after.indexOf('#')) : query.from,
          // `to` is exclusive; ISO times of one form compare as text, a millisecond at a time.
          ':to': new Date(Date.parse(query.to) - 1).toISOString(),
        },
        Limit: query.limit + 1,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const createdAt = String(item.createdAt);
      if (boundary !== undefined && createdAt > boundary) return found;
      const position = `${createdAt}#${refOfKey(String(item.PK), query.clinicId).journeyId}`;
      if (after !== undefined && position <= after) continue;
      found.push({ position, key: { PK: String(item.PK), SK: String(item.SK) } });
      if (found.length === query.limit + 1) boundary = createdAt;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/** The journey's reference from its partition key (keys.journey): `CLINIC#<c>#JOURNEY#<journeyId>`. */
const refOfKey = (pk: string, clinicId: string): JourneyRef => ({ clinicId, journeyId: pk.slice(pk.lastIndexOf('#') + 1) });

/** How a journey ends (closeJourney). */
export interface JourneyEnd {
  status: Extract<JourneyStatus, 'COMPLETED' | 'CANCELLED' | 'FAILED'>;
  stages: Partial<Record<StageName, StageState>>;
  removeAppointment: boolean;
}

/**
 * The journey item's port (keys.journey): the read model staff see. Stage tasks write it only through the attempt they
 * claimed, so a late writer can never overwrite a newer state.
 */
export interface JourneyStore {
  /** `consistent` for callers that decide from the journey's latest state. */
  get(ref: JourneyRef, options?: { consistent?: boolean }): Promise<JourneyRecord | undefined>;
  /** The journey, or JourneyNotFoundError (a route answers it 404, a task fails without retry). */
  require(ref: JourneyRef, options?: { consistent?: boolean }): Promise<JourneyRecord>;
  /** Claims the journey for a task attempt (beginAttempt); `parking` lets a park claim a journey that already waits. */
  beginAttempt(ref: JourneyRef, options?: { parking?: boolean }): Promise<JourneyRecord>;
  /** Records a stage's new state for the claimed attempt; StaleAttemptError once a newer attempt holds the journey. */
  updateStage(attempt: JourneyAttempt, stage: StageName, update: StageUpdate, now: Date): Promise<void>;
  /** Records how the journey ended (closeJourney): closed now, closed so before, or ended otherwise (that end stands). */
  close(ref: JourneyRef, end: JourneyEnd, now: Date): Promise<CloseOutcome>;
  /** Holds an open journey whose execution stopped for staff; false when it had already ended. */
  holdStopped(ref: JourneyRef, stage: StageName, state: StageState, now: Date): Promise<boolean>;
  /** A page of the clinic's journeys of some statuses, by start (listJourneys). */
  list(query: JourneyListQuery): Promise<JourneyPage>;
  /**
   * Sets the patient's estimated share to a re-check's (none: nothing is charged automatically) while the journey has
   * not begun to collect it (its PAYMENT stage pending, e.g. a visit waiting for its authorization); later, what was
   * charged stands against the estimate it was charged on, and the re-check's task tells the desk. No attempt fence: a
   * re-check comes after the eligibility stage, the only other writer of the estimate.
   */
  reviseEstimate(ref: JourneyRef, dueCents: number | undefined, now: Date): Promise<void>;
}

/** The DynamoDB adapter of the journey store. */
export function dynamoJourneyStore(table: TableRef): JourneyStore {
  return {
    get: (ref, options) => getJourney(table, ref, options),
    async require(ref, options) {
      const journey = await getJourney(table, ref, options);
      if (!journey) throw new JourneyNotFoundError(`Journey ${ref.journeyId} not found`);
      return journey;
    },
    beginAttempt: (ref, options) => beginAttempt(table, ref, options),
    updateStage: (attempt, stage, update, now) => updateStage(table, attempt, stage, update, now),
    close: (ref, end, now) => closeJourney(table, ref, end, now),
    list: (query) => listJourneys(table, query),
    holdStopped: (ref, stage, state, now) => holdStoppedJourney(table, ref, stage, state, now),
    reviseEstimate: async (ref, dueCents, now) => {
      await conditionHeld(
        table.client.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: keys.journey(ref.clinicId, ref.journeyId),
            UpdateExpression:
              dueCents === undefined ? 'REMOVE amounts.dueCents SET updatedAt = :at' : 'SET amounts.dueCents = :due, updatedAt = :at',
            ConditionExpression: 'stages.PAYMENT.#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':at': now.toISOString(),
              ':pending': 'PENDING',
              ...(dueCents === undefined ? {} : { ':due': dueCents }),
            },
          }),
        ),
      );
    },
  };
}
