import type { StaffDecisionBody, StaffDecisionRecorded } from '#contract/api/staff-decision-schema.ts';
import { STAGE_CHECKPOINT, type StaffDecision } from '#contract/journey-workflow.ts';
import type { StaffRole } from '#contract/staff-roles.ts';
import { allowedActions, stageAfterDecision, worksTask } from '#model/staff-decision.ts';
import { isStandaloneTask, journeyOfTask, type StaffTask, stageOfTask } from '#model/staff-task.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { log } from '#shared/observability.ts';
import { type EscalationSchedulePort, scheduleEscalation } from '#shared/staff-alerts.ts';
import { type EndJourneyDeps, endJourney } from './end-journey.ts';
import type { JourneyEngine } from './journey-engine-port.ts';

export interface DecideStaffTaskDeps extends EndJourneyDeps {
  /** Resumes a parked execution, redrives a stopped one. */
  engine: JourneyEngine;
  /** A reopened task's escalation, when its first schedule has run meanwhile. */
  escalations: EscalationSchedulePort;
  now: () => Date;
}

/** A person's decision on a staff task, as the route received it. */
export interface StaffDecisionRequest extends StaffDecisionBody {
  clinicId: string;
  taskId: string;
  /** Who decided (`user:<sub>`), for the task and the audit trail. */
  actor: string;
  /** Their roles at the clinic: the task must be one they may decide (rolesForTask). */
  roles: readonly StaffRole[];
  /** The route it came through, for the audit trail. */
  via?: string;
  /**
   * The decision carries out what the task waited for (an approval recorded on its prior-authorization case), so a
   * colleague's claim on the task does not hold it back, as an admin's decision would not be.
   */
  settlesClaim?: true;
}

type Action = StaffDecision['action'];

/** Rounds of read-then-decide when concurrent requests contend for the same task. */
const MAX_ROUNDS = 3;
const ACTOR = 'function:decideStaffTask';

/**
 * A person decides what happens to a parked journey. The decision is recorded first (one per task, only while the
 * journey waits on this very task), then carried out: the task token resumes a parked execution, a redrive restarts a
 * stopped one, a CANCEL of a stopped one ends the journey here. Sending the same decision again answers it again and
 * carries it out again (harmless: a token answers once, a running execution is not redriven); a different decision, or
 * one on a task the journey no longer waits on, is refused (409). This never writes the journey's end from a failed
 * delivery: when the execution has ended, its status-change event converges the journey (record-execution-outcome.ts).
 */
export async function decideStaffTask(deps: DecideStaffTaskDeps, request: StaffDecisionRequest): Promise<StaffDecisionRecorded> {
  const { clinicId, taskId, actor, action } = request;
  const now = deps.now();
  const at = now.toISOString();

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const task = await deps.tasks.get(clinicId, taskId);
    if (!task) throw HttpError.withMessage(404, 'Staff task not found');
    if (!worksTask(task, request.roles)) throw HttpError.withMessage(403, 'Forbidden');
    const decided: StaffDecisionRecorded = {
      taskId: task.taskId,
      ...(task.journeyId ? { journeyId: task.journeyId } : {}),
      action,
      status: 'DECIDED',
    };

    if (task.status === 'DECIDED' && task.decision?.action === action) {
      await assertStillApplies(deps, task);
      await carryOut(deps, task, action, now);
      return decided;
    }
    if (task.status !== 'OPEN') throw HttpError.withMessage(409, `Staff task is already ${task.status.toLowerCase()}`);
    // A claim is the owner's: colleagues leave it to them (or release it first); an admin may step in, and so may the
    // event the task waited for.
    const overridesClaim = request.roles.includes('admin') || request.settlesClaim === true;
    if (task.owner && task.owner !== actor && !overridesClaim)
      throw HttpError.withMessage(409, `${task.ownerName ?? 'A colleague'} has claimed this task: only they or an admin may decide it`);
    if (task.kind === 'TRIAGE')
      throw HttpError.withMessage(409, 'A triage slip is closed with a clinical disposition (POST …/disposition), not a decision');
    const allowed = allowedActions(task);
    if (!allowed.includes(action))
      throw HttpError.withMessage(409, `${action} is not possible for this task; choose ${allowed.join(' or ')}`);

    const decision = { action, decidedBy: actor, decidedAt: at, ...(request.note ? { note: request.note } : {}) };
    const audit = {
      clinicId,
      actor,
      action: 'staffTask.decide',
      journeyId: task.journeyId,
      patientId: task.patientId,
      ...(request.via ? { via: request.via } : {}),
      outcome: 'success',
    } as const;
    const recorded = await deps.tasks.recordDecision(
      task,
      decision,
      stageAfterDecision(task, action, at),
      audit,
      overridesClaim ? undefined : actor,
    );
    // Someone decided, or the park was retried with a new token, between our read and our write: read again.
    if (recorded === 'ALREADY_DECIDED' || recorded === 'CONFLICT') continue;
    if (recorded === 'JOURNEY_NOT_WAITING') {
      await deps.tasks.expireIfOpen(clinicId, task.taskId, actor, now);
      throw HttpError.withMessage(409, 'The journey is no longer waiting on this task');
    }
    await carryOut(deps, task, action, now);
    log.info('Staff task decided', { ...taskFields(task), outcome: action });
    return decided;
  }
  throw HttpError.withMessage(409, 'Staff task keeps changing: read it again');
}

