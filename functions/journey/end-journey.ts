import type { FinishJourneyRequest } from '#contract/journey-workflow.ts';
import { timeInStages } from '#model/journey.ts';
import type { JourneyMetrics } from '#shared/journey-metrics.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { closingStages } from './closing-stages.ts';

export interface EndJourneyDeps extends Pick<SharedStores, 'journeys' | 'appointments' | 'tasks'> {
  metrics: JourneyMetrics;
}

/**
 * Records how a journey ended: the workflow's last task (FinishJourney) and a staff CANCEL of a journey whose
 * execution had already stopped both end a journey this way. A cancelled journey gives its booked time back first (the
 * appointment record stays, marked CANCELLED), so the slot is bookable again; a failed one keeps its booking for ops
 * to look at. Staff tasks the journey left open are expired, so the work queue never shows a task nobody can act on.
 * Safe to repeat: releasing twice releases once, and closing again with the same outcome changes nothing.
 */
export async function endJourney(
  deps: EndJourneyDeps,
  request: FinishJourneyRequest,
  actor: string,
  now: Date,
): Promise<{ closed: boolean }> {
  const journey = await deps.journeys.require(request, { consistent: true });

  if (request.outcome === 'CANCELLED') {
    await deps.appointments.release(request, now, {
      clinicId: request.clinicId,
      actor,
      journeyId: request.journeyId,
      patientId: journey.patientId,
    });
  }
  const taskIds = Object.values(journey.stages).flatMap((stage) => (stage.staffTaskId ? [stage.staffTaskId] : []));
  for (const taskId of taskIds) await deps.tasks.expireIfOpen(request.clinicId, taskId, actor, now);

  const outcome = await deps.journeys.close(
    request,
    {
      status: request.outcome,
      stages: closingStages(journey, request.outcome, now.toISOString()),
      removeAppointment: request.outcome === 'CANCELLED' && journey.appointment !== undefined,
    },
    now,
  );
  const fields = { clinicId: request.clinicId, journeyId: request.journeyId };
  const closed = outcome !== 'ENDED_OTHERWISE';
  // Counted once: a retried end (ALREADY_CLOSED) is not a second journey.
  if (outcome === 'CLOSED') deps.metrics.ended(request.outcome, request.outcome === 'COMPLETED' ? timeInStages(journey) : {}, now);
  if (closed) log.info('Journey finished', { ...fields, outcome: request.outcome });
  else log.warn('Journey had already ended otherwise; that end stands', { ...fields, outcome: journey.status });
  return { closed };
}
