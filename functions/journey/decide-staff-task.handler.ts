import { DescribeExecutionCommand, RedriveExecutionCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { StaffDecisionBodySchema, type StaffDecisionRecorded } from '#contract/api/staff-decision-schema.ts';
import type { StaffDecision } from '#contract/journey-workflow.ts';
import { dynamo, sfn } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { getJourney } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { expireIfOpen, getStaffTask, recordDecision, reopenDecidedTask, type StaffTask } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';
import { endJourney } from './end-journey.ts';
import { allowedActions, stageAfterDecision } from './staff-decision.ts';

type Event = APIGatewayProxyEventV2 & { requestContext: { authorizer?: { lambda?: { clinicId?: string; keyId?: string } } } };

/** Step Functions' answers meaning "this token can never be used again": it was answered, or its execution ended. */
const DEAD_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
/** Rounds of read-then-decide when concurrent requests contend for the same task. */
const MAX_ROUNDS = 3;

export interface DecideStaffTaskDeps {
  table: TableRef;
  sfn: SFNClient;
  now?: () => Date;
}

/**
 * POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision: a person decides what happens to a parked journey.
 * The decision is recorded first (one per task, only while the journey waits on this very task), then carried out:
 * the task token resumes a parked execution, a redrive restarts a stopped one, a CANCEL of a stopped one ends the
 * journey here. Sending the same decision again answers 200 and carries it out again (harmless: a token answers once,
 * a running execution is not redriven); a different decision, or one on a task the journey no longer waits on,
 * answers 409. This handler never writes the journey's end from a failed delivery: when the execution has ended,
 * its status-change event converges the journey (record-execution-outcome.handler.ts).
 */
export function makeDecideStaffTask(deps: DecideStaffTaskDeps) {
  async function sendToken(task: StaffTask, action: StaffDecision['action']): Promise<void> {
    if (!task.taskToken) return;
    const output: StaffDecision = { action };
    try {
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      // Delivered already (a repeat of this decision got there first) or the execution ended, which its event reports.
      if (DEAD_TOKEN_ERRORS.has((error as Error).name)) {
        log.info('Task token no longer waiting', { clinicId: task.clinicId, journeyId: task.journeyId, taskId: task.taskId });
        return;
      }
      throw resumeLater(task, error);
    }
  }

  /**
   * RETRY of a stopped execution: redrive it; one that can no longer be redriven (14 days on AWS) ends FAILED. A redrive
   * that fails for a reason that may pass is undone (the task reopened, the journey waiting on it again), so the journey
   * never says RUNNING while its execution stays stopped.
   */
  async function redrive(task: StaffTask, now: Date): Promise<void> {
    if (!task.executionArn) throw new Error(`Staff task ${task.taskId} names no execution`);
    try {
      await deps.sfn.send(new RedriveExecutionCommand({ executionArn: task.executionArn }));
      return;
    } catch (error) {
      if ((error as Error).name !== 'ExecutionNotRedrivable') {
        const reopened = await reopenDecidedTask(deps.table, task, 'RETRY', now).catch(() => false);
        throw reopened ? notCarriedOut(task, error) : resumeLater(task, error);
      }
    }
    const { status } = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: task.executionArn }));
    if (status === 'RUNNING') return; // a repeat of this decision redrove it already
    log.warn('Execution can no longer be redriven', { clinicId: task.clinicId, journeyId: task.journeyId, taskId: task.taskId });
    await endJourney(
      deps.table,
      { clinicId: task.clinicId, journeyId: task.journeyId, outcome: 'FAILED' },
      'function:decideStaffTask',
      now,
    );
  }

  async function carryOut(task: StaffTask, action: StaffDecision['action'], now: Date): Promise<void> {
    if (task.kind !== 'EXECUTION_STOPPED') return sendToken(task, action);
    if (action === 'RETRY') return redrive(task, now);
    await endJourney(
      deps.table,
      { clinicId: task.clinicId, journeyId: task.journeyId, outcome: 'CANCELLED' },
      'function:decideStaffTask',
      now,
    );
  }

  /** A repeat stands only while the journey has not moved on to wait on another task. */
  async function assertStillApplies(task: StaffTask): Promise<void> {
    if (task.kind === 'TRIAGE') return;
    const journey = await getJourney(deps.table, task, { consistent: true });
    const waitingOn =
      journey?.status === 'WAITING_FOR_STAFF' ? Object.values(journey.stages).find((s) => s.status === 'WAITING_FOR_STAFF') : undefined;
    if (waitingOn && waitingOn.staffTaskId !== task.taskId)
      throw HttpError.withMessage(409, 'The journey has moved on and now waits on another task');
  }

  return middy<Event, HttpResponse>()
    .use(httpErrors())
    .handler(async (event) => {
      const { clinicId, keyId } = authorizedClinic(event);
      const { taskId } = pathIds(event, ['taskId']);
      const body = parseJsonBody(event, StaffDecisionBodySchema, { maxBytes: 4096 });
      const now = deps.now?.() ?? new Date();
      const at = now.toISOString();

      for (let round = 1; round <= MAX_ROUNDS; round++) {
        const task = await getStaffTask(deps.table, clinicId, taskId);
        if (!task) throw HttpError.withMessage(404, 'Staff task not found');
        const decided: StaffDecisionRecorded = { taskId: task.taskId, journeyId: task.journeyId, action: body.action, status: 'DECIDED' };

        if (task.status === 'DECIDED' && task.decision?.action === body.action) {
          await assertStillApplies(task);
          await carryOut(task, body.action, now);
          return json(200, decided);
        }
        if (task.status !== 'OPEN') throw HttpError.withMessage(409, `Staff task is already ${task.status.toLowerCase()}`);
        const allowed = allowedActions(task);
        if (!allowed.includes(body.action))
          throw HttpError.withMessage(409, `${body.action} is not possible for this task; choose ${allowed.join(' or ')}`);

        const decision = { action: body.action, decidedBy: `api-key:${keyId}`, decidedAt: at, ...(body.note ? { note: body.note } : {}) };
        const audit = {
          clinicId,
          actor: `api-key:${keyId}`,
          action: 'staffTask.decide',
          journeyId: task.journeyId,
          outcome: 'success',
        } as const;
        const recorded = await recordDecision(deps.table, task, decision, stageAfterDecision(task, body.action, at), audit);
        // Someone decided, or the park was retried with a new token, between our read and our write: read again.
        if (recorded === 'ALREADY_DECIDED' || recorded === 'CONFLICT') continue;
        if (recorded === 'JOURNEY_NOT_WAITING') {
          await expireIfOpen(deps.table, clinicId, task.taskId);
          throw HttpError.withMessage(409, 'The journey is no longer waiting on this task');
        }
        await carryOut(task, body.action, now);
        log.info('Staff task decided', { clinicId, journeyId: task.journeyId, taskId: task.taskId, outcome: body.action });
        return json(200, decided);
      }
      throw HttpError.withMessage(409, 'Staff task keeps changing: read it again');
    });
}

/** The decision could not be carried out and was undone: the task is open again, to be decided again. */
function notCarriedOut(task: StaffTask, error: unknown): HttpError {
  log.warn('Decision undone: the journey could not be resumed', {
    clinicId: task.clinicId,
    journeyId: task.journeyId,
    taskId: task.taskId,
    errorName: (error as Error).name,
  });
  return HttpError.withMessage(503, 'The journey could not be resumed just now; the task is open again: send the decision again');
}

/** Unknown outcome (throttling, network): the decision stands; sending the same decision again carries it out. */
function resumeLater(task: StaffTask, error: unknown): HttpError {
  log.warn('Journey not resumed yet', {
    clinicId: task.clinicId,
    journeyId: task.journeyId,
    taskId: task.taskId,
    errorName: (error as Error).name,
  });
  return HttpError.withMessage(503, 'The decision is recorded but the journey could not be resumed just now: send the same decision again');
}

export const handler = makeDecideStaffTask({ table: { client: dynamo, tableName: requireEnv('tableName') }, sfn });
