import type { JourneyRef } from '#contract/journey-workflow.ts';
import { dynamo, sns } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';
import { openTaskAndAlert, type StaffAlertPort } from '#shared/staff-alerts.ts';
import { staffTaskId } from '#shared/staff-task-store.ts';
import { readSubmission } from '#shared/submission-store.ts';
import type { TableRef } from '#shared/table.ts';
import { screenAnswers } from './triage.ts';

export interface ScreenIntakeDeps {
  table: TableRef;
  alerts: StaffAlertPort;
  now?: () => Date;
}

export interface ScreenIntakeResult {
  outcome: 'NO_RISK' | 'TRIAGE_ALERTED';
}

const ACTOR = 'function:screenIntake';

/**
 * First journey task: screens the answers and, when they show risk, opens a triage slip and alerts clinical staff.
 * The journey goes on either way (booking is not held up); the slip makes sure a clinician reviews the answers.
 * Safe to retry: the slip's ID derives from the journey, and the alert is sent again only if it never went out.
 */
export function makeScreenIntake(deps: ScreenIntakeDeps) {
  return async (ref: JourneyRef): Promise<ScreenIntakeResult> => {
    const now = deps.now?.() ?? new Date();
    const journey = await beginAttempt(deps.table, ref);
    const submission = await readSubmission(deps.table, journey, ACTOR, ['screening'], now);

    const triage = screenAnswers(submission.screening);
    if (triage.level !== 'NONE') {
      const taskId = staffTaskId(`${ref.clinicId}#${ref.journeyId}#TRIAGE`);
      await openTaskAndAlert(
        { table: deps.table, alerts: deps.alerts },
        {
          type: 'StaffTask',
          clinicId: ref.clinicId,
          taskId,
          journeyId: ref.journeyId,
          kind: 'TRIAGE',
          stage: 'INTAKE',
          reason: `${triage.level} triage review: red-flag answers to ${triage.flags.join(', ')}`,
          status: 'OPEN',
          createdAt: now.toISOString(),
        },
        {
          subject: `Triage ${triage.level}: clinical review needed`,
          // The level and IDs only; which questions were flagged is in the slip, the answers in the encrypted table.
          message: { kind: 'TRIAGE', level: triage.level, clinicId: ref.clinicId, journeyId: ref.journeyId, taskId },
          attributes: { clinicId: ref.clinicId, level: triage.level },
        },
        { actor: ACTOR, patientId: journey.patientId },
        now,
      );
      log.warn('Triage alert raised', { clinicId: ref.clinicId, journeyId: ref.journeyId, taskId, outcome: triage.level });
    }
    await updateStage(deps.table, journey, 'INTAKE', { status: 'COMPLETED' }, now);
    return { outcome: triage.level === 'NONE' ? 'NO_RISK' : 'TRIAGE_ALERTED' };
  };
}

export const handler = withTransientAwsErrors(
  makeScreenIntake({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    alerts: snsStaffAlerts(sns, requireEnv('staffAlertsTopicArn')),
  }),
);
