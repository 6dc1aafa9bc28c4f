import type { SNSClient } from '@aws-sdk/client-sns';
import { dynamo, sns } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { type ParkForStaffRequest, TRANSIENT_ERRORS } from '#shared/journey-contract.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import { parkReason } from './park-reason.ts';
import { openTaskAndAlert } from './staff-alerts.ts';
import { refreshTaskToken, staffTaskId } from './staff-task-store.ts';

export interface ParkForStaffDeps {
  table: TableRef;
  sns: SNSClient;
  staffAlertsTopicArn: string;
  now?: () => Date;
}

/**
 * Invoked with .waitForTaskToken: marks the journey WAITING_FOR_STAFF, opens a staff task holding the token and
 * alerts staff. It returns without resuming anything — the journey resumes when a person decides
 * (decide-staff-task.handler.ts sends the token back). Safe to retry: a retry (which Step Functions gives a new
 * token) updates the task it opened instead of opening another, and the alert is sent again only if it never went out.
 */
export function makeParkForStaff(deps: ParkForStaffDeps) {
  return async (request: ParkForStaffRequest): Promise<{ taskId: string }> => {
    const now = deps.now?.() ?? new Date();
    // The park is the stage's newest attempt: a stage call that timed out but still runs can no longer write.
    const journey = await beginAttempt(deps.table, request);

    const current = journey.stages[request.stage];
    // A retried invocation of this same park carries a new token: keep the task staff already see, with that token.
    const parkedAlready =
      journey.status === 'WAITING_FOR_STAFF' &&
      current?.status === 'WAITING_FOR_STAFF' &&
      current.staffTaskId !== undefined &&
      (await refreshTaskToken(deps.table, request.clinicId, current.staffTaskId, request.taskToken));
    const taskId = parkedAlready && current.staffTaskId ? current.staffTaskId : staffTaskId(request.taskToken);
    const reason = parkedAlready && current.reason ? current.reason : parkReason(request, current);
    // Before the alert: a decision is accepted only while the journey is WAITING_FOR_STAFF.
    await updateStage(
      deps.table,
      journey,
      request.stage,
      { status: 'WAITING_FOR_STAFF', reason, staffTaskId: taskId, journeyStatus: 'WAITING_FOR_STAFF' },
      now,
    );
    try {
      await openTaskAndAlert(
        { table: deps.table, sns: deps.sns, topicArn: deps.staffAlertsTopicArn },
        {
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
        },
        {
          subject: `Journey needs staff: ${request.stage}`,
          message: { kind: 'STAGE_BLOCKED', clinicId: request.clinicId, journeyId: request.journeyId, taskId, stage: request.stage },
          attributes: { clinicId: request.clinicId },
        },
        { actor: 'function:parkForStaff', patientId: journey.patientId },
        now,
      );
    } catch (error) {
      // The journey already waits and the task is in the staff queue: an alert SNS would not take (after the SDK's own
      // retries) must not fail the journey. The task keeps no alertedAt, so any later park of it alerts again.
      if ((error as Error).name !== TRANSIENT_ERRORS.messagingUnavailable) throw error;
      log.error('Staff alert not sent; the task is in the queue', {
        clinicId: request.clinicId,
        journeyId: request.journeyId,
        taskId,
        errorName: (error as Error).name,
      });
    }
    log.info('Journey parked for staff', { clinicId: request.clinicId, journeyId: request.journeyId, taskId, stage: request.stage });
    return { taskId };
  };
}

export const handler = withTransientAwsErrors(
  makeParkForStaff({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    sns,
    staffAlertsTopicArn: requireEnv('staffAlertsTopicArn'),
  }),
);
