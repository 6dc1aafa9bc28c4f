import type { AppointmentType, ClinicCatalog } from './clinic-catalog.ts';
import type { VisitRequest } from './patient-records.ts';

/**
 * A physician's order for imaging or therapy, as scheduling needs it: who ordered what (CPT), why (ICD-10), how
 * urgently, and until when it may be acted on. Kept with the appointment it was booked under. Pure: no AWS.
 */
export interface PhysicianOrder {
  orderId?: string;
  orderingPhysician: { name: string; npi: string; phone?: string };
  /** CPT code of the procedure ordered: it decides the appointment type (e.g. MRI with contrast takes longer). */
  procedureCode?: string;
  diagnosisCodes: string[];
  priority: 'routine' | 'urgent' | 'stat';
  /** Last day the order may be acted on (YYYY-MM-DD); without one, DEFAULT_ORDER_VALIDITY_DAYS after it was received. */
  expiresOn?: string;
  /** Where the clinical notes behind the order are (an EHR document reference): what a payer's prior authorization asks for. */
  clinicalNotesReference?: string;
}

/** How long an order without an expiry date is acted on, from the day it was received (many payers use 90 days). */
export const DEFAULT_ORDER_VALIDITY_DAYS = 90;

export type OrderDecision =
  /** The type needs no order (one that came anyway is kept with the appointment). */
  | { kind: 'NOT_NEEDED'; type: AppointmentType; order?: PhysicianOrder }
  /** Book `type` under `order`, on or before `validUntil` (YYYY-MM-DD, inclusive). */
  | { kind: 'ORDERED'; type: AppointmentType; order: PhysicianOrder; validUntil: string }
  /** Not bookable as it stands: a person must obtain or correct the order. */
  | { kind: 'NEEDS_ORDER'; reason: string };

/**
 * What an order makes of a request: the order's procedure decides the appointment type (a type whose
 * `procedureCodes` list it; otherwise the type asked for); a type that requires an order is not booked without one,
 * nor with one that has expired (`today` and `receivedOn` are YYYY-MM-DD).
 */
export function decideOrderedType(
  catalog: ClinicCatalog,
  requested: AppointmentType,
  order: PhysicianOrder | undefined,
  dates: { receivedOn: string; today: string },
): OrderDecision {
  const byProcedure = order?.procedureCode
    ? catalog.appointmentTypes.find((t) => t.procedureCodes?.includes(order.procedureCode ?? ''))
    : undefined;
  if (order?.procedureCode && !byProcedure && requested.requiresPhysicianOrder) {
    return {
      kind: 'NEEDS_ORDER',
      reason: `The order is for CPT ${order.procedureCode}, which the clinic does not schedule: check the order`,
    };
  }
  if (byProcedure && byProcedure.departmentId !== requested.departmentId) {
    return { kind: 'NEEDS_ORDER', reason: `The order is for ${byProcedure.name}, not for ${requested.name}: check the order` };
  }
  const type = byProcedure ?? requested;
  if (!type.requiresPhysicianOrder) return { kind: 'NOT_NEEDED', type, ...(order ? { order } : {}) };
  if (!order) return { kind: 'NEEDS_ORDER', reason: `${type.name} needs a physician's order, and none came with the request` };
  const validUntil = order.expiresOn ?? addDays(dates.receivedOn, DEFAULT_ORDER_VALIDITY_DAYS);
  if (validUntil < dates.today) {
    return { kind: 'NEEDS_ORDER', reason: `The physician's order for ${type.name} expired on ${validUntil}: a new order is needed` };
  }
  return { kind: 'ORDERED', type, order, validUntil };
}

/** A YYYY-MM-DD date `days` later. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The order as a submission (or a staff booking) carries it. */
export function orderOfRequest(request: VisitRequest['physicianOrder']): PhysicianOrder | undefined {
  if (!request) return undefined;
  return {
    ...(request.orderId ? { orderId: request.orderId } : {}),
    orderingPhysician: {
      name: request.orderingPhysicianName,
      npi: request.orderingPhysicianNpi,
      ...(request.orderingPhysicianPhone ? { phone: request.orderingPhysicianPhone } : {}),
    },
    ...(request.procedureCode ? { procedureCode: request.procedureCode } : {}),
    diagnosisCodes: request.diagnosisCodes ?? [],
    priority: request.priority ?? 'routine',
    ...(request.expiresOn ? { expiresOn: request.expiresOn } : {}),
    ...(request.clinicalNotesReference ? { clinicalNotesReference: request.clinicalNotesReference } : {}),
  };
}
