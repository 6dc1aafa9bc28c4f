import { createHash } from 'node:crypto';
import type { IntakeSubmission } from '#contract/api/submission-schema.ts';
import type { CoverageRecord, PatientRecord, SubmissionRecord } from '#model/patient-records.ts';

/** The contact and demographic fields a later submission may change on an existing patient (name and birth date match already). */
export type PatientContactUpdate = Pick<PatientRecord, 'patientId' | 'communication' | 'address' | 'updatedAt'> &
  Partial<Pick<PatientRecord, 'email' | 'phone' | 'sex' | 'preferredLanguage'>>;

/** A new patient from the submission's demographics and contact details. */
export function newPatientRecord(clinicId: string, patientId: string, body: IntakeSubmission, now: Date): PatientRecord {
  const at = now.toISOString();
  return {
    type: 'Patient',
    clinicId,
    patientId,
    firstName: body.patient.firstName,
    lastName: body.patient.lastName,
    birthDate: body.patient.birthDate,
    ...changeableFields(body),
    createdAt: at,
    updatedAt: at,
  };
}

/** What a returning patient's new submission changes: contact details, consent per channel and address. */
export function patientContactUpdate(patientId: string, body: IntakeSubmission, now: Date): PatientContactUpdate {
  return {
    patientId,
    ...changeableFields(body),
    updatedAt: now.toISOString(),
  };
}

/** The fields a patient may change from one submission to the next; absent optional ones are left out. */
function changeableFields(body: IntakeSubmission): Omit<PatientContactUpdate, 'patientId' | 'updatedAt'> {
  return {
    ...defined({
      sex: body.patient.sex,
      preferredLanguage: body.patient.preferredLanguage,
      email: body.contact.email,
      phone: body.contact.phone,
    }),
    address: body.patient.address,
    communication: body.contact.communication,
  };
}

/** The insurance as submitted; a 'self' subscriber is the patient. */
export function coverageRecord(clinicId: string, patientId: string, body: IntakeSubmission, now: Date): CoverageRecord {
  const { insurance, patient } = body;
  const subscriber =
    insurance.subscriber.relationship === 'self'
      ? { relationship: 'self' as const, firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate }
      : insurance.subscriber;
  return {
    type: 'Coverage',
    clinicId,
    patientId,
    payerId: insurance.payerId,
    payerName: insurance.payerName,
    memberId: insurance.memberId,
    ...defined({ groupNumber: insurance.groupNumber }),
    subscriber,
    updatedAt: now.toISOString(),
  };
}

/** The submission as received: visit, history, answers and consents (read later by triage, scheduling and payment). */
export function submissionRecord(
  clinicId: string,
  ids: { submissionId: string; journeyId: string; patientId: string },
  body: IntakeSubmission,
  now: Date,
): SubmissionRecord {
  return {
    type: 'Submission',
    clinicId,
    ...ids,
    receivedAt: now.toISOString(),
    source: body.source,
    visit: body.visit,
    ...defined({ medicalHistory: body.medicalHistory, paymentMethodToken: body.paymentMethodToken }),
    screening: body.screening,
    consents: body.consents,
  };
}

/** JSON with object keys sorted at every level, so the same content always gives the same text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Hash of the validated body. Taken after normalisation, so "(201) 555-0123" and "+12015550123" or a trailing space
 * in a name are the same submission.
 */
export function submissionBodyHash(body: IntakeSubmission): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
