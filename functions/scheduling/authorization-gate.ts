import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { authorizationHold, authorizationRequirement, openedCase, procedureToAuthorize, visitDateOf } from '#model/prior-authorization.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';
import type { AuditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';

export type AuthorizationGateDeps = Pick<SharedStores, 'authorizations' | 'eligibilityChecks'>;

/**
 * Whether a journey's booked visit may be confirmed, or waits for a prior authorization (the reason, for the queue).
 * The first time a visit that needs one passes here its case is opened, OPEN, with what the payer needs from the order
 * (CPT, ICD-10, ordering physician, notes reference); later passes (a RETRY, the approval's resume) read the case. A
 * visit needs one when the payer's eligibility response said so for the service, or the clinic's list for the payer
 * names the procedure (model/prior-authorization.ts).
 */
export async function authorizationHoldOf(
  deps: AuthorizationGateDeps,
  appointment: AppointmentRecord,
  catalog: ClinicCatalog,
  audit: AuditSession,
  now: Date,
  /** Booked by this very call: it can have no case yet, so none is read. */
  justBooked = false,
): Promise<string | undefined> {
  const serviceDate = visitDateOf(appointment);
  if (!justBooked) await audit.before('authorization.read');
  const known = justBooked ? undefined : await deps.authorizations.get(appointment.clinicId, appointment.appointmentId);
  if (known) return authorizationHold(known, serviceDate);

  const check = appointment.journeyId
    ? await deps.eligibilityChecks.get({ clinicId: appointment.clinicId, journeyId: appointment.journeyId })
    : undefined;
  const type = catalog.appointmentTypes.find((t) => t.code === appointment.appointmentType);
  const procedureCode = procedureToAuthorize(appointment.order, type);
  const requiredBy = authorizationRequirement({
    payerId: check?.payerId,
    procedureCode,
    payerSaysRequired: check?.summary.priorAuthorizationRequired ?? false,
    rules: catalog.priorAuthorizationRules,
  });
  if (!requiredBy || !check?.payerId) return undefined;

  const opened = openedCase(appointment, {
    payerId: check.payerId,
    requiredBy,
    procedureCode,
    actor: audit.subject.actor,
    at: now.toISOString(),
  });
  await audit.before('authorization.open');
  // Opened by an earlier attempt meanwhile: that case stands.
  const current = (await deps.authorizations.open(opened)) ? opened : await deps.authorizations.get(opened.clinicId, opened.appointmentId);
  if (!current) throw new Error(`Appointment ${appointment.appointmentId} is gone: no authorization case opened`);
  log.info('Prior authorization needed', { clinicId: opened.clinicId, journeyId: opened.journeyId, outcome: requiredBy });
  return authorizationHold(current, serviceDate);
}
