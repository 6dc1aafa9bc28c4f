import { releaseAppointment } from '#functions/scheduling/booking-store.ts';
import { recordAudit } from '#shared/audit.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import type { FinishJourneyRequest } from '#shared/journey-contract.ts';
import { closeJourney, getJourney } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import { closingStages } from './finish-journey.ts';

/**
 * Last task of every journey: records how it ended. A cancelled journey gives its booked time back first (the
 * appointment record stays, marked CANCELLED), so the slot is bookable again; a failed one keeps its booking for
 * ops to look at. Safe to retry: releasing twice releases once, and the final update is idempotent.
 */
export function makeFinishJourney(deps: { table: TableRef; now?: () => Date }) {
  return async (request: FinishJourneyRequest): Promise<{ outcome: FinishJourneyRequest['outcome'] }> => {
    const now = deps.now?.() ?? new Date();
    const journey = await getJourney(deps.table, request);
    if (!journey) throw new Error(`Journey ${request.journeyId} not found`);

    let removeAppointment = false;
    if (request.outcome === 'CANCELLED' && (await releaseAppointment(deps.table, request, now)) === 'RELEASED') {
      removeAppointment = true;
      await recordAudit(
        deps.table,
        {
          clinicId: request.clinicId,
          actor: 'function:finishJourney',
          action: 'appointment.cancel',
          journeyId: request.journeyId,
          patientId: journey.patientId,
          outcome: 'success',
        },
        now,
      );
    }
    // A retry after the release committed finds nothing to release, but the view may still show the appointment.
    removeAppointment ||= request.outcome === 'CANCELLED' && journey.appointment !== undefined;
    await closeJourney(
      deps.table,
      request,
      { status: request.outcome, stages: closingStages(journey, request.outcome, now.toISOString()), removeAppointment },
      now,
    );
    log.info('Journey finished', { clinicId: request.clinicId, journeyId: request.journeyId, outcome: request.outcome });
    return { outcome: request.outcome };
  };
}

export const handler = makeFinishJourney({ table: { client: dynamo, tableName: requireEnv('tableName') } });
