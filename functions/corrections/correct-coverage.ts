import type { CorrectionApplied, CoverageCorrection } from '#contract/api/correction-schema.ts';
import { InsuranceSchema } from '#contract/api/submission-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { changedCoverageFields, coverageView, insuranceCoverage, insuranceOf } from '#model/coverage.ts';
import { type CoverageRecord, isSelfPay } from '#model/patient-records.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { log } from '#shared/observability.ts';
import { type CorrectionDeps, correctionContext, definedFields, refuseUnless } from './correction-context.ts';

/**
 * Staff correct the insurance on file of a journey's patient (payer, member ID, group, subscriber), or confirm
 * self-pay, so that a RETRY of the stage runs with what is now true: eligibility reads the coverage afresh on every
 * run. The corrected policy must be whole and is validated as at intake (400 with every field problem); it is written
 * only if nobody changed it since it was read (409), with an audit record naming the person and the changed fields,
 * never their values. Sending the same correction again changes nothing and answers the same.
 */
export async function correctCoverage(
  deps: CorrectionDeps,
  person: StaffPrincipal,
  journeyId: string,
  correction: CoverageCorrection,
  via: string,
): Promise<CorrectionApplied> {
  const { now, journey, session } = await correctionContext(deps, person, journeyId, via, ['coverage.read']);
  const current = await deps.patients.readCoverage(journey, session);
  const ids = { clinicId: journey.clinicId, patientId: journey.patientId };

  let next: CoverageRecord;
  if (correction.selfPay) {
    next = { type: 'Coverage', ...ids, selfPay: true, updatedAt: now.toISOString() };
  } else {
    const { selfPay: _, secondary: newSecondary, removeSecondary, medicareSecondaryPayer, ...fields } = correction;
    const insured = current && !isSelfPay(current) ? current : undefined;
    const base = insured ? insuranceOf(insured) : {};
    // The corrected policy as a whole, validated as intake validates one: a switch from self-pay names every field.
    const insurance = validateBody(InsuranceSchema, { ...base, ...definedFields(fields) });
    // The second plan and the MSP answers stay as they were unless the correction names them.
    const secondary = removeSecondary ? undefined : (newSecondary ?? (insured?.secondary ? insuranceOf(insured.secondary) : undefined));
    const holder =
      insurance.subscriber.relationship === 'self' || secondary?.subscriber.relationship === 'self'
        ? await deps.patients.read(journey, session, ['firstName', 'lastName', 'birthDate'])
        : undefined;
    const msp = medicareSecondaryPayer ?? insured?.medicareSecondaryPayer;
    // As at intake: the MSP answers belong to a patient with a Medicare plan (one removed takes its answers with it).
    const medicare = [insurance, secondary].some((p) => p?.planType === 'medicare' || p?.planType === 'medicare-advantage');
    if (medicareSecondaryPayer && !medicare) {
      throw HttpError.badRequest([{ path: 'medicareSecondaryPayer', message: 'only for a patient with a Medicare plan (planType)' }]);
    }
    next = insuranceCoverage(ids, insurance, holder, now, { secondary, medicareSecondaryPayer: medicare ? msp : undefined });
  }

  const changedFields = changedCoverageFields(current, next);
  if (changedFields.length > 0) {
    const outcome = await deps.patients.correct(
      next,
      current?.updatedAt,
      undefined,
      { ...session.subject, action: 'coverage.write', fields: changedFields, outcome: 'success' },
      now,
    );
    refuseUnless(outcome);
    log.info('Coverage corrected', { clinicId: journey.clinicId, journeyId, outcome: changedFields.join(',') });
  }
  return { journeyId, changedFields, coverage: coverageView(changedFields.length > 0 ? next : (current ?? next)) };
}
