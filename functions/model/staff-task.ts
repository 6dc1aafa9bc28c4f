import type { Checkpoint, StaffDecision, StageName } from '#contract/journey-workflow.ts';
import {
  type ContactCategory,
  DEFAULT_SERVICE_LEVELS,
  type ServiceLevels,
  type StaffQueue,
  type TaskPriority,
  type TriageDisposition,
} from '#contract/staff-queues.ts';
import { idDigest } from './id-digest.ts';

/** Work that needs a person (FHIR Task-like): why, for which journey and stage, and the token that resumes it. */
export interface StaffTask {
  type: 'StaffTask';
  clinicId: string;
  taskId: string;
  /** The journey it is about: every task but a logged contact about no journey. */
  journeyId?: string;
  /** Whose: the audit records of the task's readers and workers name the patient (absent: a contact about no patient). */
  patientId?: string;
  /**
   * TRIAGE slips are informational (no token). STAGE_BLOCKED tasks hold a parked journey (with its token).
   * EXECUTION_STOPPED tasks hold a journey whose execution ended unsuccessfully (failed, timed out or aborted):
   * RETRY redrives the execution from where it stopped. CONTACT tasks are logged calls, messages and walk-in questions
   * to deal with (POST …/contacts), about a patient or not; PROCEED marks one handled. RESCHEDULE tasks are booked
   * visits a calendar change (new hours, time off, a block, a closure) left outside the time the clinic works: someone
   * moves or cancels the visit with the patient, then PROCEED marks the task handled. COVERAGE_CHANGED tasks are booked
   * visits whose coverage, checked again before the visit, no longer reads as it did (inactive, a new plan, other cost
   * sharing): someone sorts it out with the patient before they arrive, then PROCEED. PRIOR_AUTHORIZATION tasks are
   * booked visits whose approval ran out before the visit (it moved, or the approval was short): someone asks the payer
   * again and records it on the visit's authorization, then PROCEED.
   */
  kind: StaffTaskKind;
  /** The journey's stage the task is about; a contact's is none. */
  stage?: StageName;
  /** RESCHEDULE: the visit to move; COVERAGE_CHANGED: the visit whose coverage changed; PRIOR_AUTHORIZATION: the visit to authorize. */
  appointmentId?: string;
  /** CONTACT: what was logged (the summary is free text: shown to the queue's people in the task, audited). */
  contact?: LoggedContact;
  reason: string;
  status: StaffTaskStatus;
  createdAt: string;
  /** The queue whose people work it (routeStaffTask), how urgent it is, and when it is due (the clinic's service level). */
  queue: StaffQueue;
  priority: TaskPriority;
  dueAt: string;
  /** Who claimed it (`user:<sub>`) and their username, for the list; absent while nobody has. */
  owner?: string;
  ownerName?: string;
  /** Colleagues' notes, oldest first: free text, so read only by people who work the task's queue. */
  notes?: StaffTaskNote[];
  /** What happened to the task and who did it, oldest first. */
  history: StaffTaskEvent[];
  /** When its overdue alert went out to the queue's lead (once). */
  escalatedAt?: string;
  /** Step Functions task token; present only while a journey waits on this task. */
  taskToken?: string;
  /** STAGE_BLOCKED: where the journey's stages stopped; the decision resumes them there. */
  checkpoint?: Checkpoint;
  /** EXECUTION_STOPPED: the execution a RETRY redrives. */
  executionArn?: string;
  decision?: StaffDecision & { decidedBy: string; decidedAt: string; note?: string };
  /** TRIAGE: how a clinician closed the slip, with their note. */
  disposition?: { code: TriageDisposition; note: string; disposedBy: string; disposedAt: string };
}

