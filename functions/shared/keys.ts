/**
 * Key builders for the single table. Every partition key starts with the clinic, so tenant isolation is a property
 * of the key itself: no code path can address another clinic's item without naming that clinic.
 * The access patterns they serve are documented in docs/data-model.md.
 */
const clinic = (clinicId: string) => `CLINIC#${clinicId}`;
/** The catalog's own partition: its Query reads the catalog and nothing else, however many patients the clinic has. */
const catalog = (clinicId: string) => `${clinic(clinicId)}#CATALOG`;
/** A task's place in its lists: due time, then ID. */
export const staffTaskPosition = (dueAt: string, taskId: string) => `${dueAt}#${taskId}`;

export const keys = {
  /** Clinic profile and catalog (locations, departments, resources, appointment types): one Query loads it all. */
  clinic: (clinicId: string) => ({ PK: catalog(clinicId), SK: 'PROFILE' }),
  catalogPartition: (clinicId: string) => catalog(clinicId),
  location: (clinicId: string, locationId: string) => ({ PK: catalog(clinicId), SK: `LOCATION#${locationId}` }),
  department: (clinicId: string, departmentId: string) => ({ PK: catalog(clinicId), SK: `DEPARTMENT#${departmentId}` }),
  resource: (clinicId: string, resourceId: string) => ({ PK: catalog(clinicId), SK: `RESOURCE#${resourceId}` }),
  appointmentType: (clinicId: string, code: string) => ({ PK: catalog(clinicId), SK: `APPTTYPE#${code}` }),
  /** Location closures and resources' time off and blocks: one item, as they are read together and change together. */
  catalogCalendar: (clinicId: string) => ({ PK: catalog(clinicId), SK: 'CALENDAR' }),
  /** The clinic's terms with its payers (network status, prior-authorization lists): one item. */
  catalogPayerTerms: (clinicId: string) => ({ PK: catalog(clinicId), SK: 'PAYERS' }),
  /**
   * What a calendar change opened or closed (`opening-…`, `closing-…`), written in the change's transaction: the table's
   * stream carries it to the waitlist or to the collision check (contract/appointment-events.ts), so none is lost. Kept
   * a day.
   */
  calendarOutbox: (clinicId: string, itemId: string) => ({ PK: `${catalog(clinicId)}#OUTBOX#${itemId}`, SK: 'EVENT' }),
  /** A clinic's API key, by the hash of the key (the authorizer's one GetItem). */
  apiKey: (clinicId: string, keyHash: string) => ({ PK: clinic(clinicId), SK: `APIKEY#${keyHash}` }),

  /** Demographics and contact details; the item is only ever read by ID. */
  patient: (clinicId: string, patientId: string) => ({ PK: `${clinic(clinicId)}#PATIENT#${patientId}`, SK: 'PROFILE' }),
  /** Insurance as submitted (payer, member ID, subscriber); read by the eligibility stage. */
  coverage: (clinicId: string, patientId: string) => ({ PK: `${clinic(clinicId)}#PATIENT#${patientId}`, SK: 'COVERAGE' }),
  /** Unique per (clinic, normalised name + birth date): makes patient registration race-free. */
  patientMatch: (clinicId: string, matchHash: string) => ({ PK: clinic(clinicId), SK: `PATIENTMATCH#${matchHash}` }),

  /**
   * The submission as received (answers, preferences, consents). Its ID derives from the submission's idempotency key
   * (Idempotency-Key header, or a hash of the body: functions/intake/intake-records.ts submissionIdOf), so its
   * conditional put is the key's claim and a repeat finds the first submission, and its journey, here.
   */
  submission: (clinicId: string, submissionId: string) => ({ PK: `${clinic(clinicId)}#SUBMISSION#${submissionId}`, SK: 'SUBMISSION' }),

  /** The journey and its stages: what GET /journeys/{id} returns. Stage items share the partition. */
  journey: (clinicId: string, journeyId: string) => ({ PK: `${clinic(clinicId)}#JOURNEY#${journeyId}`, SK: 'JOURNEY' }),
  /**
   * GSI4 lists a clinic's journeys of one status by start (the sort key is the journey's `createdAt`): every write that
   * sets a journey's `status` sets `GSI4PK` with it, which moves the journey to its new status's partition.
   */
  journeysByStatus: (clinicId: string, status: string) => ({ GSI4PK: `${clinic(clinicId)}#JOURNEYS#${status}` }),
  eligibility: (clinicId: string, journeyId: string) => ({ PK: `${clinic(clinicId)}#JOURNEY#${journeyId}`, SK: 'ELIGIBILITY' }),
  payment: (clinicId: string, journeyId: string) => ({ PK: `${clinic(clinicId)}#JOURNEY#${journeyId}`, SK: 'PAYMENT' }),
  message: (clinicId: string, journeyId: string, kind: string) => ({
    PK: `${clinic(clinicId)}#JOURNEY#${journeyId}`,
    SK: `MESSAGE#${kind}`,
  }),

  /**
   * What the slot search reads: one item per resource per UTC day it is booked, holding the day's busy 5-minute granules
   * (UTC "HHmm": local times repeat when clocks go back, UTC never does). All of a department's busy days share one
   * partition sorted by day, so one Query reads a week of the whole department. The lock is resourceLock below.
   */
  departmentBusy: (clinicId: string, departmentId: string) => `${clinic(clinicId)}#DEPARTMENT#${departmentId}#BUSY`,
  busyDay: (clinicId: string, departmentId: string, isoDate: string, resourceId: string) => ({
    PK: `${clinic(clinicId)}#DEPARTMENT#${departmentId}#BUSY`,
    SK: `DAY#${isoDate}#RESOURCE#${resourceId}`,
  }),
  /**
   * The lock: the same granules, keyed by the resource alone, so it holds whatever department the catalog says the
   * resource belongs to when it is booked (a department's partition above is only what searches read).
   */
  resourceLock: (clinicId: string, resourceId: string, isoDate: string) => ({
    PK: `${clinic(clinicId)}#RESOURCE#${resourceId}#LOCK`,
    SK: `DAY#${isoDate}`,
  }),

  /**
   * An appointment, by its ID (a journey's is `appt-<journeyId>`, so a retried booking meets it): a partition of its
   * own, as staff act on appointments by ID, whether a journey or a person booked them.
   */
  appointment: (clinicId: string, appointmentId: string) => ({
    PK: `${clinic(clinicId)}#APPOINTMENT#${appointmentId}`,
    SK: 'APPOINTMENT',
  }),

  /** A series of appointments (a plan of care): what was asked and which visits it placed. */
  series: (clinicId: string, seriesId: string) => ({ PK: `${clinic(clinicId)}#SERIES#${seriesId}`, SK: 'SERIES' }),
  /**
   * A waitlist entry; GSI1 lists a clinic's entries of one appointment type by status, then line position
   * (`<status>#<priority rank>#<createdAt>#<entryId>`).
   */
  waitlistEntry: (clinicId: string, entryId: string) => ({ PK: `${clinic(clinicId)}#WAITLIST#${entryId}`, SK: 'ENTRY' }),
  waitlistOfType: (clinicId: string, appointmentType: string) => `${clinic(clinicId)}#WAITLIST#TYPE#${appointmentType}`,
  /** An offer of freed time, by the SHA-256 of its link's token (the token itself is never stored). */
  waitlistOffer: (clinicId: string, offerId: string) => ({ PK: `${clinic(clinicId)}#OFFER#${offerId}`, SK: 'OFFER' }),
  waitlistOfferMessage: (clinicId: string, offerId: string) => ({ PK: `${clinic(clinicId)}#OFFER#${offerId}`, SK: 'MESSAGE' }),
  /** A one-time claim of the waitlist's (e.g. a slot of a calendar opening, offered once however often it is delivered). */
  waitlistClaim: (clinicId: string, claimId: string) => ({ PK: `${clinic(clinicId)}#WAITLIST-CLAIM#${claimId}`, SK: 'CLAIM' }),
  /** A visit's latest coverage check (re-verification before the visit), next to the visit. */
  appointmentEligibility: (clinicId: string, appointmentId: string) => ({
    PK: `${clinic(clinicId)}#APPOINTMENT#${appointmentId}`,
    SK: 'ELIGIBILITY',
  }),
  /** A visit's prior-authorization case (one per visit), next to the visit. */
  appointmentAuthorization: (clinicId: string, appointmentId: string) => ({
    PK: `${clinic(clinicId)}#APPOINTMENT#${appointmentId}`,
    SK: 'AUTHORIZATION',
  }),
  /** The claim of a message about an appointment's change: one per appointment and revision. */
  appointmentMessage: (clinicId: string, appointmentId: string, revision: number) => ({
    PK: `${clinic(clinicId)}#APPOINTMENT#${appointmentId}`,
    SK: `MESSAGE#${revision}`,
  }),

  /**
   * GSI1 lists a clinic's appointments of one local day (the location's time zone) by start, cancelled ones included:
   * the day schedule and the daily reports read one day's partition, whatever the table holds.
   */
  appointmentsOfDayIndex: (clinicId: string, localDate: string, start: string, appointmentId: string) => ({
    GSI1PK: `${clinic(clinicId)}#APPOINTMENTS#${localDate}`,
    GSI1SK: `${start}#${appointmentId}`,
  }),

  /**
   * Work that needs a person. Two indexes list a clinic's tasks by status, then due time (then ID, which makes each
   * position unique and so a cursor): GSI1 per queue, GSI3 per owner while someone has claimed the task. A status change
   * rewrites only the sort keys (staffTaskSortKey), so it never needs to know the queue or the owner.
   */
  staffTask: (clinicId: string, taskId: string) => ({ PK: `${clinic(clinicId)}#STAFFTASK#${taskId}`, SK: 'TASK' }),
  staffTaskQueueIndex: (clinicId: string, queue: string) => ({ GSI1PK: `${clinic(clinicId)}#TASKQUEUE#${queue}` }),
  staffTaskOwnerIndex: (clinicId: string, owner: string) => ({ GSI3PK: `${clinic(clinicId)}#TASKOWNER#${owner}` }),
  /** The sort key of both task indexes: `<status>#<dueAt>#<taskId>` (staffTaskPosition is the part after the status). */
  staffTaskSortKey: (status: string, dueAt: string, taskId: string) => `${status}#${staffTaskPosition(dueAt, taskId)}`,

  /** Append-only audit trail, one partition per clinic per day; the sort key starts with the record's ISO time. */
  audit: (clinicId: string, isoDate: string, sortKey: string) => ({ PK: `${clinic(clinicId)}#AUDIT#${isoDate}`, SK: sortKey }),
  /**
   * An audit record's patient, as the partition key of the index by patient (GSI2: `GSI2PK`, sort key `SK`, the
   * record's time): the patient's own partition key, so it starts with the clinic too.
   */
  auditByPatient: (clinicId: string, patientId: string) => ({ GSI2PK: `${clinic(clinicId)}#PATIENT#${patientId}` }),
} as const;
