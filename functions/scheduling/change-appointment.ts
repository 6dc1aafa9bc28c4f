import type { Slot } from '#contract/api/appointment-schema.ts';
import type { AppointmentChange, CANCEL_REASONS, CANCELLED_BY } from '#contract/appointments.ts';
import { checkTiming, checkTransition, isLateCancel } from '#model/appointment-lifecycle.ts';
import { journeyAppointment } from '#model/journey.ts';
import { DEFAULT_ORDER_VALIDITY_DAYS } from '#model/physician-order.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import type { AuditAction } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { ALTERNATIVES } from './book-chosen-slot.ts';
import { appointmentOf } from './book-earliest.ts';
import { HORIZON_DAYS, type SlotCandidate } from './find-slots.ts';
import { lastInstantOf } from './local-days.ts';
import { requireCatalog, searchOpenSlots, slotOf } from './open-slots.ts';

export interface ChangeAppointmentDeps extends Pick<SharedStores, 'catalog' | 'appointments' | 'audit'> {
  now: () => Date;
}

export type ChangeRequest =
  | { change: 'check-in' | 'no-show' | 'complete' }
  | { change: 'cancel'; by: (typeof CANCELLED_BY)[number]; reason: (typeof CANCEL_REASONS)[number]; note?: string }
  | { change: 'reschedule'; start?: string; nextAvailable?: true; providerId?: string; idempotencyKey?: string };

export type ChangeResult =
  /** `UNCHANGED`: the appointment already was as asked (a repeated request). */
  { outcome: 'CHANGED' | 'UNCHANGED'; appointment: AppointmentRecord } | { outcome: 'SLOT_UNAVAILABLE'; alternatives: Slot[] };

/** Who made the change and from where, as the audit record names them. */
export interface ChangeActor {
  clinicId: string;
  actor: string;
  via?: string;
}

const AUDIT_ACTIONS: Record<AppointmentChange, AuditAction> = {
  reschedule: 'appointment.reschedule',
  cancel: 'appointment.cancel',
  'check-in': 'appointment.checkIn',
  'no-show': 'appointment.noShow',
  complete: 'appointment.complete',
};

/** Times a change is read and decided again when someone else changed the appointment in between. */
const ATTEMPTS = 5;

/**
 * One change to a booked appointment (model/appointment-lifecycle.ts): a conditional state transition written with
 * the time it gives back or takes and its audit record, in one transaction (AppointmentStore.saveChange). A repeat of
 * a change already made answers with the appointment as it is; a change its status does not allow is 409. When
 * someone else changed the appointment between the read and the write, it is read and decided again.
 */
export async function changeAppointment(
  deps: ChangeAppointmentDeps,
  by: ChangeActor,
  appointmentId: string,
  request: ChangeRequest,
): Promise<ChangeResult> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const now = deps.now();
    const current = await deps.appointments.getById(by.clinicId, appointmentId);
    if (!current) throw HttpError.withMessage(404, 'Appointment not found');
    // A repeat answers with the appointment as it is: a read of it, recorded in the actor's name.
    const unchanged = async (): Promise<ChangeResult> => {
      const subject = { clinicId: by.clinicId, actor: by.actor, patientId: current.patientId, ...(by.via ? { via: by.via } : {}) };
      await deps.audit.record(
        { ...subject, ...(current.journeyId ? { journeyId: current.journeyId } : {}), action: 'appointment.read', outcome: 'success' },
        now,
      );
      return { outcome: 'UNCHANGED', appointment: current };
    };
    if (
      request.change === 'reschedule' &&
      request.idempotencyKey &&
      current.history?.some((h) => h.requestKey === request.idempotencyKey)
    ) {
      return unchanged();
    }
    const check = checkTransition(current.status, request.change);
    if (check.kind === 'ILLEGAL') throw HttpError.withMessage(409, check.message);
    if (check.kind === 'ALREADY') return unchanged();
    const tooLate = checkTiming(request.change, new Date(current.start), now, current.timeZone);
    if (tooLate) throw HttpError.withMessage(409, tooLate);

    const audit = {
      clinicId: by.clinicId,
      actor: by.actor,
      patientId: current.patientId,
      ...(current.journeyId ? { journeyId: current.journeyId } : {}),
      ...(by.via ? { via: by.via } : {}),
      action: AUDIT_ACTIONS[request.change],
      outcome: 'success' as const,
    };
    if (request.change === 'reschedule') {
      const moved = await reschedule(deps, by, current, request, audit, now);
      if (moved) return moved;
      continue;
    }
    const next = changed(current, request, by.actor, now, await lateCancelHours(deps, current, request));
    // A journey's copy says so when its appointment is cancelled: a journey still running charges and confirms nothing.
    const journey =
      request.change === 'cancel' && current.journeyId ? { appointment: { ...journeyAppointment(next), status: 'CANCELLED' } } : undefined;
    const result = await deps.appointments.saveChange(current, next, audit, now, journey);
    if (result.outcome === 'CHANGED') {
      log.info('Appointment changed', { clinicId: by.clinicId, outcome: request.change });
      return { outcome: 'CHANGED', appointment: result.appointment };
    }
    // A late arrival's check-in takes the visit's time back, which someone may have booked since the no-show.
    if (result.outcome === 'TAKEN')
      throw HttpError.withMessage(409, "The visit's time has been booked since the no-show: book the patient a new visit");
  }
  throw HttpError.withMessage(409, 'The appointment kept changing while this change was being made: look at it again');
}