/** An inbound contact as logged: who, how, about what, how urgent, and the summary. */
export interface LoggedContact {
  contactId: string;
  channel: 'call' | 'voicemail' | 'portal-message' | 'walk-in';
  from: { kind: 'patient' | 'family' | 'other-office' | 'payer'; name?: string; phone?: string };
  category: ContactCategory;
  urgency: 'routine' | 'soon' | 'urgent';
  summary: string;
  loggedBy: string;
  loggedAt: string;
  /** A hash of the body as logged: a repeat under the same Idempotency-Key must be the same contact. */
  bodyHash: string;
}

export const STAFF_TASK_KINDS = [
  'TRIAGE',
  'STAGE_BLOCKED',
  'EXECUTION_STOPPED',
  'CONTACT',
  'RESCHEDULE',
  'COVERAGE_CHANGED',
  'PRIOR_AUTHORIZATION',
] as const;
export type StaffTaskKind = (typeof STAFF_TASK_KINDS)[number];
/** Tasks that hold no journey: deciding one (PROCEED) marks it handled and resumes nothing. */
export const isStandaloneTask = (task: Pick<StaffTask, 'kind'>) =>
  task.kind === 'CONTACT' || task.kind === 'RESCHEDULE' || task.kind === 'COVERAGE_CHANGED' || task.kind === 'PRIOR_AUTHORIZATION';

export const STAFF_TASK_STATUSES = ['OPEN', 'DECIDED', 'EXPIRED'] as const;
export type StaffTaskStatus = (typeof STAFF_TASK_STATUSES)[number];

export interface StaffTaskNote {
  at: string;
  by: string;
  text: string;
}

export interface StaffTaskEvent {
  at: string;
  /** `user:<sub>` for a person, `function:<name>` for the system. */
  by: string;
  event: 'opened' | 'claimed' | 'released' | 'noted' | 'decided' | 'disposed' | 'reopened' | 'expired' | 'escalated';
}

/** A task as its creator describes it; routing, due time and history are added when it is opened (openStaffTask). */
export type StaffTaskDraft = Omit<StaffTask, 'type' | 'status' | 'createdAt' | 'queue' | 'priority' | 'dueAt' | 'history'> & {
  /** TRIAGE: how urgent the screening found it (the slip's priority). */
  triageLevel?: 'URGENT' | 'EMERGENT';
  /** A parked SCHEDULING stage or a RESCHEDULE: the queue of the appointment type's department, where the clinic routes it (catalog). */
  departmentQueue?: StaffQueue;
  /** CONTACT: the queue the clinic's routing gives its category. */
  contactQueue?: StaffQueue;
};

/** Where a parked stage's task goes: the people who work that stage. */
export const STAGE_QUEUE: Readonly<Record<StageName, StaffQueue>> = {
  INTAKE: 'front-desk',
  ELIGIBILITY: 'eligibility',
  SCHEDULING: 'scheduling',
  PAYMENT: 'billing',
  CONFIRMATION: 'front-desk',
};

/**
 * The queue and priority of a task. A triage slip goes to clinical triage, urgent when the screening found an
 * emergent answer; a stopped execution (a failure no business rule explains) to ops; a parked stage to the people of
 * that stage (a scheduling problem to its department's queue where the clinic routes one), high, since a patient waits
 * for their booking or confirmation meanwhile.
 */
export function routeStaffTask(
  task: Pick<StaffTaskDraft, 'kind' | 'stage' | 'triageLevel' | 'departmentQueue' | 'contactQueue' | 'contact'> & { taskId?: string },
): { queue: StaffQueue; priority: TaskPriority } {
  if (task.kind === 'TRIAGE') return { queue: 'clinical-triage', priority: task.triageLevel === 'EMERGENT' ? 'urgent' : 'high' };
  if (task.kind === 'EXECUTION_STOPPED') return { queue: 'ops', priority: 'high' };
  if (task.kind === 'CONTACT')
    return { queue: task.contactQueue ?? 'front-desk', priority: CONTACT_PRIORITY[task.contact?.urgency ?? 'routine'] };
  if (task.kind === 'RESCHEDULE') return { queue: task.departmentQueue ?? 'scheduling', priority: 'high' };
  if (task.kind === 'COVERAGE_CHANGED') return { queue: 'eligibility', priority: 'high' };
  if (task.kind === 'PRIOR_AUTHORIZATION') return { queue: 'radiology', priority: 'high' };
  if (task.stage === 'SCHEDULING' && task.departmentQueue) return { queue: task.departmentQueue, priority: 'high' };
  return { queue: STAGE_QUEUE[stageOfTask(task)], priority: 'high' };
}

