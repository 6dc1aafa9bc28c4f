import type { BookAppointmentInput, Slot } from '#contract/api/appointment-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { idDigest } from '#model/id-digest.ts';
import { isSelfPay } from '#model/patient-records.ts';
import { decideOrderedType, orderOfRequest } from '#model/physician-order.ts';
import { authorizationRequirement, coversVisit, openedCase, procedureToAuthorize, visitDateOf } from '#model/prior-authorization.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { type AuditSession, auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { appointmentOf } from './book-earliest.ts';
import { lastInstantOf, localToday } from './local-days.ts';
import { requireCatalog, searchOpenSlots, slotOf, staffSearchOf } from './open-slots.ts';

export interface BookChosenSlotDeps extends Pick<SharedStores, 'catalog' | 'appointments' | 'patients' | 'audit' | 'authorizations'> {
  now: () => Date;
}

/** How many open slots a refusal offers instead. */
export const ALTERNATIVES = 5;
/** How far ahead the alternatives are looked for. */
const ALTERNATIVES_DAYS = 14;

export type BookChosenSlotResult =
  | { outcome: 'BOOKED' | 'ALREADY_BOOKED'; appointment: AppointmentRecord }
  /** The slot is not free (taken meanwhile, or never open): the next open ones instead. */
  | { outcome: 'SLOT_UNAVAILABLE'; alternatives: Slot[] };

/**
 * The appointment a staff booking creates, named by the clinic and the request's Idempotency-Key: a repeated request
 * (a double click, a retry after a timeout) meets the first one's item and books nothing more.
 */
export const staffAppointmentIdOf = (clinicId: string, idempotencyKey: string) => `appt-${idDigest(32, clinicId, idempotencyKey)}`;

/**
 * Staff book a slot they chose (availability) for a patient on the phone or at the desk, with the journey's
 * conflict-safe write: the slot's granules are locked on every resource it holds, so it is booked once or not at all.
 * A slot that is no longer free answers with the next open ones. A type that needs a physician's order is booked only
 * under a valid one (its procedure decides the type; the slot must fall before it expires), kept with the appointment.
 * A procedure the clinic's list for the patient's payer says needs a prior authorization is booked only with the
 * payer's approval covering the visit's day (`authorization`), kept as the visit's case, APPROVED: the desk books
 * ordered imaging once authorized (a journey, which can hold a visit while radiology obtains it, is the other way).
 */
export async function bookChosenSlot(
  deps: BookChosenSlotDeps,
  person: StaffPrincipal,
  request: BookAppointmentInput & { idempotencyKey: string; via: string },
): Promise<BookChosenSlotResult> {
  const now = deps.now();
  const clinicId = person.clinicId;
  const appointmentId = staffAppointmentIdOf(clinicId, request.idempotencyKey);
  const existing = await deps.appointments.getById(clinicId, appointmentId);
  if (existing) {
    const answer = await repeated(deps, person, existing, request, now);
    // The first request booked, then stopped before keeping its approval as the visit's case.
    if (request.authorization && !existing.authorizationStatus) {
      const catalog = requireCatalog(await deps.catalog.load(clinicId));
      const audit = auditSession(deps.audit, { clinicId, actor: staffActor(person), patientId: existing.patientId, via: request.via }, now);
      const type = catalog.appointmentTypes.find((t) => t.code === existing.appointmentType);
      const kept = await authorizationFor(deps, catalog, request, procedureToAuthorize(existing.order, type), audit);
      if (kept) await keepApproval(deps, existing, kept, audit, now);
    }
    return answer;
  }

  const catalog = requireCatalog(await deps.catalog.load(clinicId));
  const { type: requested, preferences } = staffSearchOf(catalog, request);
  if (!(await deps.patients.exists(clinicId, request.patientId))) {
    throw HttpError.badRequest([{ path: 'patientId', message: 'is not a patient of this clinic' }]);
  }
  // The order decides the type (its procedure); a type that requires one is not booked without a valid order.
  const zones = catalog.locations.filter((l) => !request.locationId || l.locationId === request.locationId).map((l) => l.timeZone);
  const today = localToday(now, zones);
  const decision = decideOrderedType(catalog, requested, orderOfRequest(request.order), { receivedOn: today, today });
  if (decision.kind === 'NEEDS_ORDER') throw HttpError.withMessage(409, decision.reason);
  const type = decision.type;
  const order = decision.order;

  const start = new Date(request.start);
  if (decision.kind === 'ORDERED') {
    if (start >= lastInstantOf(decision.validUntil, zones)) {
      throw HttpError.withMessage(409, `The physician's order may be acted on until ${decision.validUntil}: choose an earlier slot`);
    }
  }
  const audit = auditSession(deps.audit, { clinicId, actor: staffActor(person), patientId: request.patientId, via: request.via }, now);
  const authorization = await authorizationFor(deps, catalog, request, procedureToAuthorize(order, type), audit);
  await audit.before('appointment.create');
  const search = { clinicId, catalog, type, preferences, now };
  // Every free combination at that start (each provider, each room): one lost race moves on to the next.
  const { candidates } = await searchOpenSlots(deps.appointments, {
    ...search,
    within: { start, end: new Date(start.getTime() + 1) },
    limit: 1,
  });
  for (const candidate of candidates) {
    const appointment = appointmentOf(catalog, type, candidate, {
      appointmentId,
      clinicId,
      patientId: request.patientId,
      bookedBy: staffActor(person),
      now,
      ...(order ? { order } : {}),
    });
    // The approval must cover the visit's day where it happens (checked before anything is written).
    if (authorization && !coversVisit(authorization.approval, visitDateOf(appointment))) {
      throw HttpError.badRequest([
        { path: 'authorization', message: `the approval does not cover the visit's day (${visitDateOf(appointment)})` },
      ]);
    }
    const result = await bookContended(deps, appointment);
    if (result.outcome === 'BOOKED') {
      log.info('Appointment booked by staff', { clinicId, outcome: 'BOOKED' });
      if (!authorization) return result;
      await keepApproval(deps, result.appointment, authorization, audit, now);
      return { ...result, appointment: { ...result.appointment, authorizationStatus: 'APPROVED' } };
    }
    if (result.outcome === 'ALREADY_BOOKED') return repeated(deps, person, result.appointment, request, now);
  }
  await audit.failed('appointment.create');
  const { candidates: after } = await searchOpenSlots(deps.appointments, {
    ...search,
    within: { start, end: new Date(start.getTime() + ALTERNATIVES_DAYS * 86_400_000) },
    limit: ALTERNATIVES,
  });
  return { outcome: 'SLOT_UNAVAILABLE', alternatives: after.slice(0, ALTERNATIVES).map((candidate) => slotOf(catalog, type, candidate)) };
}

