import { createHash, createHmac } from 'node:crypto';
import type { IntakeSubmission } from '#contract/api/submission-schema.ts';
import { insuranceCoverage } from '#model/coverage.ts';
import type { InsuranceCoverage, PatientRecord, SubmissionRecord } from '#model/patient-records.ts';

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
export function coverageRecord(clinicId: string, patientId: string, body: IntakeSubmission, now: Date): InsuranceCoverage {
  return insuranceCoverage({ clinicId, patientId }, body.insurance, body.patient, now, {
    secondary: body.secondaryInsurance,
    medicareSecondaryPayer: body.medicareSecondaryPayer,
  });
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
 * The submission ID an idempotency key stands for: the first 16 bytes of HMAC-SHA256 (with the deployment's patient
 * identity key) over the clinic and the key, written as a UUID (version 8, RFC 9562's form for IDs derived this way).
 * The submission item is keyed by it, so the conditional put of the submission is the idempotency claim itself and no
 * separate entry is written. It says nothing of the key or the body it came from: keyed, so that a guessed body (a
 * submission without an Idempotency-Key is keyed by its body's hash) cannot be confirmed against it.
 */
export function submissionIdOf(clinicId: string, idempotencyKey: string, identityKey: string): string {
  const bytes = createHmac('sha256', identityKey).update(`submission|${clinicId}\n${idempotencyKey}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
