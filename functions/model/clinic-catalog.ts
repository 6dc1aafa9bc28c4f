import type { ContactCategory, ServiceLevels, StaffQueue } from '#contract/staff-queues.ts';
import type { DayOfWeek } from './patient-records.ts';
import type { PriorAuthorizationRule } from './prior-authorization.ts';

/**
 * A clinic's bookable world: locations (each in its own time zone), departments, resources (providers, rooms,
 * devices such as an MRI scanner) with weekly hours, and appointment types. Small and read-mostly: one Query on the
 * clinic partition loads it (see docs/data-model.md).
 */

export interface ClinicProfile {
  clinicId: string;
  name: string;
  /** The clinic's billing provider for eligibility requests. */
  npi: string;
  organizationName: string;
  /** Sender identity for correspondence. */
  replyToEmail: string;
  phone: string;
  /** Minutes within which staff tasks of each priority must be dealt with, where the defaults do not suit the clinic. */
  serviceLevels?: Partial<ServiceLevels>;
  /** Hours before the start within which a patient's cancellation is late (DEFAULT_LATE_CANCEL_HOURS otherwise). */
  lateCancelHours?: number;
  /** Minutes after the start after which a visit nobody checked in is a no-show (DEFAULT_NO_SHOW_AFTER_MINUTES otherwise). */
  noShowAfterMinutes?: number;
  /** Minutes a waitlist offer of freed time stays open before it goes to the next in line (DEFAULT_OFFER_MINUTES). */
  waitlistOfferMinutes?: number;
  /** Days before a visit its coverage is checked again (and again on the day); 3 unless the clinic says otherwise. */
  reverifyDaysBefore?: number;
  /** Where logged contacts go, per category, where the defaults (DEFAULT_CONTACT_ROUTING) do not suit the clinic. */
  contactRouting?: Partial<Record<ContactCategory, StaffQueue>>;
}

export interface Location {
  locationId: string;
  name: string;
  address: string;
  /** IANA zone, e.g. "America/New_York". Slot times are computed in it. */
  timeZone: string;
}

export interface Department {
  departmentId: string;
  name: string;
  locationId: string;
  /** Where the department's scheduling problems go when not the shared `scheduling` queue (e.g. imaging: `radiology`). */
  staffQueue?: StaffQueue;
}

/** "HH:MM" 24-hour local time at the resource's location. */
export type LocalTime = string;

export interface Resource {
  resourceId: string;
  kind: 'provider' | 'room' | 'device';
  name: string;
  departmentId: string;
  locationId: string;
  /** Weekly opening hours, local time; several ranges per day allowed (e.g. a lunch break). */
  weeklyHours: Partial<Record<DayOfWeek, Array<{ start: LocalTime; end: LocalTime }>>>;
  /** Provider NPI, for providers. */
  npi?: string;
}

export interface AppointmentType {
  code: string;
  name: string;
  departmentId: string;
  durationMinutes: number;
  /** Every kind listed must be free for the whole slot: e.g. MRI needs a 'provider' (technologist) and a 'device'. */
  requires: Array<Resource['kind']>;
  /** X12 service type code sent in the 270 (e.g. "30" health benefit plan coverage, "98" office visit, "PT", "MH"). */
  serviceTypeCode: string;
  /** Allowed amount used to estimate what the patient owes when the plan has no flat copay (unless a payer rate says otherwise). */
  allowedAmountCents: number;
  /** Minutes the resources are held before the start (e.g. preparing the room) and after the end (cleaning, notes). */
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  /**
   * For an office visit (service type 98): with a primary care provider or a specialist. Payers often give a copay for
   * each; without this, a response that does leaves the copay to a person.
   */
  officeVisit?: 'primary-care' | 'specialist';
  /** CPT codes of the procedures this type performs: a physician's order for one of them is booked as this type. */
  procedureCodes?: string[];
  requiresPhysicianOrder: boolean;
}

/** A whole local day a location is closed (a holiday, a closure): nothing there is bookable that day. */
export interface Closure {
  locationId: string;
  /** YYYY-MM-DD, the location's calendar. */
  date: string;
  name: string;
}

/** A resource not bookable from one instant to another, whatever its weekly hours: time off, or a block (a meeting). */
export interface Unavailability {
  resourceId: string;
  kind: 'time-off' | 'block';
  /** ISO instants with offset; half-open. */
  start: string;
  end: string;
}

export interface ClinicCatalog {
  profile: ClinicProfile;
  locations: Location[];
  departments: Department[];
  resources: Resource[];
  appointmentTypes: AppointmentType[];
  closures?: Closure[];
  unavailability?: Unavailability[];
  /**
   * The clinic's network status with each payer (at one location, or all): whose in-network or out-of-network terms
   * apply to its patients. A payer not listed is taken as in network.
   */
  payerNetworks?: PayerNetwork[];
  /**
   * Each payer's list of procedures (CPT) it wants authorized before they are done, as the clinic knows it from the
   * payer's published list: a booked visit for one of them waits for an approval even when the 271 says nothing.
   */
  priorAuthorizationRules?: PriorAuthorizationRule[];
  /** The clinic's contracted rates: what a payer allows for a visit type, where it differs from the type's own amount. */
  payerRates?: PayerRate[];
}

export interface PayerRate {
  payerId: string;
  appointmentTypeCode: string;
  allowedAmountCents: number;
}

/**
 * The allowed amount an estimate starts from: the payer's contracted rate for the type when the clinic is in the
 * payer's network (a contract is what makes it so), else the type's own.
 */
export function allowedAmountFor(
  catalog: Pick<ClinicCatalog, 'payerRates'>,
  payer: { payerId: string; inNetwork: boolean } | undefined,
  type: Pick<AppointmentType, 'code' | 'allowedAmountCents'>,
): { cents: number; from: 'payer-rate' | 'clinic' } {
  const rate = payer?.inNetwork
    ? catalog.payerRates?.find((r) => r.payerId === payer.payerId && r.appointmentTypeCode === type.code)
    : undefined;
  return rate ? { cents: rate.allowedAmountCents, from: 'payer-rate' } : { cents: type.allowedAmountCents, from: 'clinic' };
}

export interface PayerNetwork {
  /** The clearinghouse's payer ID, as coverage records carry it. */
  payerId: string;
  locationId?: string;
  network: 'IN' | 'OUT';
}

/** The clinic's network status with a payer at a location: the location's own entry, else the clinic-wide one, else in. */
export function networkWith(catalog: Pick<ClinicCatalog, 'payerNetworks'>, payerId: string, locationId?: string): 'IN' | 'OUT' {
  const entries = (catalog.payerNetworks ?? []).filter((p) => p.payerId === payerId);
  return (
    (entries.find((p) => locationId !== undefined && p.locationId === locationId) ?? entries.find((p) => !p.locationId))?.network ?? 'IN'
  );
}