interface ApprovalToKeep {
  payerId: string;
  procedureCode: string | undefined;
  approval: NonNullable<BookAppointmentInput['authorization']>;
}

/**
 * Whether the procedure needs a payer's authorization by the clinic's list, for any plan on file (at the desk there is
 * no 271), and if so the approval the request must carry (its day is checked against the visit's once it is placed).
 */
async function authorizationFor(
  deps: BookChosenSlotDeps,
  catalog: ClinicCatalog,
  request: BookAppointmentInput,
  procedureCode: string | undefined,
  audit: AuditSession,
): Promise<ApprovalToKeep | undefined> {
  if (!catalog.priorAuthorizationRules?.length || !procedureCode) return undefined;
  await audit.before('coverage.read');
  const coverage = await deps.patients.readCoverage({ clinicId: catalog.profile.clinicId, patientId: request.patientId }, audit);
  const insured = coverage && !isSelfPay(coverage) ? coverage : undefined;
  const payerIds = insured ? [insured.payerId, ...(insured.secondary ? [insured.secondary.payerId] : [])] : [];
  const payerId = payerIds.find((id) =>
    authorizationRequirement({ payerId: id, procedureCode, payerSaysRequired: false, rules: catalog.priorAuthorizationRules }),
  );
  if (!payerId) return undefined;
  if (!request.authorization) {
    throw HttpError.withMessage(
      409,
      `The patient's payer wants prior authorization for CPT ${procedureCode}: book with its approval (authorization), or through the patient's intake, which holds the visit while it is obtained`,
    );
  }
  return { payerId, procedureCode, approval: request.authorization };
}

/**
 * The visit's case, opened APPROVED with the approval the desk booked under; one opened meanwhile stands. A case that
 * cannot be written fails the request (5xx): the same request again finds the booking and keeps its approval then.
 */
async function keepApproval(deps: BookChosenSlotDeps, visit: AppointmentRecord, kept: ApprovalToKeep, audit: AuditSession, now: Date) {
  const at = now.toISOString();
  const opened = openedCase(visit, {
    payerId: kept.payerId,
    requiredBy: 'payer-rule',
    procedureCode: kept.procedureCode,
    actor: audit.subject.actor,
    at,
  });
  await audit.before('authorization.open');
  const approved = {
    ...opened,
    status: 'APPROVED' as const,
    approval: kept.approval,
    history: [...opened.history, { at, by: audit.subject.actor, status: 'APPROVED' as const }],
    revision: 1,
  };
  if (!(await deps.authorizations.open(approved)) && !(await deps.authorizations.get(visit.clinicId, visit.appointmentId))) {
    throw new Error(`Appointment ${visit.appointmentId}: its authorization case could not be opened`);
  }
}

/** Tries again, after a short random pause, a write that met another transaction on the same busy day. */
const CONTENDED_RETRIES = 3;

/**
 * Books, trying again when another transaction was writing the same busy day at that moment (CONTENDED): that one may
 * well have failed, and the person chose this slot. A slot taken (TAKEN) is not tried again.
 */
export async function bookContended(deps: Pick<BookChosenSlotDeps, 'appointments'>, appointment: AppointmentRecord) {
  for (let attempt = 0; ; attempt += 1) {
    const result = await deps.appointments.book(appointment);
    if (result.outcome !== 'CONTENDED' || attempt >= CONTENDED_RETRIES) return result;
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60 * (attempt + 1)));
  }
}

/**
 * The first booking of this Idempotency-Key: the same request gets it again (shown to the person, so recorded as read
 * in their name); another request with the key is refused.
 */
async function repeated(
  deps: Pick<BookChosenSlotDeps, 'audit'>,
  person: StaffPrincipal,
  existing: AppointmentRecord,
  request: BookAppointmentInput & { via: string },
  now: Date,
): Promise<BookChosenSlotResult> {
  const same =
    existing.patientId === request.patientId &&
    // The type asked for, or the one the order's procedure made of it.
    (existing.appointmentType === request.appointmentType ||
      (request.order?.procedureCode !== undefined && existing.order?.procedureCode === request.order.procedureCode)) &&
    Date.parse(existing.start) === Date.parse(request.start) &&
    (!request.providerId || existing.provider.id === request.providerId) &&
    (!request.locationId || existing.location.id === request.locationId);
  if (!same) throw HttpError.withMessage(409, 'This Idempotency-Key was used for another booking');
  await deps.audit.record(
    {
      clinicId: person.clinicId,
      actor: staffActor(person),
      patientId: existing.patientId,
      via: request.via,
      action: 'appointment.read',
      outcome: 'success',
    },
    now,
  );
  return { outcome: 'ALREADY_BOOKED', appointment: existing };
}