/** How soon a contact is dealt with, by the urgency it was logged with. */
const CONTACT_PRIORITY: Readonly<Record<LoggedContact['urgency'], TaskPriority>> = { urgent: 'urgent', soon: 'high', routine: 'normal' };

/** The stage a journey's task is about; every task but a contact has one. */
export function stageOfTask(task: Pick<StaffTask, 'stage'> & { taskId?: string }): StageName {
  if (!task.stage) throw new Error(`Staff task ${task.taskId ?? ''} is about no stage`);
  return task.stage;
}

/** The clinic's service levels: its own where it set them, the defaults elsewhere. */
export function serviceLevelsOf(clinicLevels: Partial<ServiceLevels> | undefined): ServiceLevels {
  const set = Object.entries(clinicLevels ?? {}).filter(([, minutes]) => minutes !== undefined);
  return { ...DEFAULT_SERVICE_LEVELS, ...Object.fromEntries(set) };
}

/** The task as it is opened: routed, due by the clinic's service level, its history started by `by`. */
export function openedStaffTask(draft: StaffTaskDraft, levels: ServiceLevels, by: string, now: Date): StaffTask {
  const { triageLevel: _, departmentQueue: __, contactQueue: ___, ...fields } = draft;
  const { queue, priority } = routeStaffTask(draft);
  const createdAt = now.toISOString();
  return {
    type: 'StaffTask',
    ...fields,
    status: 'OPEN',
    createdAt,
    queue,
    priority,
    dueAt: new Date(now.getTime() + levels[priority] * 60_000).toISOString(),
    history: [{ at: createdAt, by, event: 'opened' }],
  };
}

/** Open past its due time. */
export const isOverdue = (task: Pick<StaffTask, 'status' | 'dueAt'>, now: Date) => task.status === 'OPEN' && task.dueAt < now.toISOString();

/**
 * Deterministic task ID from what makes the task unique (the task token, or journey + stage for a triage slip), so a
 * retried invocation finds the task it already opened instead of opening a second one.
 */
export function staffTaskId(uniqueBy: string): string {
  return `st-${idDigest(20, uniqueBy)}`;
}

/** The task that holds a journey whose execution stopped (a failure, time-out or abort), per run of the execution. */
export const stoppedExecutionTaskId = (executionArn: string, redriveCount: number) => staffTaskId(`${executionArn}#${redriveCount}`);

/** A journey's triage slip: one per journey, whatever retries of the screening open it. */
export const triageSlipId = (clinicId: string, journeyId: string) => staffTaskId(`${clinicId}#${journeyId}#TRIAGE`);

/**
 * The reason a journey waits at intake as a possible duplicate: the same for every one, naming nobody (the journey's
 * stages are shown to the clinic's form system too); the task's detail shows staff the other patient. It also marks
 * the hold: such a task is settled by merging or keeping apart, then RETRY, never PROCEED (staff-decision.ts).
 */
export const POSSIBLE_DUPLICATE_REASON =
  'Possible duplicate: the name and birth date match another patient whose contact details or insurance differ. ' +
  'Compare them, merge or keep apart (POST …/journeys/{journeyId}/duplicate-resolution), then retry.';

/** The journey a task holds or is about; one that names none is a logged contact, which holds no journey. */
export function journeyOfTask(task: Pick<StaffTask, 'clinicId' | 'taskId' | 'journeyId'>): { clinicId: string; journeyId: string } {
  if (!task.journeyId) throw new Error(`Staff task ${task.taskId} is about no journey`);
  return { clinicId: task.clinicId, journeyId: task.journeyId };
}
