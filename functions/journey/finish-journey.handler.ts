import { releaseAppointment } from '#functions/scheduling/booking-store.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import type { FinishJourneyRequest } from '#shared/journey-contract.ts';
import { closeJourney, getJourney } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import { closingStages } from './finish-journey.ts';
import { expireIfOpen } from './staff-task-store.ts';

/**
 * Last task of every journey: records how it ended. A cancelled journey gives its booked time back first (the
 * appointment record stays, marked CANCELLED), so the slot is bookable again; a failed one keeps its booking for
 * ops to look at. Staff tasks the journey left open are expired, so the work queue never shows a task nobody can
 * act on. Safe to retry: releasing twice releases once, and closing again with the same outcome changes nothing.
 */
export function makeFinishJourney(deps: { table: TableRef; now?: () => Date }) {
  return async (request: FinishJourneyRequest): Promise<{ outcome: FinishJourneyRequest['outcome'] }> => {
    const now = deps.now?.() ?? new Date();
    const journey = await getJourney(deps.table, request, { consistent: true });
    if (!journey) throw new Error(`Journey ${request.journeyId} not found`);

    if (request.outcome === 'CANCELLED') {
      await releaseAppointment(deps.table, request, now, {
        clinicId: request.clinicId,
        actor: 'function:finishJourney',
        journeyId: request.journeyId,
        patientId: journey.patientId,
      });
    }
    const taskIds = Object.values(journey.stages).flatMap((stage) => (stage.staffTaskId ? [stage.staffTaskId] : []));
    for (const taskId of taskIds) await expireIfOpen(deps.table, request.clinicId, taskId);

    const closed = await closeJourney(
      deps.table,
      request,
      {
        status: request.outcome,
        stages: closingStages(journey, request.outcome, now.toISOString()),
        removeAppointment: request.outcome === 'CANCELLED' && journey.appointment !== undefined,
      },
      now,
    );
    if (!closed)
      log.warn('Journey had already ended otherwise; that end stands', {
        clinicId: request.clinicId,
        journeyId: request.journeyId,
        outcome: journey.status,
      });
    else log.info('Journey finished', { clinicId: request.clinicId, journeyId: request.journeyId, outcome: request.outcome });
    return { outcome: request.outcome };
  };
}

export const handler = makeFinishJourney({ table: { client: dynamo, tableName: requireEnv('tableName') } });