/** The clinic's late-cancel window, read only for a patient's cancellation. */
async function lateCancelHours(deps: ChangeAppointmentDeps, current: AppointmentRecord, request: ChangeRequest) {
  if (request.change !== 'cancel' || request.by !== 'patient') return undefined;
  return (await deps.catalog.load(current.clinicId))?.profile.lateCancelHours;
}

/** The end of the last day its order may be acted on (in the appointment's zone), 90 days from booking without an expiry. */
function orderEnd(current: AppointmentRecord, bookedAt: string): Date {
  const validUntil =
    current.order?.expiresOn ?? new Date(Date.parse(bookedAt) + DEFAULT_ORDER_VALIDITY_DAYS * 86_400_000).toISOString().slice(0, 10);
  return lastInstantOf(validUntil, [current.timeZone]);
}

/** The appointment after a change of status (every change but a reschedule). */
function changed(
  current: AppointmentRecord,
  request: Exclude<ChangeRequest, { change: 'reschedule' }>,
  actor: string,
  now: Date,
  cancelWindowHours: number | undefined,
): AppointmentRecord {
  const at = now.toISOString();
  const base = {
    ...current,
    revision: (current.revision ?? 0) + 1,
    history: [...(current.history ?? []), { change: request.change, at, by: actor }],
  };
  switch (request.change) {
    case 'check-in':
      return { ...base, status: 'CHECKED_IN', checkedInAt: at };
    case 'complete':
      return { ...base, status: 'COMPLETED', completedAt: at };
    case 'no-show':
      return { ...base, status: 'NO_SHOW', noShowAt: at };
    case 'cancel':
      return {
        ...base,
        status: 'CANCELLED',
        cancelledAt: at,
        cancellation: {
          by: request.by,
          reason: request.reason,
          late: isLateCancel(new Date(current.start), now, request.by, cancelWindowHours),
          ...(request.note ? { note: request.note } : {}),
        },
      };
  }
}

/**
 * Moves the appointment to the start asked (the same provider first when free, else another at the location, unless
 * one is named), or to the earliest open slot from now: the new time is taken and the old given back in one write.
 * `undefined` when the appointment changed meanwhile (read it again); no open slot answers with alternatives.
 */
