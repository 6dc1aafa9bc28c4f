import type { CoverageSummary } from '#model/benefits-reading.ts';
import type { AppointmentType, ClinicCatalog } from '#model/clinic-catalog.ts';
import { type CoverageRecord, type InsuranceCoverage, isSelfPay } from '#model/patient-records.ts';
import { controlNumberFor, type EligibilityPerson, type EligibilityRequest } from './eligibility-port.ts';
import { GENERAL_SERVICE_TYPE } from './interpret-eligibility.ts';

/** What the eligibility stage loaded for one journey (see verify-eligibility.ts). */
export interface EligibilityContext {
  journeyId: string;
  appointmentTypeCode: string;
  /** The location the patient asked for at intake, if any (its network status with the payer applies). */
  preferredLocationId?: string;
  catalog?: ClinicCatalog;
  coverage?: CoverageRecord;
  /** The patient's own name and birth date, as the patient record has them now (after any staff correction). */
  patient: EligibilityPerson;
}

export type PreparedCheck =
  | { kind: 'inquire'; request: EligibilityRequest; appointmentType: AppointmentType }
  /** Nothing to ask the payer: staff must sort out the data first. */
  | { kind: 'review'; summary: CoverageSummary; appointmentType?: AppointmentType }
  /** Nothing to ask the payer: the patient pays for the visit themselves. */
  | { kind: 'selfPay'; summary: CoverageSummary; appointmentType: AppointmentType };

/**
 * Turns what was loaded into an inquiry, or into a NEEDS_REVIEW summary when there is nothing sensible to ask
 * (no insurance on file, appointment type missing from the catalog). Pure: no I/O.
 */
export function prepareEligibilityCheck(context: EligibilityContext): PreparedCheck {
  const appointmentType = context.catalog?.appointmentTypes.find((t) => t.code === context.appointmentTypeCode);
  const review = (reason: string, serviceTypeCode = GENERAL_SERVICE_TYPE): PreparedCheck => ({
    kind: 'review',
    ...(appointmentType ? { appointmentType } : {}),
    summary: { outcome: 'NEEDS_REVIEW', serviceTypeCode, coverageActive: false, priorAuthorizationRequired: false, reason },
  });

  if (!context.catalog) return review('The clinic catalog (profile and NPI) is not set up, so eligibility cannot be checked.');
  if (!appointmentType) {
    return review(`Appointment type ${context.appointmentTypeCode} is not in the clinic catalog: check the catalog, then retry.`);
  }
  if (!context.coverage) {
    return review(
      'No insurance is on file for this patient: confirm self-pay or collect insurance details, then retry.',
      appointmentType.serviceTypeCode,
    );
  }
  if (isSelfPay(context.coverage)) {
    // Staff confirmed self-pay (PATCH …/coverage): no payer to ask; the patient owes the clinic's allowed amount.
    return {
      kind: 'selfPay',
      appointmentType,
      summary: {
        outcome: 'SELF_PAY',
        serviceTypeCode: appointmentType.serviceTypeCode,
        coverageActive: false,
        priorAuthorizationRequired: false,
        reason: 'Self-pay, as staff confirmed: no insurance is billed.',
      },
    };
  }
  return {
    kind: 'inquire',
    appointmentType,
    request: buildEligibilityRequest({ ...context, catalog: context.catalog, coverage: context.coverage }, appointmentType),
  };
}

/**
 * The 270 for one journey: the clinic as provider, the policy holder as subscriber and, when the patient is covered
 * through someone else, the patient as dependent.
 */
export function buildEligibilityRequest(
  context: EligibilityContext & { catalog: ClinicCatalog; coverage: InsuranceCoverage },
  appointmentType: AppointmentType,
): EligibilityRequest {
  const { coverage, catalog, patient } = context;
  const { relationship } = coverage.subscriber;
  // A policy the patient holds names the patient as the record has them now (a correction reaches the next check);
  // someone else's names its holder as given, and the patient as dependent.
  const holder = relationship === 'self' ? patient : coverage.subscriber;
  const { firstName, lastName, birthDate } = holder;
  const dependent: EligibilityRequest['dependent'] =
    relationship === 'self'
      ? undefined
      : { firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate, relationship };
  return {
    controlNumber: controlNumberFor(context.journeyId),
    payer: { id: coverage.payerId, name: coverage.payerName },
    provider: { npi: catalog.profile.npi, organizationName: catalog.profile.organizationName },
    subscriber: {
      firstName,
      lastName,
      birthDate,
      memberId: coverage.memberId,
      ...(coverage.groupNumber ? { groupNumber: coverage.groupNumber } : {}),
    },
    ...(dependent ? { dependent } : {}),
    serviceTypeCode: appointmentType.serviceTypeCode,
  };
}
