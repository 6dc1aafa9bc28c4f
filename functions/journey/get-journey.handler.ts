import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { recordAudit } from '#shared/audit-store.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { getJourney } from '#shared/journey-store.ts';
import type { TableRef } from '#shared/table.ts';
import { toJourneyView } from './journey-view.ts';

type Event = APIGatewayProxyEventV2 & { requestContext: { authorizer?: { lambda?: { clinicId?: string; keyId?: string } } } };

/** GET /v1/clinics/{clinicId}/journeys/{journeyId}: the journey as the front desk sees it. */
export function makeGetJourney(table: TableRef) {
  return middy<Event, HttpResponse>()
    .use(httpErrors())
    .handler(async (event) => {
      const { clinicId, keyId } = authorizedClinic(event);
      const { journeyId } = pathIds(event, ['journeyId']);
      // The key includes the authorized clinic, so another clinic's journey ID simply is not found.
      const journey = await getJourney(table, { clinicId, journeyId });
      if (!journey) throw HttpError.withMessage(404, 'Journey not found');
      await recordAudit(table, {
        clinicId,
        actor: `api-key:${keyId}`,
        action: 'journey.read',
        journeyId,
        patientId: journey.patientId,
        outcome: 'success',
      });
      return json(200, toJourneyView(journey));
    });
}

export const handler = makeGetJourney({ client: dynamo, tableName: requireEnv('tableName') });