/** A repeat stands only while the journey has not moved on to wait on another task. */
async function assertStillApplies(deps: DecideStaffTaskDeps, task: StaffTask): Promise<void> {
  if (task.kind === 'TRIAGE' || isStandaloneTask(task)) return;
  const journey = await deps.journeys.get(journeyOfTask(task), { consistent: true });
  const waitingOn =
    journey?.status === 'WAITING_FOR_STAFF' ? Object.values(journey.stages).find((s) => s.status === 'WAITING_FOR_STAFF') : undefined;
  if (waitingOn && waitingOn.staffTaskId !== task.taskId)
    throw HttpError.withMessage(409, 'The journey has moved on and now waits on another task');
}

async function carryOut(deps: DecideStaffTaskDeps, task: StaffTask, action: Action, now: Date): Promise<void> {
  if (task.kind !== 'EXECUTION_STOPPED') return resume(deps, task, action);
  if (action === 'RETRY') return redrive(deps, task, now);
  await endJourney(deps, { ...journeyOfTask(task), outcome: 'CANCELLED' }, ACTOR, now);
}

/** Answers the parked execution's token with the decision at the task's checkpoint; a triage slip holds none. */
async function resume(deps: DecideStaffTaskDeps, task: StaffTask, action: Action): Promise<void> {
  if (!task.taskToken) return;
  const checkpoint = task.checkpoint ?? STAGE_CHECKPOINT[stageOfTask(task)];
  const answer = await deps.engine.resume(task.taskToken, { action, checkpoint }).catch((error: unknown) => {
    throw notResumed('STANDS', task, error);
  });
  // Delivered already (a repeat of this decision got there first) or the execution ended, which its event reports.
  if (answer === 'TOKEN_GONE') log.info('Task token no longer waiting', taskFields(task));
}

/**
 * RETRY of a stopped execution: redrive it; one that can no longer be redriven (14 days on AWS) ends FAILED. A redrive
 * that fails for a reason that may pass is undone (the task reopened, the journey waiting on it again), so the journey
 * never says RUNNING while its execution stays stopped.
 */
async function redrive(deps: DecideStaffTaskDeps, task: StaffTask, now: Date): Promise<void> {
  const { executionArn } = task;
  if (!executionArn) throw new Error(`Staff task ${task.taskId} names no execution`);
  const answer = await deps.engine.redrive(executionArn).catch(async (error: unknown) => {
    const reopened = await deps.tasks.reopenDecided(task, 'RETRY', ACTOR, now).catch(() => false);
    // Open again: its lead hears of it when due, or in a minute if it is overdue (its first schedule may have run while
    // it was decided; a schedule of that name that has not run yet is left be).
    if (reopened) await scheduleEscalation(deps, { ...task, dueAt: laterOf(task.dueAt, new Date(now.getTime() + 60_000).toISOString()) });
    throw notResumed(reopened ? 'UNDONE' : 'STANDS', task, error);
  });
  if (answer === 'REDRIVEN') return;
  const { status } = await deps.engine.describe(executionArn);
  if (status === 'RUNNING') return; // a repeat of this decision redrove it already
  log.warn('Execution can no longer be redriven', taskFields(task));
  await endJourney(deps, { ...journeyOfTask(task), outcome: 'FAILED' }, ACTOR, now);
}

const NOT_RESUMED = {
  /** The decision could not be carried out and was undone: the task is open again, to be decided again. */
  UNDONE: {
    log: 'Decision undone: the journey could not be resumed',
    answer: 'The journey could not be resumed just now; the task is open again: send the decision again',
  },
  /** Unknown outcome (throttling, network): the decision stands; sending the same decision again carries it out. */
  STANDS: {
    log: 'Journey not resumed yet',
    answer: 'The decision is recorded but the journey could not be resumed just now: send the same decision again',
  },
} as const;

/** The 503 for a decision the engine did not take, saying whether it still stands. */
function notResumed(decision: keyof typeof NOT_RESUMED, task: StaffTask, error: unknown): HttpError {
  log.warn(NOT_RESUMED[decision].log, { ...taskFields(task), errorName: (error as Error).name });
  return HttpError.withMessage(503, NOT_RESUMED[decision].answer);
}

const taskFields = (task: StaffTask) => ({ clinicId: task.clinicId, journeyId: task.journeyId, taskId: task.taskId });

const laterOf = (a: string, b: string) => (a > b ? a : b);
