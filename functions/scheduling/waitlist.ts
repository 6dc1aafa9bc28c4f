import { randomBytes } from 'node:crypto';
import type { Slot } from '#contract/api/appointment-schema.ts';
import type { AppointmentChangedDetail, CalendarOpenedDetail } from '#contract/appointment-events.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { idDigest } from '#model/id-digest.ts';
import { appointmentIdOf } from '#model/journey.ts';
import {
  DEFAULT_OFFER_MINUTES,
  type FreedSlot,
  fitsEntry,
  OFFER_LEAD_MINUTES,
  slotKeyOf,
  type WaitlistEntry,
  type WaitlistPriority,
} from '#model/waitlist.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import { auditSession } from '#shared/audit.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { CorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import type { Mailer } from '#shared/mail/mailer-port.ts';
import { type MessageClaims, sendOnce } from '#shared/mail/send-once.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { appointmentOf } from './book-earliest.ts';
import { changeAppointment } from './change-appointment.ts';
import { composeWaitlistOffer } from './compose-waitlist-offer.ts';
import type { SlotCandidate } from './find-slots.ts';
import { searchOpenSlots, slotOf } from './open-slots.ts';
import type { WaitlistOffer, WaitlistStore } from './waitlist-store.ts';

const hashOf = (...parts: string[]) => idDigest(32, ...parts);
/** An entry is named by its clinic and the request that made it (an Idempotency-Key, or `journey:<id>`). */
export const entryIdOf = (clinicId: string, requestKey: string) => `wl-${hashOf(clinicId, requestKey)}`;
/**
 * An offer's token: 192 random bits, in hex because it travels as a path ID, which must start with a letter or digit
 * (base64url could start with '-' or '_').
 */
export const newOfferToken = () => randomBytes(24).toString('hex');

/** An offer is found by the hash of its link's token: the table never holds the token. */
export const offerIdOf = (token: string) => hashOf('offer', token);

export interface JoinWaitlistDeps extends Pick<SharedStores, 'patients' | 'audit'> {
  waitlist: WaitlistStore;
  now: () => Date;
}

/** What a new entry asks for (as the entry has it), its priority (normal unless said), and the request it comes from. */
export type JoinRequest = Pick<
  WaitlistEntry,
  'patientId' | 'appointmentType' | 'locationId' | 'providerId' | 'earliestDate' | 'latestDate' | 'journeyId' | 'moves'
> & { priority?: WaitlistPriority; requestKey: string };

/** Puts a patient in line for an appointment type (staff, or a journey that found no slot); a repeat finds the entry. */
export async function joinWaitlist(
  deps: JoinWaitlistDeps,
  by: { clinicId: string; actor: string; via?: string },
  request: JoinRequest,
): Promise<{ outcome: 'ADDED' | 'ALREADY'; entry: WaitlistEntry }> {
  const now = deps.now();
  const { requestKey, priority, ...wanted } = request;
  const entry: WaitlistEntry = {
    type: 'WaitlistEntry',
    clinicId: by.clinicId,
    entryId: entryIdOf(by.clinicId, requestKey),
    ...wanted,
    priority: priority ?? 'normal',
    status: 'WAITING',
    createdAt: now.toISOString(),
    createdBy: by.actor,
  };
  const existing = await deps.waitlist.get(by.clinicId, entry.entryId);
  if (existing) return { outcome: 'ALREADY', entry: existing };
  const audit = auditSession(
    deps.audit,
    {
      clinicId: by.clinicId,
      actor: by.actor,
      patientId: request.patientId,
      ...(request.journeyId ? { journeyId: request.journeyId } : {}),
      ...(by.via ? { via: by.via } : {}),
    },
    now,
  );
  await audit.before('waitlist.join');
  if (!(await deps.waitlist.add(entry)))
    return { outcome: 'ALREADY', entry: (await deps.waitlist.get(by.clinicId, entry.entryId)) ?? entry };
  log.info('Waitlist joined', { clinicId: by.clinicId, outcome: 'ADDED' });
  return { outcome: 'ADDED', entry };
}

/**
 * The booked visit a staff entry moves earlier (`moveAppointmentId`): this patient's, of this type, still booked, and
 * at the location asked for if one is (a visit moves within its location). Read in the person's name. 400 otherwise.
 */
