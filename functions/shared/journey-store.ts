import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyRef, JourneyStatus, StageName, StageStatus } from './journey-contract.ts';
import { keys } from './keys.ts';
import { conditionHeld, type TableRef } from './table.ts';

export interface StageState {
  status: StageStatus;
  /** ISO time of the last change. */
  at: string;
  /** Why the stage is waiting or failed, in words staff can act on; never PHI. */
  reason?: string;
  /** The open staff task when the stage waits for a person (POST staff-tasks/{taskId}/decision resumes it). */
  staffTaskId?: string;
}

/** What the front desk sees about the booked appointment (no clinical details). */
export interface AppointmentSummary {
  appointmentId: string;
  appointmentType: string;
  start: string;
  end: string;
  timeZone: string;
  location: { id: string; name: string; address: string };
  department: { id: string; name: string };
  provider: { id: string; name: string };
  /** A bookable room or device (e.g. the MRI scanner) held alongside the provider. */
  resource?: { id: string; name: string };
}

export interface Amounts {
  currency: 'USD';
  /** What the patient owes for this visit, from the eligibility response (copay or estimate). */
  dueCents?: number;
  paidCents?: number;
}

/** The journey item (keys.journey): the read model of one patient journey. */
export interface JourneyRecord extends JourneyRef {
  type: 'Journey';
  submissionId: string;
  patientId: string;
  status: JourneyStatus;
  createdAt: string;
  updatedAt: string;
  stages: Record<StageName, StageState>;
  appointment?: AppointmentSummary;
  amounts: Amounts;
}

export const STAGES: readonly StageName[] = ['INTAKE', 'ELIGIBILITY', 'SCHEDULING', 'PAYMENT', 'CONFIRMATION'];

export function newJourneyRecord(ref: JourneyRef & { submissionId: string; patientId: string }, now: Date): JourneyRecord {
  const at = now.toISOString();
  return {
    ...ref,
    type: 'Journey',
    status: 'RUNNING',
    createdAt: at,
    updatedAt: at,
    amounts: { currency: 'USD' },
    stages: Object.fromEntries(STAGES.map((s) => [s, { status: s === 'INTAKE' ? 'IN_PROGRESS' : 'PENDING', at }])) as Record<
      StageName,
      StageState
    >,
  };
}

/** `consistent` for tasks that decide from the journey's latest state (a retry must see its first attempt's write). */
export async function getJourney(
  table: TableRef,
  ref: JourneyRef,
  options: { consistent?: boolean } = {},
): Promise<JourneyRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.journey(ref.clinicId, ref.journeyId),
      ConsistentRead: options.consistent ?? false,
    }),
  );
  return Item as JourneyRecord | undefined;
}

export interface StageUpdate {
  status: StageStatus;
  reason?: string;
  staffTaskId?: string;
  /** Overall journey status to set alongside (e.g. WAITING_FOR_STAFF when a stage parks). */
  journeyStatus?: JourneyStatus;
  appointment?: AppointmentSummary;
  /** Sets only the fields given, so eligibility's dueCents and payment's paidCents never overwrite each other. */
  amounts?: Partial<Pick<Amounts, 'dueCents' | 'paidCents'>>;
}

/**
 * Records a stage's new status on the journey item. Idempotent: repeating the same update leaves the same item.
 * Conditional on the journey existing, so a stray task can never create a half-empty journey.
 */
export async function updateStage(
  table: TableRef,
  ref: JourneyRef,
  stage: StageName,
  update: StageUpdate,
  now = new Date(),
): Promise<void> {
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
  const names: Record<string, string> = { '#stage': stage };
  if (update.journeyStatus) {
    sets.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = update.journeyStatus;
  }
  if (update.appointment) {
    sets.push('appointment = :appointment');
    values[':appointment'] = update.appointment;
  }
  for (const [field, value] of Object.entries(update.amounts ?? {})) {
    sets.push(`amounts.${field} = :${field}`);
    values[`:${field}`] = value;
  }
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.journey(ref.clinicId, ref.journeyId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Records how the journey ended, in one conditional update: the final status, the stages that will not run (or
 * stopped), and — when its appointment was released — no appointment in the view any more. Returns false when the
 * journey had already ended otherwise (e.g. FailJourney after a CompleteJourney that did commit): that end stands.
 * A missing journey also fails the condition: a stray task never creates a half-empty journey.
 */
export async function closeJourney(
  table: TableRef,
  ref: JourneyRef,
  close: {
    status: Extract<JourneyStatus, 'COMPLETED' | 'CANCELLED' | 'FAILED'>;
    stages: Partial<Record<StageName, StageState>>;
    removeAppointment: boolean;
  },
  now: Date,
): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':status': close.status,
    ':at': now.toISOString(),
    ':running': 'RUNNING',
    ':waiting': 'WAITING_FOR_STAFF',
  };
  const sets = ['#status = :status', 'updatedAt = :at'];
  for (const [stage, state] of Object.entries(close.stages)) {
    names[`#${stage}`] = stage;
    values[`:${stage}`] = state;
    sets.push(`stages.#${stage} = :${stage}`);
  }
  return conditionHeld(
    table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.journey(ref.clinicId, ref.journeyId),
        UpdateExpression: `SET ${sets.join(', ')}${close.removeAppointment ? ' REMOVE appointment' : ''}`,
        // Only an open journey closes; closing it again with the same outcome is a no-op, another outcome is refused.
        ConditionExpression: 'attribute_exists(PK) AND (#status IN (:running, :waiting) OR #status = :status)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
}
