import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { recordAudit } from '#shared/audit.ts';
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
import { expireTask, getStaffTask, recordDecision, reopenTask } from './staff-task-store.ts';

type Event = APIGatewayProxyEventV2 & { requestContext: { authorizer?: { lambda?: { clinicId?: string; keyId?: string } } } };

/** Step Functions' answers meaning "this token can never be used again": the journey is no longer waiting on it. */
const DEAD_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export interface DecideStaffTaskDeps {
  table: TableRef;
  sfn: SFNClient;
  now?: () => Date;
}

/**
 * POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision: a person decides what happens to a parked journey.
 * The decision is recorded (conditionally: one decision per task) before the journey is resumed with the task token;
 * a triage slip, which holds no journey, is simply closed.
 */
export function makeDecideStaffTask(deps: DecideStaffTaskDeps) {
  return middy<Event, HttpResponse>()
    .use(httpErrors())
    .handler(async (event) => {
      const { clinicId, keyId } = authorizedClinic(event);
      const body = parseJsonBody(event, StaffDecisionBodySchema, { maxBytes: 4096 });
      const now = deps.now?.() ?? new Date();
      const task = await getStaffTask(deps.table, clinicId, event.pathParameters?.taskId ?? '');
      if (!task) throw HttpError.withMessage(404, 'Staff task not found');
      if (task.status !== 'OPEN') throw HttpError.withMessage(409, `Staff task is already ${task.status.toLowerCase()}`);

      const allowed = allowedActions(task);
      if (!allowed.includes(body.action))
        throw HttpError.withMessage(409, `${body.action} is not possible for this task; choose ${allowed.join(' or ')}`);

      const at = now.toISOString();
      const decision = { action: body.action, decidedBy: `api-key:${keyId}`, decidedAt: at, ...(body.note ? { note: body.note } : {}) };
      const recorded = await recordDecision(deps.table, task, decision, stageAfterDecision(task.stage, body.action, at));
      if (recorded === 'ALREADY_DECIDED') throw HttpError.withMessage(409, 'Staff task was decided by someone else');
      if (recorded === 'JOURNEY_NOT_WAITING') {
        await expireTask(deps.table, task, at, false);
        throw HttpError.withMessage(409, 'The journey is no longer waiting on this task');
      }

      if (task.taskToken) {
        const output: StaffDecision = { action: body.action };
        try {
          await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify(output) }));
        } catch (error) {
          const name = (error as Error).name;
          if (DEAD_TOKEN_ERRORS.has(name)) {
            await expireTask(deps.table, task, at, true);
            throw HttpError.withMessage(409, 'The journey is no longer waiting on this task');
          }
          // Perhaps passing (throttling, network): put things back so the decision can be sent again.
          await reopenTask(deps.table, task, at);
          throw error;
        }
      }
      await recordAudit(
        deps.table,
        { clinicId, actor: `api-key:${keyId}`, action: 'staffTask.decide', journeyId: task.journeyId, outcome: 'success' },
        now,
      );
      log.info('Staff task decided', { clinicId, journeyId: task.journeyId, taskId: task.taskId, outcome: body.action });
      const response: StaffDecisionRecorded = { taskId: task.taskId, journeyId: task.journeyId, action: body.action, status: 'DECIDED' };
      return json(200, response);
    });
}

export const handler = makeDecideStaffTask({ table: { client: dynamo, tableName: requireEnv('tableName') }, sfn });