export async function visitToMove(
  deps: Pick<SharedStores, 'appointments' | 'audit'> & { now: () => Date },
  by: { clinicId: string; actor: string; via?: string },
  appointmentId: string,
  wanted: { patientId: string; appointmentType: string; locationId?: string },
): Promise<{ moves: NonNullable<WaitlistEntry['moves']>; locationId: string }> {
  const visit = await deps.appointments.getById(by.clinicId, appointmentId);
  const fits =
    visit?.patientId === wanted.patientId &&
    visit.appointmentType === wanted.appointmentType &&
    visit.status === 'BOOKED' &&
    (!wanted.locationId || wanted.locationId === visit.location.id);
  if (!visit || !fits)
    throw HttpError.badRequest([{ path: 'moveAppointmentId', message: 'is not a booked visit of this patient, type and location' }]);
  await deps.audit.record({ ...by, patientId: visit.patientId, action: 'appointment.read', outcome: 'success' }, deps.now());
  return { moves: { appointmentId, start: visit.start }, locationId: visit.location.id };
}

/** Where an offer's expiry is scheduled (EventBridge Scheduler). */
export interface OfferTimerPort {
  schedule(offer: { clinicId: string; offerId: string; at: Date }): Promise<void>;
}

/** A message claim per offer: the offer goes out once. */
export type OfferMessageClaims = MessageClaims<{ clinicId: string; offerId: string }>;

export interface OfferDeps extends Pick<SharedStores, 'appointments' | 'catalog' | 'patients' | 'audit'> {
  waitlist: WaitlistStore;
  timers: OfferTimerPort;
  recipients: CorrespondenceStore;
  messages: OfferMessageClaims;
  mailer: Mailer;
  /** The API's public base URL: the offer's link is `<base>/v1/clinics/<c>/waitlist-offers/<token>`. */
  offerLinkBase: string;
  now: () => Date;
  /** A new unguessable token (tests pass their own). */
  newToken?: () => string;
}

const ACTOR = 'function:offerFreedTime';

/**
 * Time freed by a cancellation or a new time (an AppointmentChanged event) is offered to the waitlist: the first entry
 * in line (priority, then time waiting) whose type, location, provider and dates it fits.
 */
export async function offerFreedTime(deps: OfferDeps, event: AppointmentChangedDetail): Promise<'OFFERED' | 'NONE'> {
  if (event.change !== 'cancel' && event.change !== 'reschedule') return 'NONE';
  const appointment = await deps.appointments.getById(event.clinicId, event.appointmentId);
  if (!appointment) return 'NONE';
  const freed = event.change === 'cancel' ? appointment : appointment.history?.[event.revision - 1]?.from;
  if (!freed || (event.change === 'cancel' && appointment.status !== 'CANCELLED')) return 'NONE';
  return offerSlot(deps, event.clinicId, {
    appointmentType: appointment.appointmentType,
    start: freed.start,
    end: freed.end,
    locationId: appointment.location.id,
    resourceIds: freed.resourceIds,
  });
}

/** At most this many offers per opening: a new week of hours is not a hundred emails at once (the rest stays open). */
const MAX_OFFERS_PER_OPENING = 10;
/** Candidate slots looked at per opened window, resource and appointment type. */
const SLOTS_PER_WINDOW = 20;

/**
 * Time an admin's calendar change opened (new hours, a time off or closure removed) is offered to the waitlist: for
 * each opened resource, each appointment type it serves that someone waits for, and each opened window, the open slots
 * on that resource within the window, earliest first, each to the first entry in line it fits (offerSlot), never two
 * offers that share a resource's time (a provider, the scanner), at most MAX_OFFERS_PER_OPENING offers. Each slot of an
 * opening is claimed before it is offered (and the claim given back if the offer fails), so a redelivered event offers
 * none twice and retries what failed. The catalog is read as it is now (the handler's
 * store is not cached): the change that opened the time is in it.
 */
