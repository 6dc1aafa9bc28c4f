import { CancelAppointmentSchema, RescheduleAppointmentSchema } from '#contract/api/appointment-schema.ts';
import { IDEMPOTENCY_KEY_HEADER } from '#contract/api/idempotency-key.ts';
import { staffRolesOfRoute } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { type JsonBodyEvent, parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffActor, staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { appointmentView } from './appointment-view.ts';
import { type ChangeAppointmentDeps, type ChangeRequest, changeAppointment } from './change-appointment.ts';

/**
 * POST /v1/clinics/{clinicId}/appointments/{appointmentId}/reschedule, …/cancel, …/check-in, …/no-show and …/complete
 * (change-appointment.ts): one function, as the five differ by the path's last segment and body only. 200 with the
 * appointment (changed, or already as asked); 409 for a change its status or time does not allow, and for a
 * reschedule to a time that is not free (with the next open slots).
 */

export function makeChangeAppointment(deps: ChangeAppointmentDeps) {
  return httpHandler(async (event) => {
    // Each route's own roles (contract/api-routes.ts): clinicians check in and complete, only bookers move or cancel.
    const person = staffPrincipal(event, staffRolesOfRoute(event.routeKey));
    const { appointmentId } = pathIds(event, ['appointmentId']);
    const request = requestOf(event.routeKey.split('/').at(-1), event);
    const result = await changeAppointment(
      deps,
      { clinicId: person.clinicId, actor: staffActor(person), via: event.routeKey },
      appointmentId,
      request,
    );
    if (result.outcome === 'SLOT_UNAVAILABLE') {
      return json(409, { message: 'That time is not free: here are the next open slots', alternatives: result.alternatives });
    }
    return json(200, appointmentView(result.appointment));
  });
}

/** What the route's last segment asks for; a route this function does not serve is a deployment error. */
function requestOf(verb: string | undefined, event: JsonBodyEvent): ChangeRequest {
  switch (verb) {
    case 'check-in':
    case 'no-show':
    case 'complete':
      return { change: verb };
    case 'cancel':
      return { change: 'cancel', ...parseJsonBody(event, CancelAppointmentSchema, { maxBytes: 4096 }) };
    case 'reschedule': {
      const idempotencyKey = idempotencyKeyHeader(event);
      const body = parseJsonBody(event, RescheduleAppointmentSchema, { maxBytes: 4096 });
      // A repeat of "the next available" would move the visit again: the key tells a repeat from a new request.
      if (body.nextAvailable && !idempotencyKey)
        throw HttpError.badRequest([{ path: IDEMPOTENCY_KEY_HEADER, message: 'is required with `nextAvailable`: a new key per move' }]);
      return { change: 'reschedule', ...body, ...(idempotencyKey ? { idempotencyKey } : {}) };
    }
    default:
      throw new Error(`changeAppointment serves reschedule, cancel, check-in, no-show and complete, not ${verb}`);
  }
}

export const handler = makeChangeAppointment({ ...dynamoStores(tableFromEnv()), now: systemClock });
