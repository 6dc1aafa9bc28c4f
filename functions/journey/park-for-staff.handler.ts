import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { recordAudit } from '#shared/audit.ts';
import { dynamo, sns } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import type { ParkForStaffRequest } from '#shared/journey-contract.ts';
import { getJourney, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import { parkReason } from './park-reason.ts';
import { openStaffTask, staffTaskId } from './staff-task-store.ts';

export interface ParkForStaffDeps {
  table: TableRef;
  sns: SNSClient;
  staffAlertsTopicArn: string;
  now?: () => Date;
}

/**
 * Invoked with .waitForTaskToken: opens a staff task holding the token, marks the journey WAITING_FOR_STAFF and
 * alerts staff. It returns without resuming anything — the journey resumes when a person decides
 * (decide-staff-task.handler.ts sends the token back). Safe to retry: the task ID derives from the token.
 */
export function makeParkForStaff(deps: ParkForStaffDeps) {
  return async (request: ParkForStaffRequest): Promise<{ taskId: string }> => {
    const now = deps.now?.() ?? new Date();
    const journey = await getJourney(deps.table, request);
    if (!journey) throw new Error(`Journey ${request.journeyId} not found`);

    const taskId = staffTaskId(request.taskToken);
    const reason = parkReason(request, journey.stages[request.stage]);
    const created = await openStaffTask(deps.table, {
      type: 'StaffTask',
      clinicId: request.clinicId,
      taskId,
      journeyId: request.journeyId,
      kind: 'STAGE_BLOCKED',
      stage: request.stage,
      reason,
      status: 'OPEN',
      createdAt: now.toISOString(),
      taskToken: request.taskToken,
    });
    await updateStage(
      deps.table,
      request,
      request.stage,
      { status: 'WAITING_FOR_STAFF', reason, staffTaskId: taskId, journeyStatus: 'WAITING_FOR_STAFF' },
      now,
    );
    if (created) {
      await recordAudit(
        deps.table,
        {
          clinicId: request.clinicId,
          actor: 'function:parkForStaff',
          action: 'staffTask.create',
          journeyId: request.journeyId,
          patientId: journey.patientId,
          outcome: 'success',
        },
        now,
      );
      await deps.sns.send(
        new PublishCommand({
          TopicArn: deps.staffAlertsTopicArn,
          Subject: `Journey needs staff: ${request.stage}`,
          // IDs only: alerts travel by email/SMS outside the encrypted store; the reason is read in the task itself.
          Message: JSON.stringify({
            kind: 'STAGE_BLOCKED',
            clinicId: request.clinicId,
            journeyId: request.journeyId,
            taskId,
            stage: request.stage,
          }),
          MessageAttributes: { clinicId: { DataType: 'String', StringValue: request.clinicId } },
        }),
      );
    }
    log.info('Journey parked for staff', { clinicId: request.clinicId, journeyId: request.journeyId, taskId, stage: request.stage });
    return { taskId };
  };
}

export const handler = makeParkForStaff({
  table: { client: dynamo, tableName: requireEnv('tableName') },
  sns,
  staffAlertsTopicArn: requireEnv('staffAlertsTopicArn'),
});