async function reschedule(
  deps: ChangeAppointmentDeps,
  by: ChangeActor,
  current: AppointmentRecord,
  request: Extract<ChangeRequest, { change: 'reschedule' }>,
  audit: Parameters<ChangeAppointmentDeps['appointments']['saveChange']>[2],
  now: Date,
): Promise<ChangeResult | undefined> {
  const catalog = requireCatalog(await deps.catalog.load(by.clinicId));
  const type = catalog.appointmentTypes.find((t) => t.code === current.appointmentType);
  if (!type) throw HttpError.withMessage(409, `Appointment type ${current.appointmentType} is no longer offered: cancel and book another`);
  const preferences = { locationId: current.location.id, ...(request.providerId ? { providerId: request.providerId } : {}) };
  const search = { clinicId: by.clinicId, catalog, type, preferences, now, moving: current };
  const from = request.start ? new Date(request.start) : now;
  // Under a physician's order, never past the end of its last valid day.
  const orderEnds = current.order ? orderEnd(current, current.createdAt) : undefined;
  const horizonEnd = new Date(from.getTime() + HORIZON_DAYS * 86_400_000);
  const within = request.start
    ? { start: from, end: new Date(from.getTime() + 1) }
    : { start: from, end: orderEnds && orderEnds < horizonEnd ? orderEnds : horizonEnd };
  if (orderEnds && from >= orderEnds) {
    throw HttpError.withMessage(
      409,
      `The physician's order it was booked under may be acted on until ${current.order?.expiresOn ?? 'its expiry'}`,
    );
  }
  // Asked to move where it already is (a repeated request): nothing to do.
  if (
    request.start &&
    Date.parse(request.start) === Date.parse(current.start) &&
    (!request.providerId || request.providerId === current.provider.id)
  ) {
    return { outcome: 'UNCHANGED', appointment: current };
  }
  const { candidates: found } = await searchOpenSlots(deps.appointments, { ...search, within, limit: request.start ? 1 : ALTERNATIVES });
  const sameProviderFirst = (c: SlotCandidate) => (c.resources[0]?.resourceId === current.provider.id ? 0 : 1);
  const candidates = found
    .filter(
      (c) => !(c.start.getTime() === Date.parse(current.start) && c.resources.every((r) => current.resourceIds.includes(r.resourceId))),
    )
    .sort((a, b) => a.start.getTime() - b.start.getTime() || sameProviderFirst(a) - sameProviderFirst(b));

  for (const candidate of candidates) {
    const at = now.toISOString();
    const { resource: _old, ...kept } = current;
    const moved = appointmentOf(catalog, type, candidate, {
      appointmentId: current.appointmentId,
      clinicId: current.clinicId,
      patientId: current.patientId,
      bookedBy: current.bookedBy ?? by.actor,
      now: new Date(current.createdAt),
    });
    const next: AppointmentRecord = {
      ...kept,
      ...moved,
      ...(current.journeyId ? { journeyId: current.journeyId } : {}),
      revision: (current.revision ?? 0) + 1,
      history: [
        ...(current.history ?? []),
        {
          change: 'reschedule',
          at,
          by: by.actor,
          from: { start: current.start, end: current.end, resourceIds: current.resourceIds },
          ...(request.idempotencyKey ? { requestKey: request.idempotencyKey } : {}),
        },
      ],
    };
    if (!type.bufferBeforeMinutes) delete next.bufferBeforeMinutes;
    if (!type.bufferAfterMinutes) delete next.bufferAfterMinutes;
    const journey = current.journeyId ? { appointment: { ...journeyAppointment(next) } } : undefined;
    // Another writer on the same busy day at that moment (CONTENDED) may well fail: the same candidate again, shortly.
    let result = await deps.appointments.saveChange(current, next, audit, now, journey);
    for (let retry = 1; result.outcome === 'CONTENDED' && retry <= 3; retry += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60 * retry));
      result = await deps.appointments.saveChange(current, next, audit, now, journey);
    }
    if (result.outcome === 'CHANGED') {
      log.info('Appointment rescheduled', { clinicId: by.clinicId, outcome: 'reschedule' });
      return { outcome: 'CHANGED', appointment: result.appointment };
    }
    if (result.outcome === 'STALE') return undefined;
    // TAKEN (or still contended): the next candidate.
  }
  const { candidates: after } = await searchOpenSlots(deps.appointments, {
    ...search,
    within: { start: from, end: new Date(from.getTime() + 14 * 86_400_000) },
    limit: ALTERNATIVES,
  });
  return { outcome: 'SLOT_UNAVAILABLE', alternatives: after.slice(0, ALTERNATIVES).map((c) => slotOf(catalog, type, c)) };
}
