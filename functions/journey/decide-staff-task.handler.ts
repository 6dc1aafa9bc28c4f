import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamo, sfn } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { StaffDecisionBodySchema, type StaffDecisionRecorded } from '#shared/http/staff-decision-schema.ts';
import type { StaffDecision } from '#shared/journey-contract.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import { allowedActions, stageAfterDecision } from './staff-decision.ts';
import { expireTask, getStaffTask, recordDecision, type StaffTask } from './staff-task-store.ts';

type Event = APIGatewayProxyEventV2 & { requestContext: { authorizer?: { lambda?: { clinicId?: string; keyId?: string } } } };

/** Step Functions' answers meaning "this token can never be used again". */
const DEAD_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export interface DecideStaffTaskDeps {
  table: TableRef;
  sfn: SFNClient;
  now?: () => Date;
}

/**
 * POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision: a person decides what happens to a parked journey.
 * The decision is recorded first (one per task, only while the journey waits on this very task), then the journey is
 * resumed with the task token. Sending the same decision again is safe: it resends the token, and a token Step
 * Functions no longer knows then means the first send got through. A triage slip, which holds no journey, is closed.
 */
export function makeDecideStaffTask(deps: DecideStaffTaskDeps) {
  /** Sends the decision; false when Step Functions no longer knows the token and nothing says it was ever delivered. */
  async function resume(task: StaffTask, action: StaffDecision['action'], resend: boolean): Promise<boolean> {
    if (!task.taskToken) return true;
    const output: StaffDecision = { action };
    try {
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
      if (!DEAD_TOKEN_ERRORS.has((error as Error).name)) {
        // Unknown outcome (throttling, network): the decision stands; the caller sends it again.
        log.warn('Journey not resumed yet', {
          clinicId: task.clinicId,
          journeyId: task.journeyId,
          taskId: task.taskId,
          errorName: (error as Error).name,
        });
        throw HttpError.withMessage(
          503,
          'The decision is recorded but the journey could not be resumed just now: send the same decision again',
        );
      }
      // A dead token after an earlier send (the SDK's retry, or the caller's) means that send got through.
      return resend || attempts > 1;
    }
  }

  return middy<Event, HttpResponse>()
    .use(httpErrors())
    .handler(async (event) => {
      const { clinicId, keyId } = authorizedClinic(event);
      const body = parseJsonBody(event, StaffDecisionBodySchema, { maxBytes: 4096 });
      const now = deps.now?.() ?? new Date();
      const at = now.toISOString();
      const task = await getStaffTask(deps.table, clinicId, event.pathParameters?.taskId ?? '');
      if (!task) throw HttpError.withMessage(404, 'Staff task not found');
      const decided: StaffDecisionRecorded = { taskId: task.taskId, journeyId: task.journeyId, action: body.action, status: 'DECIDED' };

      if (task.status === 'DECIDED' && task.decision?.action === body.action) {
        await resume(task, body.action, true);
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
      if (recorded === 'ALREADY_DECIDED')
        throw HttpError.withMessage(409, 'Staff task was decided by someone else, or changed: read it again');
      if (recorded === 'JOURNEY_NOT_WAITING') {
        await expireTask(deps.table, task, at, false);
        throw HttpError.withMessage(409, 'The journey is no longer waiting on this task');
      }
      if (!(await resume(task, body.action, false))) {
        await expireTask(deps.table, task, at, true);
        throw HttpError.withMessage(409, 'The journey is no longer waiting on this task');
      }
      log.info('Staff task decided', { clinicId, journeyId: task.journeyId, taskId: task.taskId, outcome: body.action });
      return json(200, decided);
    });
}

export const handler = makeDecideStaffTask({ table: { client: dynamo, tableName: requireEnv('tableName') }, sfn });
