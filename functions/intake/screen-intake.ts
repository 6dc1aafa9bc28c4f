import type { JourneyRef } from '#contract/journey-workflow.ts';
import { staffTaskId } from '#model/staff-task.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import type { StaffAlertPort } from '#shared/staff-alerts.ts';
import { openTaskAndAlert } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';
import { screenAnswers } from './triage.ts';

export interface ScreenIntakeDeps extends Pick<SharedStores, 'journeys' | 'submissions' | 'tasks' | 'audit'> {
  /** Alerts clinical staff of a triage slip (openTaskAndAlert opens it in `tasks`). */
  alerts: StaffAlertPort;
  now: () => Date;
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
export async function screenIntake(deps: ScreenIntakeDeps, ref: JourneyRef): Promise<ScreenIntakeResult> {
  const now = deps.now();
  const journey = await deps.journeys.beginAttempt(ref);
  // One audit record, written before the read; a triage slip adds the task's own (openTaskAndAlert).
  const submission = await deps.submissions.read(journey, journeyAuditSession(deps.audit, ACTOR, journey, now), ['screening']);

  const triage = screenAnswers(submission.screening);
  if (triage.level !== 'NONE') {
    const taskId = staffTaskId(`${ref.clinicId}#${ref.journeyId}#TRIAGE`);
    await openTaskAndAlert(
      deps,
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
  await deps.journeys.updateStage(journey, 'INTAKE', { status: 'COMPLETED' }, now);
  return { outcome: triage.level === 'NONE' ? 'NO_RISK' : 'TRIAGE_ALERTED' };
}
