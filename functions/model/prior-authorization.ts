import type { PriorAuthorizationView } from '#contract/api/prior-authorization-schema.ts';
import type { AuthorizationRequiredBy, AuthorizationStatus, RecordedAuthorizationStatus } from '#contract/prior-authorizations.ts';
import { localDate } from './appointment-lifecycle.ts';
import type { AppointmentType } from './clinic-catalog.ts';
import type { PhysicianOrder } from './physician-order.ts';
import { staffTaskId } from './staff-task.ts';

/**
 * Prior authorization of a booked visit, as an authorization specialist works it: pure rules, no AWS. A visit that
 * needs one is booked (its time held) but not confirmed to the patient, charged or told, until an approval covers its
 * day. One case per appointment (its ID is the appointment's): a move keeps the case; an approval that lapses before
 * the visit reopens it (EXPIRED, to submit again).
 *
 *   OPEN ─▶ SUBMITTED ─▶ PENDING ─▶ SUBMITTED …
 *     │         ├──────────┴──▶ APPROVED ──(last day passes before the visit)──▶ EXPIRED ─▶ SUBMITTED …
 *     │         ╰──────────┴──▶ DENIED ─▶ SUBMITTED (appeal) …
 *     ╰──▶ APPROVED or DENIED (the payer decided on the phone)
 */
export interface PriorAuthorizationCase {
  type: 'PriorAuthorization';
  clinicId: string;
  /** The appointment's ID: one case per visit. */
  appointmentId: string;
  journeyId?: string;
  patientId: string;
  payerId: string;
  requiredBy: AuthorizationRequiredBy;
  /** What the payer needs to decide, from the physician's order and the booking. Clinical: staff of the queue only. */
  request: AuthorizationRequest;
  status: AuthorizationStatus;
  /** The payer's reference for the request (a tracking or case number), once submitted. */
  payerReference?: string;
  approval?: AuthorizationApproval;
  denialReason?: string;
  /** Every status it had, oldest first, with who recorded it and their note. */
  history: AuthorizationEvent[];
  /** Incremented by every change; each change is conditional on the revision it read. */
  revision: number;
  openedAt: string;
  updatedAt: string;
}

export interface AuthorizationRequest {
  /** CPT of the procedure (the order's, else the appointment type's first). */
  procedureCode?: string;
  /** ICD-10-CM codes of the order. */
  diagnosisCodes: string[];
  orderingPhysician?: PhysicianOrder['orderingPhysician'];
  /** Where the clinical notes the payer may ask for are (an EHR document reference), when known. */
  clinicalNotesReference?: string;
  appointmentTypeCode: string;
  /** The visit's local date (YYYY-MM-DD) and location, as booked. */
  serviceDate: string;
  locationId: string;
}

export interface AuthorizationApproval {
  authorizationNumber: string;
  /** First and last day it may be used (YYYY-MM-DD, inclusive). */
  validFrom: string;
  validTo: string;
  units: number;
}

export interface AuthorizationEvent {
  at: string;
  /** `user:<sub>` or `function:<name>`. */
  by: string;
  status: AuthorizationStatus;
  note?: string;
}

/** What staff record about a case. */
export type AuthorizationUpdate =
  | { status: 'SUBMITTED'; payerReference?: string; clinicalNotesReference?: string; note?: string }
  | { status: 'PENDING'; note?: string }
  | ({ status: 'APPROVED'; note?: string } & AuthorizationApproval)
  | { status: 'DENIED'; denialReason: string; note?: string }
  | { status: 'NOT_REQUIRED'; note?: string };

/** A payer's authorization list in the clinic's catalog: the procedures (CPT) it wants authorized before they are done. */
export interface PriorAuthorizationRule {
  payerId: string;
  procedureCodes: string[];
}

/**
 * Whether the visit needs an authorization and why: the payer's own response said so for the service and network
 * (EB11), or the clinic's rules for the payer list the procedure. Either is enough (payers' 271s often say nothing of
 * imaging, which their radiology benefit managers authorize; and a rule can be stricter than a response). A patient
 * paying for themselves needs none.
 */
export function authorizationRequirement(input: {
  payerId: string | undefined;
  procedureCode: string | undefined;
  payerSaysRequired: boolean;
  rules: readonly PriorAuthorizationRule[] | undefined;
}): AuthorizationRequiredBy | undefined {
  if (!input.payerId) return undefined;
  if (input.payerSaysRequired) return 'payer-response';
  const listed = input.rules?.some((r) => r.payerId === input.payerId && r.procedureCodes.includes(input.procedureCode ?? ''));
  return listed ? 'payer-rule' : undefined;
}

/** The procedure an authorization is asked for: the order's CPT, else the first the visit's type performs. */
export const procedureToAuthorize = (
  order: Pick<PhysicianOrder, 'procedureCode'> | undefined,
  type: Pick<AppointmentType, 'procedureCodes'> | undefined,
): string | undefined => order?.procedureCode ?? type?.procedureCodes?.[0];

