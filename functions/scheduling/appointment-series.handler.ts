import { BookSeriesSchema, CancelSeriesSchema } from '#contract/api/appointment-schema.ts';
import { IDEMPOTENCY_KEY_HEADER } from '#contract/api/idempotency-key.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffActor, staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type BookSeriesDeps, bookSeries } from './book-series.ts';
import { cancelSeries } from './cancel-series.ts';
import { dynamoSeriesStore } from './series-store.ts';

/**
 * POST /v1/clinics/{clinicId}/appointment-series (book a plan of care: book-series.ts) and
 * POST …/appointment-series/{seriesId}/cancel (the rest of it: cancel-series.ts).
 */
const ROLES = staffRolesOf('manageAppointmentSeries');

export function makeManageAppointmentSeries(deps: BookSeriesDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    if (event.routeKey.endsWith('/cancel')) {
      const { seriesId } = pathIds(event, ['seriesId']);
      const body = parseJsonBody(event, CancelSeriesSchema, { maxBytes: 4096 });
      return json(
        200,
        await cancelSeries(deps, { clinicId: person.clinicId, actor: staffActor(person), via: event.routeKey }, seriesId, body),
      );
    }
    const idempotencyKey = idempotencyKeyHeader(event);
    if (!idempotencyKey) throw HttpError.badRequest([{ path: IDEMPOTENCY_KEY_HEADER, message: 'is required: a new key per series' }]);
    const body = parseJsonBody(event, BookSeriesSchema, { maxBytes: 8192 });
    const { outcome, ...series } = await bookSeries(deps, person, { ...body, idempotencyKey, via: event.routeKey });
    return json(outcome === 'BOOKED' ? 201 : 200, series);
  });
}

const table = tableFromEnv();
export const handler = makeManageAppointmentSeries({ ...dynamoStores(table), series: dynamoSeriesStore(table), now: systemClock });
