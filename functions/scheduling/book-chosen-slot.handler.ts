import { BookAppointmentSchema } from '#contract/api/appointment-schema.ts';
import { IDEMPOTENCY_KEY_HEADER } from '#contract/api/idempotency-key.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { appointmentView } from './appointment-view.ts';
import { type BookChosenSlotDeps, bookChosenSlot } from './book-chosen-slot.ts';

/**
 * POST /v1/clinics/{clinicId}/appointments: staff book a chosen slot (book-chosen-slot.ts). 201 with the appointment,
 * 200 with it again for a repeat of the request, 409 with the next open slots when the slot is not free.
 */
const ROLES = staffRolesOf('bookChosenSlot');

export function makeBookChosenSlot(deps: BookChosenSlotDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const idempotencyKey = idempotencyKeyHeader(event);
    if (!idempotencyKey) throw HttpError.badRequest([{ path: IDEMPOTENCY_KEY_HEADER, message: 'is required: a new key per booking' }]);
    const body = parseJsonBody(event, BookAppointmentSchema, { maxBytes: 4096 });
    const result = await bookChosenSlot(deps, person, { ...body, idempotencyKey, via: event.routeKey });
    if (result.outcome === 'SLOT_UNAVAILABLE') {
      return json(409, { message: 'That slot is not free: here are the next open ones', alternatives: result.alternatives });
    }
    return json(result.outcome === 'BOOKED' ? 201 : 200, appointmentView(result.appointment));
  });
}

export const handler = makeBookChosenSlot({ ...dynamoStores(tableFromEnv()), now: systemClock });