/** The statuses each recorded status may follow: an approval from any (even a denial overturned), the rest in order. */
const RECORDABLE_FROM: Readonly<Record<RecordedAuthorizationStatus, readonly AuthorizationStatus[]>> = {
  // From APPROVED too: an extension asked for a visit that moved.
  SUBMITTED: ['OPEN', 'SUBMITTED', 'PENDING', 'DENIED', 'EXPIRED', 'APPROVED'],
  PENDING: ['SUBMITTED', 'PENDING'],
  APPROVED: ['OPEN', 'SUBMITTED', 'PENDING', 'APPROVED', 'DENIED', 'EXPIRED'],
  DENIED: ['OPEN', 'SUBMITTED', 'PENDING', 'DENIED'],
  // The payer says none is needed after all (a rule that matched wrongly), or the patient pays for the visit themselves.
  NOT_REQUIRED: ['OPEN', 'SUBMITTED', 'PENDING', 'DENIED', 'EXPIRED', 'NOT_REQUIRED'],
};

export type AuthorizationChange =
  | { kind: 'APPLY'; next: PriorAuthorizationCase }
  /** The case says this already (a repeated request): nothing to write. */
  | { kind: 'ALREADY' }
  | { kind: 'ILLEGAL'; message: string };

/** What recording `update` makes of the case, by `by` at `at`; a same-status update with other details corrects it. */
export function recordAuthorization(
  current: PriorAuthorizationCase,
  update: AuthorizationUpdate,
  by: string,
  at: string,
): AuthorizationChange {
  if (!RECORDABLE_FROM[update.status].includes(current.status)) {
    return { kind: 'ILLEGAL', message: `A case that is ${current.status.toLowerCase()} cannot become ${update.status.toLowerCase()}` };
  }
  if (update.status === 'APPROVED' && update.validFrom > update.validTo) {
    return { kind: 'ILLEGAL', message: 'validFrom must not be after validTo' };
  }
  const next: PriorAuthorizationCase = { ...current, status: update.status, updatedAt: at, revision: current.revision + 1 };
  if (update.status === 'SUBMITTED') {
    if (update.payerReference) next.payerReference = update.payerReference;
    if (update.clinicalNotesReference) next.request = { ...current.request, clinicalNotesReference: update.clinicalNotesReference };
  }
  if (update.status === 'APPROVED') {
    const { authorizationNumber, validFrom, validTo, units } = update;
    next.approval = { authorizationNumber, validFrom, validTo, units };
    delete next.denialReason;
  }
  if (update.status === 'DENIED') {
    next.denialReason = update.denialReason;
    delete next.approval;
  }
  if (update.status === 'SUBMITTED' || update.status === 'PENDING' || update.status === 'NOT_REQUIRED') delete next.approval;
  if (isRepeat(current, next, update.note)) return { kind: 'ALREADY' };
  next.history = [...current.history, { at, by, status: update.status, ...(update.note ? { note: update.note } : {}) }];
  return { kind: 'APPLY', next };
}

/**
 * A record that changes nothing the case says (the same status, reference, approval, reason, and the same note as its
 * last entry): a repeated request. Compared field by field, as DynamoDB does not keep a map's key order.
 */
function isRepeat(current: PriorAuthorizationCase, next: PriorAuthorizationCase, note: string | undefined): boolean {
  const a = current.approval;
  const b = next.approval;
  const sameApproval =
    a === b ||
    (a !== undefined &&
      b !== undefined &&
      a.authorizationNumber === b.authorizationNumber &&
      a.validFrom === b.validFrom &&
      a.validTo === b.validTo &&
      a.units === b.units);
  return (
    current.status === next.status &&
    current.payerReference === next.payerReference &&
    current.denialReason === next.denialReason &&
    current.request.clinicalNotesReference === next.request.clinicalNotesReference &&
    sameApproval &&
    (note === undefined || current.history.at(-1)?.note === note)
  );
}

/** Whether an approval covers a visit on `serviceDate` (YYYY-MM-DD). */
export const coversVisit = (approval: AuthorizationApproval | undefined, serviceDate: string) =>
  approval !== undefined && approval.validFrom <= serviceDate && serviceDate <= approval.validTo;

/**
 * Why the visit may not be confirmed yet, in words for the queue (no codes, nothing clinical), or undefined when an
 * approval covers its day.
 */
