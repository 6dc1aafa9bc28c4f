import { isDeepStrictEqual } from 'node:util';
import type { CoverageView } from '#contract/api/staff-task-schema.ts';
import type { Insurance } from '#contract/api/submission-schema.ts';
import type { MedicareSecondaryPayerAnswers } from './coordination-of-benefits.ts';
import { type CoverageRecord, type InsuranceCoverage, isSelfPay, type PatientRecord } from './patient-records.ts';

/** The insurance as submitted (or corrected), as stored; a 'self' subscriber is the patient. */
export function insuranceCoverage(
  ids: { clinicId: string; patientId: string },
  insurance: Insurance,
  /** The patient's name and birth date: needed (and read) only when they hold the policy themselves. */
  patient: Pick<PatientRecord, 'firstName' | 'lastName' | 'birthDate'> | undefined,
  now: Date,
  other: { secondary?: Insurance | undefined; medicareSecondaryPayer?: MedicareSecondaryPayerAnswers | undefined } = {},
): InsuranceCoverage {
  return {
    type: 'Coverage',
    clinicId: ids.clinicId,
    patientId: ids.patientId,
    ...planOf(insurance, patient),
    ...(other.secondary ? { secondary: planOf(other.secondary, patient) } : {}),
    ...(other.medicareSecondaryPayer ? { medicareSecondaryPayer: other.medicareSecondaryPayer } : {}),
    updatedAt: now.toISOString(),
  };
}

/** One plan as stored; a 'self' subscriber is the patient. */
function planOf(insurance: Insurance, patient: Pick<PatientRecord, 'firstName' | 'lastName' | 'birthDate'> | undefined) {
  let subscriber: InsuranceCoverage['subscriber'];
  if (insurance.subscriber.relationship !== 'self') subscriber = insurance.subscriber;
  else if (!patient) throw new Error('A policy the patient holds needs the patient’s name and birth date');
  else subscriber = { relationship: 'self', firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate };
  return {
    payerId: insurance.payerId,
    payerName: insurance.payerName,
    memberId: insurance.memberId,
    ...(insurance.groupNumber ? { groupNumber: insurance.groupNumber } : {}),
    subscriber,
    ...(insurance.planType ? { planType: insurance.planType } : {}),
  };
}

/** One stored plan's fields (the coverage's own, or its secondary). */
type StoredPlan = Pick<InsuranceCoverage, 'payerId' | 'payerName' | 'memberId' | 'groupNumber' | 'subscriber' | 'planType'>;

/** A stored policy in the shape intake takes it (a 'self' subscriber without the patient's name): what a correction edits. */
export function insuranceOf(coverage: StoredPlan): Insurance {
  const { relationship, firstName, lastName, birthDate } = coverage.subscriber;
  return {
    payerId: coverage.payerId,
    payerName: coverage.payerName,
    memberId: coverage.memberId,
    ...(coverage.groupNumber ? { groupNumber: coverage.groupNumber } : {}),
    subscriber: relationship === 'self' ? { relationship } : { relationship, firstName, lastName, birthDate },
    ...(coverage.planType ? { planType: coverage.planType } : {}),
  };
}

const COVERAGE_FIELDS = [
  'payerId',
  'payerName',
  'memberId',
  'groupNumber',
  'subscriber',
  'planType',
  'secondary',
  'medicareSecondaryPayer',
] as const;

/** The fields whose value differs between two coverages, by name (self-pay counts as one field, `selfPay`). */
export function changedCoverageFields(before: CoverageRecord | undefined, after: CoverageRecord): string[] {
  if (!before) return isSelfPay(after) ? ['selfPay'] : COVERAGE_FIELDS.filter((field) => after[field] !== undefined);
  if (isSelfPay(before) || isSelfPay(after)) return isSelfPay(before) === isSelfPay(after) ? [] : ['selfPay'];
  // By value, whatever the order of a map's keys (DynamoDB does not keep it).
  return COVERAGE_FIELDS.filter((field) => !isDeepStrictEqual(before[field], after[field]));
}

/** The coverage as staff see it (no subscriber's name or birth date: the relationship is what a correction asks). */
export function coverageView(coverage: CoverageRecord): CoverageView {
  if (isSelfPay(coverage)) return { selfPay: true };
  return {
    ...planView(coverage),
    ...(coverage.secondary ? { secondary: planView(coverage.secondary) } : {}),
    ...(coverage.medicareSecondaryPayer ? { medicareSecondaryPayer: coverage.medicareSecondaryPayer } : {}),
  };
}

function planView(plan: StoredPlan) {
  return {
    payerId: plan.payerId,
    payerName: plan.payerName,
    memberId: plan.memberId,
    ...(plan.groupNumber ? { groupNumber: plan.groupNumber } : {}),
    subscriberRelationship: plan.subscriber.relationship,
    ...(plan.planType ? { planType: plan.planType } : {}),
  };
}