export async function offerOpenedTime(deps: OfferDeps, opening: CalendarOpenedDetail): Promise<'OFFERED' | 'NONE'> {
  const now = deps.now();
  const { clinicId } = opening;
  const catalog = await deps.catalog.load(clinicId);
  const reachable = now.getTime() + OFFER_LEAD_MINUTES * 60_000;
  const windows = opening.windows
    .map((w) => ({ start: Math.max(Date.parse(w.start), reachable), end: Date.parse(w.end) }))
    .filter((w) => w.start < w.end);
  if (!catalog || windows.length === 0) return 'NONE';
  const waiting = new Map<string, boolean>();
  const someoneWaits = async (code: string) => {
    if (!waiting.has(code)) waiting.set(code, (await deps.waitlist.inLine(clinicId, code, 'WAITING', 1)).length > 0);
    return waiting.get(code) === true;
  };
  let offers = 0;
  // Every resource's time offered (or claimed before) so far: no two offers share a provider, room or device.
  const offered = new Map<string, Array<[number, number]>>();
  const overlaps = (resourceIds: string[], [start, end]: [number, number]) =>
    resourceIds.some((id) => (offered.get(id) ?? []).some(([from, until]) => from < end && start < until));
  const hold = (resourceIds: string[], held: [number, number]) => {
    for (const id of resourceIds) offered.set(id, [...(offered.get(id) ?? []), held]);
  };
  for (const resource of catalog.resources.filter((r) => opening.resourceIds.includes(r.resourceId))) {
    const types = catalog.appointmentTypes.filter((t) => t.departmentId === resource.departmentId && t.requires.includes(resource.kind));
    for (const type of types) {
      if (!(await someoneWaits(type.code))) continue;
      for (const window of windows) {
        const { candidates } = await searchOpenSlots(deps.appointments, {
          clinicId,
          catalog,
          type,
          preferences:
            resource.kind === 'provider'
              ? { providerId: resource.resourceId, locationId: resource.locationId }
              : { locationId: resource.locationId },
          within: { start: new Date(window.start), end: new Date(window.end) },
          now,
          limit: SLOTS_PER_WINDOW,
        });
        for (const candidate of candidates) {
          const held: [number, number] = [
            candidate.start.getTime() - (type.bufferBeforeMinutes ?? 0) * 60_000,
            candidate.end.getTime() + (type.bufferAfterMinutes ?? 0) * 60_000,
          ];
          const resourceIds = candidate.resources.map((r) => r.resourceId);
          const usable = resourceIds.includes(resource.resourceId) && candidate.end.getTime() <= window.end && !overlaps(resourceIds, held);
          if (!usable) continue;
          const slot = slotOf(catalog, type, candidate);
          const freed = {
            appointmentType: type.code,
            start: slot.start,
            end: slot.end,
            locationId: candidate.location.locationId,
            resourceIds: candidate.resources.map((r) => r.resourceId),
          };
          const claimId = hashOf(opening.openingId, slotKeyOf(freed));
          if (!(await deps.waitlist.claimOnce(clinicId, claimId, candidate.end))) {
            hold(resourceIds, held); // offered by an earlier delivery of this opening
            continue;
          }
          // A failed offer gives its claim back, so the event's redelivery offers the slot again.
          const outcome = await offerSlot(deps, clinicId, freed).catch(async (error: unknown) => {
            await deps.waitlist.releaseClaim(clinicId, claimId);
            throw error;
          });
          if (outcome !== 'OFFERED') continue;
          hold(resourceIds, held);
          if (++offers >= MAX_OFFERS_PER_OPENING) return 'OFFERED';
        }
      }
    }
  }
  return offers > 0 ? 'OFFERED' : 'NONE';
}

/**
 * Offers a freed slot, still free and not too soon to reach, to the first entry in line it fits: an offer with an
 * unguessable link (its token's hash is its ID), an expiry (the clinic's `waitlistOfferMinutes`, 120 by default, and
 * never after the slot's start less the lead time), a timer that hands it to the next in line when it expires, and an
 * email to the patient. The slot is not held: whoever accepts first books it (the conditional write decides).
 */
