import type { StaffRole } from './staff-roles.ts';

/**
 * The staff's work queues: every staff task belongs to one (functions/model/staff-task.ts routeStaffTask says which).
 * A clinic that routes a department's work to a queue of its own names that queue on the department in its catalog
 * (e.g. imaging's scheduling problems to `radiology`).
 */
export const STAFF_QUEUES = ['front-desk', 'eligibility', 'scheduling', 'billing', 'clinical-triage', 'radiology', 'ops'] as const;
export type StaffQueue = (typeof STAFF_QUEUES)[number];

/**
 * Who works each queue: sees its tasks, claims them, writes notes. Admins work every queue. Clinical triage is the
 * clinicians' alone: its slips carry clinical answers, which billing or the front desk have no need to read.
 */
export const QUEUE_ROLES: Readonly<Record<StaffQueue, readonly StaffRole[]>> = {
  'front-desk': ['front-desk', 'admin'],
  eligibility: ['front-desk', 'billing', 'admin'],
  scheduling: ['front-desk', 'radiology', 'admin'],
  // The front desk takes payments at the desk too.
  billing: ['billing', 'front-desk', 'admin'],
  'clinical-triage': ['clinical', 'admin'],
  radiology: ['radiology', 'admin'],
  ops: ['ops', 'admin'],
};

/** The queues a person with these roles works. */
export function queuesFor(roles: readonly StaffRole[]): StaffQueue[] {
  return STAFF_QUEUES.filter((queue) => QUEUE_ROLES[queue].some((role) => roles.includes(role)));
}

/** How soon a task must be dealt with; the due time follows from the clinic's service level for the priority. */
export const TASK_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Minutes from a task's creation to its due time, per priority. */
export type ServiceLevels = Readonly<Record<TaskPriority, number>>;

/**
 * Service levels for a clinic that set none (its catalog's `profile.serviceLevels` overrides any of them): an urgent
 * triage slip within 15 minutes, a journey held up at a stage within 2 hours (the patient is waiting for a booking or a
 * confirmation), routine work within the day, low within three days. Wall-clock minutes, not business hours.
 */
export const DEFAULT_SERVICE_LEVELS: ServiceLevels = { urgent: 15, high: 120, normal: 480, low: 3 * 24 * 60 };

/**
 * How a clinician closes a triage slip: what was done about the red-flag answers. CLINICIAN_WILL_CALL_BACK closes the
 * slip with the clinician's commitment on record (the note says when).
 */
export const TRIAGE_DISPOSITIONS = [
  'ADVISED_HOME_CARE',
  'APPOINTMENT_BOOKED',
  'SENT_TO_URGENT_CARE',
  'SENT_TO_ED',
  'CALLED_911',
  'CLINICIAN_WILL_CALL_BACK',
] as const;
export type TriageDisposition = (typeof TRIAGE_DISPOSITIONS)[number];

/** What an inbound contact is about (the clinic's list for calls, voicemails, portal messages and walk-in questions). */
export const CONTACT_CATEGORIES = ['appointment', 'billing', 'insurance', 'results', 'clinical-concern', 'records', 'other'] as const;
export type ContactCategory = (typeof CONTACT_CATEGORIES)[number];

/**
 * Where a contact's task goes, per category, for a clinic that set no routing of its own (its catalog's
 * `profile.contactRouting` overrides any of them). Results and clinical concerns go to clinicians.
 */
export const DEFAULT_CONTACT_ROUTING: Readonly<Record<ContactCategory, StaffQueue>> = {
  appointment: 'scheduling',
  billing: 'billing',
  insurance: 'eligibility',
  results: 'clinical-triage',
  'clinical-concern': 'clinical-triage',
  records: 'front-desk',
  other: 'front-desk',
};