export function authorizationHold(
  authorization: Pick<PriorAuthorizationCase, 'status' | 'approval' | 'requiredBy'>,
  serviceDate: string,
): string | undefined {
  const why = authorization.requiredBy === 'payer-response' ? "the payer's eligibility response" : "the clinic's rules for this payer";
  switch (authorization.status) {
    case 'NOT_REQUIRED':
      return undefined;
    case 'APPROVED':
      if (coversVisit(authorization.approval, serviceDate)) return undefined;
      return `Prior authorization: the approval is valid ${authorization.approval?.validFrom} to ${authorization.approval?.validTo}, the visit is on ${serviceDate}: ask the payer to extend it, or move the visit.`;
    case 'OPEN':
      return `Prior authorization required (${why}): submit the request to the payer, then record it on the appointment's authorization. The visit is held, not confirmed.`;
    case 'SUBMITTED':
      return 'Prior authorization submitted: waiting for the payer. Record the decision on the appointment’s authorization.';
    case 'PENDING':
      return 'Prior authorization pending: the payer asks for more information.';
    case 'DENIED':
      return 'Prior authorization denied: appeal, or cancel the visit or discuss self-pay with the patient.';
    case 'EXPIRED':
      return 'Prior authorization expired before the visit: submit it again.';
  }
}

/**
 * Whether a stage's reason is one of authorizationHold's, not a hold of another kind nor the park's own "Prior
 * authorization approved." (a test holds every hold's words to this).
 */
export const isAuthorizationHold = (reason: string | undefined) =>
  /^Prior authorization( required| submitted| pending| denied| expired|: the approval)/.test(reason ?? '');

/** Whether an approval no longer covers a visit on `serviceDate` (it moved later than its last day, or before its first). */
export const lapsedBeforeVisit = (authorization: Pick<PriorAuthorizationCase, 'status' | 'approval'>, serviceDate: string) =>
  authorization.status === 'APPROVED' && !coversVisit(authorization.approval, serviceDate);

/** A visit's local date (YYYY-MM-DD), the day an approval must cover. */
export const visitDateOf = (visit: { start: string; timeZone: string }) => localDate(visit.start, visit.timeZone);

/** The case as its people see it (no storage fields), with why its visit on `visit`'s day is not confirmed yet. */
export function authorizationView(
  authorization: PriorAuthorizationCase,
  visit: { start: string; timeZone: string },
): PriorAuthorizationView {
  const { type: _type, clinicId: _clinic, revision: _revision, ...view } = authorization;
  const hold = authorizationHold(authorization, visitDateOf(visit));
  return { ...view, ...(hold ? { hold } : {}) };
}

/** The task that asks for a new approval after the case's expiry at `revision`: one per expiry. */
export const lapseTaskId = (clinicId: string, appointmentId: string, revision: number) =>
  staffTaskId(`authorization#${clinicId}#${appointmentId}#${revision}`);

/** The lapse tasks a case may have opened: one per EXPIRED entry of its history (entry i was written at revision i). */
export const lapseTaskIdsOf = (authorization: Pick<PriorAuthorizationCase, 'clinicId' | 'appointmentId' | 'history'>) =>
  authorization.history.flatMap((entry, revision) =>
    entry.status === 'EXPIRED' ? [lapseTaskId(authorization.clinicId, authorization.appointmentId, revision)] : [],
  );

/** A booked visit as a case needs it (the appointment record's fields). */
export interface VisitToAuthorize {
  clinicId: string;
  appointmentId: string;
  journeyId?: string;
  patientId: string;
  appointmentType: string;
  start: string;
  timeZone: string;
  location: { id: string };
  order?: PhysicianOrder;
}

/**
 * The case a visit that needs an authorization opens, OPEN, with what the payer needs from its order: CPT
 * (procedureToAuthorize), ICD-10, ordering physician, notes reference, date and place.
 */
export function openedCase(
  visit: VisitToAuthorize,
  by: { payerId: string; requiredBy: AuthorizationRequiredBy; procedureCode: string | undefined; actor: string; at: string },
): PriorAuthorizationCase {
  const { order } = visit;
  return {
    type: 'PriorAuthorization',
    clinicId: visit.clinicId,
    appointmentId: visit.appointmentId,
    ...(visit.journeyId ? { journeyId: visit.journeyId } : {}),
    patientId: visit.patientId,
    payerId: by.payerId,
    requiredBy: by.requiredBy,
    request: {
      ...(by.procedureCode ? { procedureCode: by.procedureCode } : {}),
      diagnosisCodes: order?.diagnosisCodes ?? [],
      ...(order ? { orderingPhysician: order.orderingPhysician } : {}),
      ...(order?.clinicalNotesReference ? { clinicalNotesReference: order.clinicalNotesReference } : {}),
      appointmentTypeCode: visit.appointmentType,
      serviceDate: visitDateOf(visit),
      locationId: visit.location.id,
    },
    status: 'OPEN',
    history: [{ at: by.at, by: by.actor, status: 'OPEN' }],
    revision: 0,
    openedAt: by.at,
    updatedAt: by.at,
  };
}
