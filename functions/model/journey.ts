/** The journey as the product holds it: the read model staff see, and the rules of its attempts. */
import type { JourneyRef, JourneyStatus, StageName, StageStatus } from '#contract/journey-workflow.ts';

export interface StageState {
  status: StageStatus;
  /** ISO time of the last change. */
  at: string;
  /** Why the stage is waiting or failed, in words staff can act on; never PHI. */
  reason?: string;
  /** The open staff task when the stage waits for a person (POST staff-tasks/{taskId}/decision resumes it). */
  staffTaskId?: string;
}

/** The booked appointment as scheduling describes it (no clinical details): what the appointment item holds. */
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

/**
 * What the journey keeps of its appointment: what the front desk sees (GET journey) and the confirmation says, and no
 * more, as every stage's write pays for the journey item's every byte (the appointment item keeps the rest: type, IDs,
 * resources). The appointment's ID is `appointmentIdOf(journeyId)` unless scheduling ever gives another.
 */
export interface JourneyAppointment {
  appointmentId: string;
  /** Set when staff cancelled the appointment while the journey ran: no charge and no confirmation follow. */
  status?: 'CANCELLED';
  start: string;
  end: string;
  timeZone: string;
  location: { name: string; address: string };
  department: { name: string };
  provider: { name: string };
  resource?: { name: string };
}

/** A journey's appointment ID: deterministic, so a retried booking can only ever find, never duplicate, the booking. */
export const appointmentIdOf = (journeyId: string) => `appt-${journeyId}`;

/** The journey's copy of a booked appointment: names and times only. */
export function journeyAppointment(appointment: AppointmentSummary): JourneyAppointment {
  const { appointmentId, start, end, timeZone, location, department, provider, resource } = appointment;
  return {
    appointmentId,
    start,
    end,
    timeZone,
    location: { name: location.name, address: location.address },
    department: { name: department.name },
    provider: { name: provider.name },
    ...(resource ? { resource: { name: resource.name } } : {}),
  };
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
  appointment?: JourneyAppointment;
  amounts: Amounts;
  /**
   * The fence of the task attempt that may write the journey now: every task claims the next number when it starts
   * (beginAttempt), and its writes hold only while the number is still its own. A parked, redriven or finished journey
   * has moved the fence on, so a task that timed out but still runs can never write over a newer state.
   */
  attempt: number;
}

/** A journey as one task attempt holds it: what it writes must carry the attempt it claimed. */
export type JourneyAttempt = JourneyRef & { attempt: number };

/** A newer attempt (a retry, a park, the journey's end) has claimed the journey: this attempt's result is void. */
export class StaleAttemptError extends Error {
  override name = 'StaleAttempt';
}

/**
 * The journey has ended (completed, cancelled or failed): a task of a run replayed after the end (an Express run
 * delivered twice, a redrive) has nothing to do. Not retried; JourneyStages ends such a run quietly (JourneyAlreadyEnded).
 */
export class JourneyEndedError extends Error {
  override name = 'JourneyEnded';
}

export const ENDED_JOURNEY_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** The journey a task was started for does not exist: no retry can help. */
export class JourneyNotFoundError extends Error {
  override name = 'JourneyNotFound';
}

export const STAGES: readonly StageName[] = ['INTAKE', 'ELIGIBILITY', 'SCHEDULING', 'PAYMENT', 'CONFIRMATION'];

/** The stage the journey is in: the first one neither completed nor skipped (the stages run in order; the last once all are). */
export function currentStage(journey: Pick<JourneyRecord, 'stages'>): StageName {
  return STAGES.find((stage) => !['COMPLETED', 'SKIPPED'].includes(journey.stages[stage]?.status ?? 'PENDING')) ?? 'CONFIRMATION';
}

export function newJourneyRecord(ref: JourneyRef & { submissionId: string; patientId: string }, now: Date): JourneyRecord {
  const at = now.toISOString();
  return {
    ...ref,
    type: 'Journey',
    status: 'RUNNING',
    createdAt: at,
    updatedAt: at,
    amounts: { currency: 'USD' },
    attempt: 0,
    stages: Object.fromEntries(STAGES.map((s) => [s, { status: s === 'INTAKE' ? 'IN_PROGRESS' : 'PENDING', at }])) as Record<
      StageName,
      StageState
    >,
  };
}

/**
 * The stage a journey is at: the one waiting for staff, else the one that failed, else the one in progress; else, while
 * the journey is open, the next to run. None once the journey ended with every stage done or skipped.
 */
export function currentStageOf(journey: Pick<JourneyRecord, 'status' | 'stages'>): StageName | undefined {
  const open = !ENDED_JOURNEY_STATUSES.has(journey.status);
  for (const status of ['WAITING_FOR_STAFF', 'FAILED', 'IN_PROGRESS', ...(open ? ['PENDING'] : [])]) {
    const stage = STAGES.find((name) => journey.stages[name].status === status);
    if (stage) return stage;
  }
  return undefined;
}

/**
 * How long a journey spent in each stage it completed, in milliseconds, from its start and each stage's last change:
 * a stage's time runs from the end of the stage before it (or the start) to its own completion, waits for staff
 * included. A skipped stage took no time of its own.
 */
export function timeInStages(journey: Pick<JourneyRecord, 'createdAt' | 'stages'>): Partial<Record<StageName, number>> {
  const times: Partial<Record<StageName, number>> = {};
  let since = Date.parse(journey.createdAt);
  for (const stage of STAGES) {
    const { status, at } = journey.stages[stage];
    if (status === 'COMPLETED') times[stage] = Math.max(0, Date.parse(at) - since);
    if (status === 'COMPLETED' || status === 'SKIPPED') since = Math.max(since, Date.parse(at));
  }
  return times;
}
