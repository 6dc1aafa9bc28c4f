import type { JourneyRef } from '#contract/journey-workflow.ts';
import { POSSIBLE_DUPLICATE_REASON, triageSlipId } from '#model/staff-task.ts';
import { screenAnswers } from '#model/triage.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import type { EscalationSchedulePort, StaffAlertPort } from '#shared/staff-alerts.ts';
import { newStaffTask, openTaskAndAlert } from '#shared/staff-alerts.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface ScreenIntakeDeps extends Pick<SharedStores, 'journeys' | 'submissions' | 'tasks' | 'audit' | 'catalog'> {
  /** Alerts clinical staff of a triage slip (openTaskAndAlert opens it in `tasks`). */
  alerts: StaffAlertPort;
  /** Schedules the task's escalation at its due time (openTaskAndAlert). */
  escalations: EscalationSchedulePort;
  now: () => Date;
}

export interface ScreenIntakeResult {
  /** POSSIBLE_DUPLICATE: the journey waits at intake for staff to merge or keep apart (the workflow parks it). */
  outcome: 'NO_RISK' | 'TRIAGE_ALERTED' | 'POSSIBLE_DUPLICATE';
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
  const submission = await deps.submissions.read(journey, journeyAuditSession(deps.audit, ACTOR, journey, now), [
    'screening',
    'possibleDuplicateOf',
    'duplicateResolution',
  ]);

  // An unsettled possible duplicate is marked on the stage first: should the screening below fail, the journey is held
  // with this reason all the same (parkReason keeps it), so its task still allows no PROCEED past the duplicate.
  const heldAsDuplicate = Boolean(submission.possibleDuplicateOf && !submission.duplicateResolution);
  if (heldAsDuplicate)
    await deps.journeys.updateStage(journey, 'INTAKE', { status: 'WAITING_FOR_STAFF', reason: POSSIBLE_DUPLICATE_REASON }, now);

  const triage = screenAnswers(submission.screening);
  if (triage.level !== 'NONE') {
    const taskId = triageSlipId(ref.clinicId, ref.journeyId);
    const slip = await newStaffTask(
      deps,
      {
        clinicId: ref.clinicId,
        taskId,
        journeyId: ref.journeyId,
        patientId: journey.patientId,
        kind: 'TRIAGE',
        triageLevel: triage.level,
        stage: 'INTAKE',
        reason: `${triage.level} triage review: red-flag answers to ${triage.flags.join(', ')}`,
      },
      ACTOR,
      now,
    );
    await openTaskAndAlert(
      deps,
      slip,
      {
        subject: `Triage ${triage.level}: clinical review needed`,
        // The level and IDs only; which questions were flagged is in the slip, the answers in the encrypted table.
        message: { kind: 'TRIAGE', level: triage.level, clinicId: ref.clinicId, journeyId: ref.journeyId, taskId },
        attributes: { clinicId: ref.clinicId, level: triage.level },
      },
      ACTOR,
      now,
    );
    log.warn('Triage alert raised', { clinicId: ref.clinicId, journeyId: ref.journeyId, taskId, outcome: triage.level });
  }
  // Screened whatever else: a red flag reaches a clinician even while the patient's identity is unsettled.
  if (heldAsDuplicate) {
    log.warn('Possible duplicate patient held for staff', {
      clinicId: ref.clinicId,
      journeyId: ref.journeyId,
      outcome: 'POSSIBLE_DUPLICATE',
    });
    return { outcome: 'POSSIBLE_DUPLICATE' };
  }
  await deps.journeys.updateStage(journey, 'INTAKE', { status: 'COMPLETED' }, now);
  return { outcome: triage.level === 'NONE' ? 'NO_RISK' : 'TRIAGE_ALERTED' };
}