export async function offerSlot(deps: OfferDeps, clinicId: string, slot: FreedSlot): Promise<'OFFERED' | 'NONE'> {
  const now = deps.now();
  const latestOffer = Date.parse(slot.start) - OFFER_LEAD_MINUTES * 60_000;
  if (now.getTime() >= latestOffer) return 'NONE';
  const catalog = await deps.catalog.load(clinicId);
  if (!catalog || !(await stillFree(deps, catalog, clinicId, slot, now))) return 'NONE';
  const fitting = (await deps.waitlist.inLine(clinicId, slot.appointmentType, 'WAITING', 100)).filter((e) =>
    fitsEntry(e, slot, slot.start.slice(0, 10)),
  );
  const entries = [];
  for (const entry of fitting) if (await stillWantsEarlier(deps, entry, slot.start)) entries.push(entry);
  const minutes = catalog.profile.waitlistOfferMinutes ?? DEFAULT_OFFER_MINUTES;
  const expiresAt = new Date(Math.min(now.getTime() + minutes * 60_000, latestOffer)).toISOString();
  for (const entry of entries) {
    const token = (deps.newToken ?? newOfferToken)();
    const offer: WaitlistOffer = {
      type: 'WaitlistOffer',
      clinicId,
      offerId: offerIdOf(token),
      entryId: entry.entryId,
      slot,
      expiresAt,
      status: 'OPEN',
      createdAt: now.toISOString(),
    };
    // The expiry first: an offer never exists without the timer that ends it (a timer for an offer never made finds
    // nothing to expire).
    await deps.timers.schedule({ clinicId, offerId: offer.offerId, at: new Date(expiresAt) });
    if (!(await deps.waitlist.offer(entry, offer))) continue; // the entry moved meanwhile: the next in line
    await tellOffer(deps, catalog, entry, offer, token, now).catch(async (error: unknown) => {
      // Not told: the offer is withdrawn and the entry back in line, for the event's redelivery to offer again.
      await deps.waitlist.settle(offer, 'OPEN', 'WITHDRAWN');
      throw error;
    });
    log.info('Freed time offered', { clinicId, outcome: 'OFFERED' });
    return 'OFFERED';
  }
  return 'NONE';
}

/**
 * An entry that moves a booked visit earlier wants this time only while that visit is still booked and later; an
 * entry whose visit is no longer booked leaves the line. Other entries always do.
 */
async function stillWantsEarlier(
  deps: Pick<OfferDeps, 'appointments' | 'waitlist'>,
  entry: WaitlistEntry,
  start: string,
): Promise<boolean> {
  if (!entry.moves) return true;
  const visit = await deps.appointments.getById(entry.clinicId, entry.moves.appointmentId);
  if (visit?.status !== 'BOOKED') {
    await deps.waitlist.remove(entry.clinicId, entry.entryId);
    return false;
  }
  return Date.parse(start) < Date.parse(visit.start);
}

/** The email with the link; a patient without an email address or consent is offered nothing by email (the desk can call). */
async function tellOffer(deps: OfferDeps, catalog: ClinicCatalog, entry: WaitlistEntry, offer: WaitlistOffer, token: string, now: Date) {
  const audit = auditSession(
    deps.audit,
    { clinicId: entry.clinicId, actor: ACTOR, patientId: entry.patientId, ...(entry.journeyId ? { journeyId: entry.journeyId } : {}) },
    now,
  );
  await audit.before('patient.read', 'message.send');
  const patient = await deps.patients.read({ clinicId: entry.clinicId, patientId: entry.patientId, journeyId: entry.journeyId }, audit, [
    'firstName',
    'email',
    'communication',
  ]);
  if (!patient.email || patient.communication?.email === false) {
    await audit.failed('message.send');
    return;
  }
  const location = catalog.locations.find((l) => l.locationId === offer.slot.locationId);
  const provider = catalog.resources.find((r) => offer.slot.resourceIds.includes(r.resourceId) && r.kind === 'provider');
  const resource = catalog.resources.find((r) => offer.slot.resourceIds.includes(r.resourceId) && r.kind !== 'provider');
  const type = catalog.appointmentTypes.find((t) => t.code === offer.slot.appointmentType);
  const department = catalog.departments.find((d) => d.departmentId === type?.departmentId);
  const composed = composeWaitlistOffer({
    firstName: patient.firstName,
    clinic: { name: catalog.profile.name, phone: catalog.profile.phone },
    appointment: {
      start: offer.slot.start,
      end: offer.slot.end,
      timeZone: location?.timeZone ?? 'UTC',
      location: { name: location?.name ?? '', address: location?.address ?? '' },
      department: { name: department?.name ?? '' },
      provider: { name: provider?.name ?? '' },
      ...(resource ? { resource: { name: resource.name } } : {}),
    },
    acceptUrl: `${deps.offerLinkBase}/v1/clinics/${entry.clinicId}/waitlist-offers/${token}`,
    expiresAt: offer.expiresAt,
  });
  const email = { ...composed, to: patient.email, replyTo: catalog.profile.replyToEmail, idempotencyKey: `offer-${offer.offerId}` };
  await sendOnce(deps.messages, { clinicId: entry.clinicId, offerId: offer.offerId }, deps.mailer, email, audit, now);
}

