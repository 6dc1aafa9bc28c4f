import type { StageStop } from '#contract/journey-workflow.ts';
import type { StageState } from '#model/journey.ts';
import { POSSIBLE_DUPLICATE_REASON } from '#model/staff-task.ts';

export const STAGE_LABEL = {
  INTAKE: 'Intake',
  ELIGIBILITY: 'Eligibility verification',
  SCHEDULING: 'Scheduling',
  PAYMENT: 'Payment',
  CONFIRMATION: 'Confirmation',
} as const;

/**
 * Why a journey waits for staff, in words the front desk can act on. A caught error (retries exhausted) names the
 * error; a business outcome uses the reason the stage recorded. Error causes are not copied: they may quote a
 * dependency's response, and the reason is shown in queues and alerts.
 */
export function parkReason(request: Pick<StageStop, 'stage' | 'error'>, stage: StageState | undefined): string {
  const label = STAGE_LABEL[request.stage];
  // A possible duplicate stays one whatever else failed at intake: its hold (no PROCEED) matters more than the error.
  if (stage?.reason === POSSIBLE_DUPLICATE_REASON) return POSSIBLE_DUPLICATE_REASON;
  if (request.error?.Error === 'PaymentOutcomePending')
    return `${label}: the processor holds a charge for this visit that has not finished; check it on the processor's dashboard before deciding.`;
  if (request.error?.Error)
    return `${label} failed after automatic retries (${request.error.Error}); check the dependency, then retry or proceed.`;
  return stage?.reason ?? `${label} needs a person to review it.`;
}
