import type { OrderAttached } from '#contract/api/correction-schema.ts';
import type { PhysicianOrderBody } from '#contract/api/submission-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { addDays, DEFAULT_ORDER_VALIDITY_DAYS, decideOrderedType, orderOfRequest } from '#model/physician-order.ts';
import { auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { zonesOf } from './find-slots.ts';
import { localToday } from './local-days.ts';
import { requireCatalog } from './open-slots.ts';

export interface AttachOrderDeps extends Pick<SharedStores, 'journeys' | 'submissions' | 'catalog' | 'audit'> {
  now: () => Date;
}

/**
 * Staff attach the physician's order a journey was parked for (none came with the request, or it had expired or did
 * not fit): it goes on the journey's visit request, and a RETRY of the scheduling task books under it. The order is
 * checked as scheduling will check it (its CPT decides a type of the department asked for; not expired), so a RETRY
 * does not park again for the same reason: 400 otherwise, naming the field. An order without an expiry date is valid
 * DEFAULT_ORDER_VALIDITY_DAYS from today, the day it was received, and is stored with that date. Audited in the
 * person's name (`order.attach`; a refused order records a failure). Sending the same order again writes it again,
 * harmlessly. The journey need not be parked yet: an order obtained while eligibility runs is there when scheduling
 * reads the visit request.
 */
export async function attachOrder(
  deps: AttachOrderDeps,
  person: StaffPrincipal,
  journeyId: string,
  body: PhysicianOrderBody,
  via: string,
): Promise<OrderAttached> {
  const now = deps.now();
  const journey = await deps.journeys.get({ clinicId: person.clinicId, journeyId }, { consistent: true });
  if (!journey) throw HttpError.withMessage(404, 'Journey not found');
  if (journey.status === 'COMPLETED' || journey.status === 'CANCELLED' || journey.status === 'FAILED')
    throw HttpError.withMessage(409, `The journey has ended (${journey.status.toLowerCase()}): book with the order instead`);
  if (journey.appointment) throw HttpError.withMessage(409, 'The journey has booked its appointment already');
  const audit = auditSession(
    deps.audit,
    { clinicId: journey.clinicId, actor: staffActor(person), journeyId, patientId: journey.patientId, via },
    now,
  );
  await audit.before('journey.read', 'submission.read', 'order.attach');
  const submission = await deps.submissions.read(journey, audit, ['visit']);
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  const requested = catalog.appointmentTypes.find((t) => t.code === submission.visit.appointmentTypeCode);
  if (!requested) {
    await audit.failed('order.attach');
    throw HttpError.withMessage(409, 'The journey asks for an appointment type the clinic no longer offers');
  }
  const today = localToday(now, zonesOf(catalog, requested, submission.visit.preferences ?? {}));
  const order = { ...body, expiresOn: body.expiresOn ?? addDays(today, DEFAULT_ORDER_VALIDITY_DAYS) };
  const decision = decideOrderedType(catalog, requested, orderOfRequest(order), { receivedOn: today, today });
  if (decision.kind === 'NEEDS_ORDER') {
    await audit.failed('order.attach');
    throw HttpError.badRequest([{ path: order.expiresOn < today ? 'expiresOn' : 'procedureCode', message: decision.reason }]);
  }
  await deps.submissions.attachOrder(journey, order, audit, now);
  log.info('Physician order attached', { clinicId: journey.clinicId, journeyId, outcome: decision.type.code });
  return {
    journeyId,
    appointmentType: decision.type.code,
    validUntil: decision.kind === 'ORDERED' ? decision.validUntil : order.expiresOn,
  };
}