/** The freed slot's own resources are all still free at its start (nobody booked it meanwhile). */
async function stillFree(deps: Pick<OfferDeps, 'appointments'>, catalog: ClinicCatalog, clinicId: string, slot: FreedSlot, now: Date) {
  return (await candidateFor(deps, catalog, clinicId, slot, now)) !== undefined;
}

async function candidateFor(
  deps: Pick<OfferDeps, 'appointments'>,
  catalog: ClinicCatalog,
  clinicId: string,
  slot: FreedSlot,
  now: Date,
): Promise<SlotCandidate | undefined> {
  const type = catalog.appointmentTypes.find((t) => t.code === slot.appointmentType);
  if (!type) return undefined;
  const start = new Date(slot.start);
  const { candidates } = await searchOpenSlots(deps.appointments, {
    clinicId,
    catalog,
    type,
    preferences: { locationId: slot.locationId },
    within: { start, end: new Date(start.getTime() + 1) },
    now,
    limit: 1,
  });
  const wanted = [...slot.resourceIds].sort().join();
  return candidates.find(
    (c) =>
      c.resources
        .map((r) => r.resourceId)
        .sort()
        .join() === wanted,
  );
}

/** An offer's expiry comes due: still open, it expires (the entry keeps its place) and the slot goes to the next in line. */
export async function expireOffer(deps: OfferDeps, ref: { clinicId: string; offerId: string }): Promise<'EXPIRED' | 'NOT_DUE'> {
  const offer = await deps.waitlist.getOffer(ref.clinicId, ref.offerId);
  if (offer?.status !== 'OPEN' || deps.now() < new Date(offer.expiresAt)) return 'NOT_DUE';
  if (!(await deps.waitlist.settle(offer, 'OPEN', 'EXPIRED'))) return 'NOT_DUE';
  await offerSlot(deps, ref.clinicId, offer.slot);
  return 'EXPIRED';
}

export type AcceptResult =
  | { outcome: 'BOOKED'; appointment: AppointmentRecord }
  | { outcome: 'TAKEN'; alternatives: Slot[] }
  | { outcome: 'ALREADY_BOOKED_ANOTHER' };

/**
 * The patient accepts an offer through its link: the slot is booked for them with the same conditional write as any
 * booking, under their journey's appointment ID when a journey put them in line (its RETRY then finds it booked). An
 * offer is honoured while the slot is free, even after it expired: whoever accepts first books it; the other is told
 * it was taken, with the next open slots. A repeat of an accepted offer answers with the booking.
 */
export type AcceptOfferDeps = Pick<OfferDeps, 'waitlist' | 'appointments' | 'catalog' | 'audit' | 'now'>;

/**
 * An offer to an entry that waits for earlier time than its booked visit: accepting moves the visit (a reschedule by
 * the patient, with the offer as its idempotency key, so a repeat moves it once); a visit no longer booked cannot move.
 */
async function acceptEarlierTime(
  deps: AcceptOfferDeps,
  accepted: {
    entry: WaitlistEntry;
    offer: WaitlistOffer;
    moves: NonNullable<WaitlistEntry['moves']>;
    catalog: ClinicCatalog;
    via: string | undefined;
  },
): Promise<AcceptResult> {
  const { entry, offer, moves, catalog } = accepted;
  const providerId = catalog.resources.find((r) => offer.slot.resourceIds.includes(r.resourceId) && r.kind === 'provider')?.resourceId;
  const by = { clinicId: entry.clinicId, actor: `patient:${entry.patientId}`, ...(accepted.via ? { via: accepted.via } : {}) };
  const visit = await deps.appointments.getById(entry.clinicId, moves.appointmentId);
  const movedHereAlready = visit?.history?.some((h) => h.requestKey === `offer-${offer.offerId}`);
  if (!movedHereAlready && (visit?.status !== 'BOOKED' || Date.parse(visit.start) <= Date.parse(offer.slot.start))) {
    // Cancelled, done, or moved as early meanwhile: nothing to move. The offer stays open, so its expiry passes the time on.
    await deps.waitlist.remove(entry.clinicId, entry.entryId);
    return { outcome: 'ALREADY_BOOKED_ANOTHER' };
  }
  const moved =
    offer.status === 'TAKEN'
      ? undefined
      : await changeAppointment(deps, by, moves.appointmentId, {
          change: 'reschedule',
          start: offer.slot.start,
          ...(providerId ? { providerId } : {}),
          idempotencyKey: `offer-${offer.offerId}`,
        }).catch((error: unknown) => {
          // The visit began, its order ran out, or it kept changing: it does not move to this time.
          if (error instanceof HttpError && error.statusCode === 409) return { outcome: 'SLOT_UNAVAILABLE' as const, alternatives: [] };
          throw error;
        });
  if (moved && moved.outcome !== 'SLOT_UNAVAILABLE') {
    await deps.waitlist.settle(offer, offer.status, 'ACCEPTED', moved.appointment.appointmentId);
    log.info('Waitlist offer accepted', { clinicId: entry.clinicId, outcome: 'MOVED' });
    return { outcome: 'BOOKED', appointment: moved.appointment };
  }
  if (offer.status === 'OPEN') await deps.waitlist.settle(offer, 'OPEN', 'TAKEN');
  log.info('Waitlist offer taken meanwhile', { clinicId: entry.clinicId, outcome: 'TAKEN' });
  const alternatives = moved?.outcome === 'SLOT_UNAVAILABLE' ? moved.alternatives : [];
  return { outcome: 'TAKEN', alternatives: alternatives.filter((s) => Date.parse(s.start) < Date.parse(moves.start)).slice(0, 3) };
}

