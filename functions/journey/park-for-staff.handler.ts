import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type ParkForStaffRequest, type StaffDecision, TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import type { StageState } from '#model/journey.ts';
import { dynamo, sfn, sns } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { openTaskAndAlert, type StaffAlertPort } from '#shared/staff-alerts.ts';
import { getStaffTask, refreshTaskToken, staffTaskId } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';
import { parkReason } from './park-reason.ts';

export interface ParkForStaffDeps {
  table: TableRef;
  alerts: StaffAlertPort;
  sfn: SFNClient;
  now?: () => Date;
}

/**
 * Invoked with .waitForTaskToken: marks the journey WAITING_FOR_STAFF, opens a staff task holding the token and
 * alerts staff. It returns without resuming anything — the journey resumes when a person decides
 * (decide-staff-task.handler.ts sends the token back). Safe to retry: a retry (which Step Functions gives a new
 * token) updates the task it opened instead of opening another, and the alert is sent again only if it never went out.
 *
 * One park answers itself: when the execution stopped here (e.g. DynamoDB was unreachable while parking) and staff
 * chose RETRY on the stopped execution, the redrive comes back to this state. Staff have decided already, so the park
 * carries out their RETRY at once instead of asking again with a reason that no longer holds; if the stage fails
 * again, the next park asks with its fresh reason.
 */
export function makeParkForStaff(deps: ParkForStaffDeps) {
  return async (request: ParkForStaffRequest): Promise<{ taskId: string }> => {
    const now = deps.now?.() ?? new Date();
    // The park is the stage's newest attempt: a stage call that timed out but still runs can no longer write.
    const journey = await beginAttempt(deps.table, request, { parking: true });

    const current = journey.stages[request.stage];
    if (await staffRetriedStopHere(request.clinicId, current)) {
      const retry: StaffDecision = { action: 'RETRY' };
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify(retry) }));
      // The decision is carried out once: dropping the task from the stage means a later park asks staff again.
      await updateStage(deps.table, journey, request.stage, { status: 'IN_PROGRESS', reason: 'Retried by staff.' }, now);
      log.info('Stopped journey retried as staff decided', {
        clinicId: request.clinicId,
        journeyId: request.journeyId,
        stage: request.stage,
      });
      return { taskId: current?.staffTaskId ?? '' };
    }
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
        { table: deps.table, alerts: deps.alerts },
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

  /** The stage still carries the staff RETRY of a stopped execution: the redrive has not run the stage since. */
  async function staffRetriedStopHere(clinicId: string, current: StageState | undefined): Promise<boolean> {
    if (current?.status !== 'IN_PROGRESS' || !current.staffTaskId) return false;
    const task = await getStaffTask(deps.table, clinicId, current.staffTaskId);
    return task?.kind === 'EXECUTION_STOPPED' && task.status === 'DECIDED' && task.decision?.action === 'RETRY';
  }
}

export const handler = withTransientAwsErrors(
  makeParkForStaff({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
    sfn,
  }),
);
