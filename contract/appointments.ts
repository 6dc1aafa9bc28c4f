/** An appointment's statuses, the changes staff make to it and why a visit is cancelled: the API's vocabulary. */

export const APPOINTMENT_STATUSES = ['BOOKED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const APPOINTMENT_CHANGES = ['reschedule', 'cancel', 'check-in', 'no-show', 'complete'] as const;
export type AppointmentChange = (typeof APPOINTMENT_CHANGES)[number];

/** Who asked for a cancellation: it decides the late-cancel fee policy (later) and what the patient is told. */
export const CANCELLED_BY = ['patient', 'clinic'] as const;
/** Why, as a code: reports count them, and free text (which could be clinical) stays in the optional note. */
export const CANCEL_REASONS = [
  'PATIENT_REQUEST',
  'PATIENT_ILL',
  'SCHEDULING_CONFLICT',
  'TRANSPORTATION',
  'PROVIDER_UNAVAILABLE',
  'FACILITY_CLOSED',
  'WEATHER',
  'DUPLICATE',
  'OTHER',
] as const;