export async function acceptOffer(deps: AcceptOfferDeps, clinicId: string, token: string, via?: string): Promise<AcceptResult> {
  const now = deps.now();
  const offer = await deps.waitlist.getOffer(clinicId, offerIdOf(token));
  if (!offer) throw HttpError.withMessage(404, 'This offer does not exist');
  const entry = await deps.waitlist.get(clinicId, offer.entryId);
  if (!entry) throw HttpError.withMessage(404, 'This offer does not exist');
  // The visit an accepted offer booked, or moved (earliest possible).
  const appointmentId =
    entry.moves?.appointmentId ?? (entry.journeyId ? appointmentIdOf(entry.journeyId) : `appt-${hashOf(entry.entryId)}`);
  if (offer.status === 'ACCEPTED') {
    const booked = await deps.appointments.getById(clinicId, appointmentId);
    if (booked) return { outcome: 'BOOKED', appointment: booked };
  }
  if (entry.status === 'BOOKED' || entry.status === 'REMOVED') return { outcome: 'ALREADY_BOOKED_ANOTHER' };
  const catalog = await deps.catalog.load(clinicId);
  const type = catalog?.appointmentTypes.find((t) => t.code === offer.slot.appointmentType);
  if (!catalog || !type) throw HttpError.withMessage(409, 'This appointment is no longer offered');
  if (entry.moves) return acceptEarlierTime(deps, { entry, offer, moves: entry.moves, catalog, via });
  const audit = auditSession(
    deps.audit,
    {
      clinicId,
      actor: `patient:${entry.patientId}`,
      patientId: entry.patientId,
      ...(entry.journeyId ? { journeyId: entry.journeyId } : {}),
      ...(via ? { via } : {}),
    },
    now,
  );
  await audit.before('appointment.create');
  const candidate = offer.status === 'TAKEN' ? undefined : await candidateFor(deps, catalog, clinicId, offer.slot, now);
  if (candidate) {
    const result = await deps.appointments.book({
      ...appointmentOf(catalog, type, candidate, {
        appointmentId,
        clinicId,
        patientId: entry.patientId,
        bookedBy: `patient:${entry.patientId}`,
        now,
        ...(entry.journeyId ? { journeyId: entry.journeyId } : {}),
      }),
    });
    if (result.outcome === 'BOOKED' || result.outcome === 'ALREADY_BOOKED') {
      await deps.waitlist.settle(offer, offer.status, 'ACCEPTED', result.appointment.appointmentId);
      log.info('Waitlist offer accepted', { clinicId, outcome: 'BOOKED' });
      return { outcome: 'BOOKED', appointment: result.appointment };
    }
  }
  await audit.failed('appointment.create');
  if (offer.status === 'OPEN') await deps.waitlist.settle(offer, 'OPEN', 'TAKEN');
  const { candidates } = await searchOpenSlots(deps.appointments, {
    clinicId,
    catalog,
    type,
    preferences: { ...(entry.locationId ? { locationId: entry.locationId } : {}) },
    within: { start: now, end: new Date(now.getTime() + 14 * 86_400_000) },
    now,
    limit: 3,
  });
  log.info('Waitlist offer taken meanwhile', { clinicId, outcome: 'TAKEN' });
  return { outcome: 'TAKEN', alternatives: candidates.slice(0, 3).map((c) => slotOf(catalog, type, c)) };
}
