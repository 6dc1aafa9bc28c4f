import type { AuditLog } from '#shared/audit-store.ts';
import { httpHandler } from '#shared/handler.ts';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import type { JourneyStore } from '#shared/journey-store.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { toJourneyView } from './journey-view.ts';

export interface GetJourneyDeps {
  journeys: JourneyStore;
  audit: AuditLog;
  now: () => Date;
}

/**
 * GET /v1/clinics/{clinicId}/journeys/{journeyId}: the journey as the front desk sees it (journey-view.ts), each read
 * audited. The key includes the authorized clinic, so another clinic's journey ID simply is not found (404).
 */
export function makeGetJourney(deps: GetJourneyDeps) {
  return httpHandler(async (event) => {
    const { clinicId, keyId } = authorizedClinic(event);
    const { journeyId } = pathIds(event, ['journeyId']);
    const journey = await deps.journeys.require({ clinicId, journeyId });
    await deps.audit.record(
      { clinicId, actor: `api-key:${keyId}`, action: 'journey.read', journeyId, patientId: journey.patientId, outcome: 'success' },
      deps.now(),
    );
    return json(200, toJourneyView(journey));
  });
}

export const handler = makeGetJourney({
  ...dynamoStores(tableFromEnv()),
  now: systemClock,
});
