import type { FinishJourneyRequest } from '#contract/journey-workflow.ts';
import { JourneyNotFoundError } from '#model/journey.ts';
import { releaseAppointment } from '#shared/appointment-store.ts';
import { closeJourney, getJourney } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import { expireIfOpen } from '#shared/staff-task-store.ts';
import type { TableRef } from '#shared/table.ts';
import { closingStages } from './finish-journey.ts';

/**
 * Records how a journey ended: the workflow's last task (FinishJourney) and a staff CANCEL of a journey whose
 * execution had already stopped both end a journey this way. A cancelled journey gives its booked time back first (the
 * appointment record stays, marked CANCELLED), so the slot is bookable again; a failed one keeps its booking for ops
 * to look at. Staff tasks the journey left open are expired, so the work queue never shows a task nobody can act on.
 * Safe to repeat: releasing twice releases once, and closing again with the same outcome changes nothing.
 */
export async function endJourney(table: TableRef, request: FinishJourneyRequest, actor: string, now: Date): Promise<{ closed: boolean }> {
  const journey = await getJourney(table, request, { consistent: true });
  if (!journey) throw new JourneyNotFoundError(`Journey ${request.journeyId} not found`);

  if (request.outcome === 'CANCELLED') {
    await releaseAppointment(table, request, now, {
      clinicId: request.clinicId,
      actor,
      journeyId: request.journeyId,
      patientId: journey.patientId,
    });
  }
  const taskIds = Object.values(journey.stages).flatMap((stage) => (stage.staffTaskId ? [stage.staffTaskId] : []));
  for (const taskId of taskIds) await expireIfOpen(table, request.clinicId, taskId);

  const closed = await closeJourney(
    table,
    request,
    {
      status: request.outcome,
      stages: closingStages(journey, request.outcome, now.toISOString()),
      removeAppointment: request.outcome === 'CANCELLED' && journey.appointment !== undefined,
    },
    now,
  );
  const fields = { clinicId: request.clinicId, journeyId: request.journeyId };
  if (closed) log.info('Journey finished', { ...fields, outcome: request.outcome });
  else log.warn('Journey had already ended otherwise; that end stands', { ...fields, outcome: journey.status });
  return { closed };
}
