import { DateTime } from 'luxon';
import type { EligibilityResult, JourneyRef } from '#contract/journey-workflow.ts';
import type { JourneyRecord } from '#model/journey.ts';
import { isSelfPay } from '#model/patient-records.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import { log } from '#shared/observability.ts';
import type { SharedStores } from '#shared/stores.ts';
import { coordinateCoverage } from './coordinate-coverage.ts';
import type { EligibilityPerson, EligibilityPort } from './eligibility-port.ts';
import type { EligibilityStore } from './eligibility-store.ts';
import { type EligibilityContext, prepareEligibilityCheck } from './prepare-eligibility-check.ts';

export interface VerifyEligibilityDeps extends Pick<SharedStores, 'journeys' | 'submissions' | 'patients' | 'catalog' | 'audit'> {
  store: EligibilityStore;
  /** The clearinghouse. */
  eligibility: EligibilityPort;
  now: () => Date;
}

const ACTOR = 'function:verifyEligibility';

/**
 * Verifies the journey's coverage for its appointment type: loads what the check needs, asks the payer when there is
 * something sensible to ask, records the result (eligibility item) and the patient's estimated share (journey
 * amounts), and returns only the outcome. ACTIVE completes the stage; anything else leaves it WAITING_FOR_STAFF with a
 * reason (ParkForStaff opens the task).
 */
export async function verifyEligibility(deps: VerifyEligibilityDeps, ref: JourneyRef): Promise<EligibilityResult> {
  const now = deps.now();
  const journey = await deps.journeys.beginAttempt(ref);
  // Verified already (a run replayed after this stage, e.g. an Express run delivered twice): asking the payer again
  // could change the answer and the estimate behind a journey that has moved on. A staff RETRY reopens the stage first.
  if (journey.stages.ELIGIBILITY?.status === 'COMPLETED') {
    log.info('Eligibility verified already', { clinicId: ref.clinicId, journeyId: ref.journeyId, stage: 'ELIGIBILITY', outcome: 'ACTIVE' });
    return { outcome: 'ACTIVE' };
  }

  const context = await loadEligibilityContext(deps, journey, now);
  const prepared = prepareEligibilityCheck(context);
  // With a second plan (or MSP answers), which plan pays first decides whose reading the journey acts on.
  const checked =
    prepared.kind === 'inquire' && context.catalog && context.coverage && !isSelfPay(context.coverage)
      ? await coordinateCoverage(deps.eligibility, {
          ...context,
          catalog: context.catalog,
          coverage: context.coverage,
          appointmentType: prepared.appointmentType,
          request: prepared.request,
          // The location the patient asked for, when they did (the visit is not booked yet): its network status first.
          ...(context.preferredLocationId ? { locationId: context.preferredLocationId } : {}),
          // The first check, before scheduling, asks about today where the clinic is.
          on: DateTime.fromJSDate(now, { zone: context.catalog.locations[0]?.timeZone ?? 'UTC' }).toISODate() ?? '',
        })
      : undefined;
  const summary = checked?.summary ?? (prepared.kind === 'inquire' ? undefined : prepared.summary);
  if (!summary) throw new Error(`Journey ${ref.journeyId}: an inquiry without coverage or catalog`);
  // An estimate only from terms a person could sign (a PROCEED past an uncertain reading charges nothing automatically).
  const estimate = checked?.estimate;
  const dueCents = prepared.kind === 'selfPay' ? prepared.appointmentType.allowedAmountCents : estimate?.dueCents;

  await deps.store.putCheck({
    type: 'EligibilityCheck',
    clinicId: ref.clinicId,
    journeyId: ref.journeyId,
    appointmentTypeCode: context.appointmentTypeCode,
    serviceTypeCode: summary.serviceTypeCode,
    ...(prepared.kind === 'inquire'
      ? { payerId: checked?.payerId ?? prepared.request.payer.id, controlNumber: prepared.request.controlNumber }
      : {}),
    summary,
    ...(dueCents !== undefined ? { dueCents } : {}),
    ...(estimate ? { estimate } : {}),
    ...(checked?.coordination ? { coordination: checked.coordination } : {}),
    checkedAt: now.toISOString(),
  });
  // The estimate is kept even when staff must review, so PROCEED can still collect it; a check that gives none takes
  // back one an earlier check gave (a RETRY after the insurance changed), so nothing is charged on an old reading.
  const amounts =
    dueCents !== undefined ? { amounts: { dueCents } } : journey.amounts.dueCents !== undefined ? { clearDueCents: true as const } : {};
  await deps.journeys.updateStage(
    journey,
    'ELIGIBILITY',
    summary.outcome === 'ACTIVE' || summary.outcome === 'SELF_PAY'
      ? { status: 'COMPLETED', ...amounts }
      : { status: 'WAITING_FOR_STAFF', reason: summary.reason, ...amounts },
    now,
  );
  log.info('Eligibility checked', { clinicId: ref.clinicId, journeyId: ref.journeyId, stage: 'ELIGIBILITY', outcome: summary.outcome });
  return { outcome: summary.outcome };
}

/**
 * Loads what one eligibility check needs, reading no more than that (minimum necessary): the appointment type from
 * the submission (projected, no answers), the catalog, the coverage, and the patient's name and birth date (the 270
 * names the patient as subscriber or dependent from the patient record, so a staff correction of either reaches the
 * next check; read alongside the coverage, so also in the rare check that then asks no payer, to keep one round trip
 * and one audit record). The three reads are audited in one record, written before them. The coverage and the patient are read
 * only once the submission is known to exist.
 */
async function loadEligibilityContext(deps: VerifyEligibilityDeps, journey: JourneyRecord, now: Date): Promise<EligibilityContext> {
  const { clinicId, journeyId, patientId } = journey;
  const audit = journeyAuditSession(deps.audit, ACTOR, journey, now);
  await audit.before('submission.read', 'coverage.read', 'patient.read');

  const submission = await deps.submissions.read(journey, audit, ['visit.appointmentTypeCode', 'visit.preferences.locationId']);
  const appointmentTypeCode = submission.visit?.appointmentTypeCode;
  const preferredLocationId = submission.visit?.preferences?.locationId;
  if (!appointmentTypeCode) throw new Error(`Submission ${journey.submissionId} of journey ${journeyId} has no appointment type`);
  const readCoverage = async () => {
    const found = await deps.store.getCoverage(clinicId, patientId);
    if (!found) await audit.failed('coverage.read');
    return found;
  };
  const [catalog, coverage, patient] = await Promise.all([
    deps.catalog.load(clinicId),
    readCoverage(),
    deps.patients.read(journey, audit, ['firstName', 'lastName', 'birthDate']) as Promise<EligibilityPerson>,
  ]);

  return {
    journeyId,
    appointmentTypeCode,
    ...(preferredLocationId ? { preferredLocationId } : {}),
    ...(catalog ? { catalog } : {}),
    ...(coverage ? { coverage } : {}),
    patient,
  };
}
