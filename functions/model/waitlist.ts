/**
 * The waitlist: patients waiting for earlier or any time of an appointment type, optionally at one location, with one
 * provider, within a date window, in order of priority, then time waiting. When time frees, the first entry it fits is
 * offered it; an offer expires, and the next in line gets it. Pure: no AWS.
 */
export const WAITLIST_PRIORITIES = ['urgent', 'high', 'normal'] as const;
export type WaitlistPriority = (typeof WAITLIST_PRIORITIES)[number];

export interface WaitlistEntry {
  type: 'WaitlistEntry';
  clinicId: string;
  entryId: string;
  patientId: string;
  appointmentType: string;
  locationId?: string;
  providerId?: string;
  /** YYYY-MM-DD, the location's calendar: no slot before or after. */
  earliestDate?: string;
  latestDate?: string;
  priority: WaitlistPriority;
  /** WAITING: in line; OFFERED: an offer is open; BOOKED: an offer was accepted; REMOVED: taken off by staff. */
  status: 'WAITING' | 'OFFERED' | 'BOOKED' | 'REMOVED';
  /** The journey that found no slot, if one did: its booking is the journey's appointment. */
  journeyId?: string;
  /**
   * A booked visit the patient would rather have earlier ("earliest possible"): only slots starting before it are
   * offered, and an accepted offer moves it (a reschedule) instead of booking another.
   */
  moves?: { appointmentId: string; start: string };
  /** The open offer while OFFERED. */
  offerId?: string;
  /** Freed slots this entry was offered and let expire: not offered again. */
  passedSlots?: string[];
  appointmentId?: string;
  createdAt: string;
  createdBy: string;
}

/** A freed slot, as offered: the visit's times and what it holds. */
export interface FreedSlot {
  appointmentType: string;
  start: string;
  end: string;
  locationId: string;
  resourceIds: string[];
}

/** One name per freed slot (its start and resources), so an entry that let it pass is not offered it again. */
export const slotKeyOf = (slot: FreedSlot) => `${slot.start}#${slot.resourceIds.join('+')}`;

/** The order of the line: priority, then time waiting, then ID (a total order, so a position is a cursor). */
export function waitlistPosition(entry: Pick<WaitlistEntry, 'priority' | 'createdAt' | 'entryId'>): string {
  return `${WAITLIST_PRIORITIES.indexOf(entry.priority)}#${entry.createdAt}#${entry.entryId}`;
}

/** Whether a freed slot is one the entry waits for: its type, location, provider and dates (`localDate`: the slot's). */
export function fitsEntry(entry: WaitlistEntry, slot: FreedSlot, localDate: string): boolean {
  return (
    entry.status === 'WAITING' &&
    entry.appointmentType === slot.appointmentType &&
    (!entry.locationId || entry.locationId === slot.locationId) &&
    (!entry.providerId || slot.resourceIds.includes(entry.providerId)) &&
    (!entry.earliestDate || localDate >= entry.earliestDate) &&
    (!entry.latestDate || localDate <= entry.latestDate) &&
    (!entry.moves || Date.parse(slot.start) < Date.parse(entry.moves.start)) &&
    !(entry.passedSlots ?? []).includes(slotKeyOf(slot))
  );
}

/** Minutes an offer stays open, unless the clinic says otherwise. */
export const DEFAULT_OFFER_MINUTES = 120;
/** Freed time sooner than this is not offered: a patient could not get there. */
export const OFFER_LEAD_MINUTES = 60;
