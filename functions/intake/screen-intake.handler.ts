import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { openStaffTask, staffTaskId } from '#functions/journey/staff-task-store.ts';
import { recordAudit } from '#shared/audit.ts';
import { dynamo, sns } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import type { JourneyRef } from '#shared/journey-contract.ts';
import { getJourney, updateStage } from '#shared/journey-store.ts';
import { keys } from '#shared/keys.ts';
import { log } from '#shared/observability.ts';
import type { SubmissionRecord } from '#shared/patient-records.ts';
import type { TableRef } from '#shared/table.ts';
import { screenAnswers } from './triage.ts';

export interface ScreenIntakeDeps {
  table: TableRef;
  sns: SNSClient;
  staffAlertsTopicArn: string;
  now?: () => Date;
}

export interface ScreenIntakeResult {
  outcome: 'NO_RISK' | 'TRIAGE_ALERTED';
}

/**
 * First journey task: screens the answers and, when they show risk, opens a triage slip and alerts clinical staff.
 * The journey goes on either way (booking is not held up); the slip makes sure a clinician reviews the answers.
 */
export function makeScreenIntake(deps: ScreenIntakeDeps) {
  return async (ref: JourneyRef): Promise<ScreenIntakeResult> => {
    const now = deps.now?.() ?? new Date();
    const journey = await getJourney(deps.table, ref);
    if (!journey) throw new Error(`Journey ${ref.journeyId} not found`);
    const { Item } = await deps.table.client.send(
      new GetCommand({ TableName: deps.table.tableName, Key: keys.submission(ref.clinicId, journey.submissionId) }),
    );
    const submission = Item as SubmissionRecord | undefined;
    if (!submission) throw new Error(`Submission ${journey.submissionId} not found`);
    await recordAudit(
      deps.table,
      {
        clinicId: ref.clinicId,
        actor: 'function:screenIntake',
        action: 'patient.read',
        journeyId: ref.journeyId,
        patientId: journey.patientId,
        outcome: 'success',
      },
      now,
    );

    const triage = screenAnswers(submission.screening);
    if (triage.level !== 'NONE') {
      const taskId = staffTaskId(`${ref.clinicId}#${ref.journeyId}#TRIAGE`);
      const reason = `${triage.level} triage review: red-flag answers to ${triage.flags.join(', ')}`;
      const created = await openStaffTask(deps.table, {
        type: 'StaffTask',
        clinicId: ref.clinicId,
        taskId,
        journeyId: ref.journeyId,
        kind: 'TRIAGE',
        stage: 'INTAKE',
        reason,
        status: 'OPEN',
        createdAt: now.toISOString(),
      });
      if (created) {
        await deps.sns.send(
          new PublishCommand({
            TopicArn: deps.staffAlertsTopicArn,
            Subject: `Triage ${triage.level}: clinical review needed`,
            // Question keys and IDs only; the answers stay in the encrypted table.
            Message: JSON.stringify({ kind: 'TRIAGE', level: triage.level, clinicId: ref.clinicId, journeyId: ref.journeyId, taskId }),
            MessageAttributes: {
              clinicId: { DataType: 'String', StringValue: ref.clinicId },
              level: { DataType: 'String', StringValue: triage.level },
            },
          }),
        );
      }
      log.warn('Triage alert raised', { clinicId: ref.clinicId, journeyId: ref.journeyId, taskId, outcome: triage.level });
    }
    await updateStage(deps.table, ref, 'INTAKE', { status: 'COMPLETED' }, now);
    return { outcome: triage.level === 'NONE' ? 'NO_RISK' : 'TRIAGE_ALERTED' };
  };
}

export const handler = makeScreenIntake({
  table: { client: dynamo, tableName: requireEnv('tableName') },
  sns,
  staffAlertsTopicArn: requireEnv('staffAlertsTopicArn'),
});
