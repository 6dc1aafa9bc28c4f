import type { MedicareSecondaryPayerAnswers, PlanType } from './coordination-of-benefits.ts';
/**
 * What intake stores about a patient and a submission, and what the later stages read back by ID.
 * These items hold PHI: they live only in the KMS-encrypted table, are read by ID, and every access is audited.
 */

export interface PatientRecord {
  type: 'Patient';
  clinicId: string;
  patientId: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex?: 'female' | 'male' | 'other' | 'unknown';
  email?: string;
  /** E.164, e.g. +16175550123 */
  phone?: string;
  address?: { line1: string; line2?: string; city: string; state: string; postalCode: string };
  preferredLanguage?: string;
  /** The patient's consent to be contacted on each channel; correspondence never uses a channel without it. */
  communication: { email: boolean; sms: boolean };
  createdAt: string;
  updatedAt: string;
}

/** How the patient pays: an insurance policy on file, or self-pay confirmed by staff (nothing billed to a payer). */
export type CoverageRecord = InsuranceCoverage | SelfPayCoverage;

export interface SelfPayCoverage {
  type: 'Coverage';
  clinicId: string;
  patientId: string;
  selfPay: true;
  updatedAt: string;
}

export const isSelfPay = (coverage: CoverageRecord): coverage is SelfPayCoverage => 'selfPay' in coverage && coverage.selfPay === true;

export interface InsuranceCoverage {
  type: 'Coverage';
  clinicId: string;
  patientId: string;
  /** The clearinghouse's payer ID (Stedi: tradingPartnerServiceId), e.g. "60054" for Aetna. */
  payerId: string;
  payerName: string;
  memberId: string;
  groupNumber?: string;
  /** Who holds the policy; "self" when the patient is the subscriber. */
  subscriber: { relationship: 'self' | 'spouse' | 'child' | 'other'; firstName: string; lastName: string; birthDate: string };
  /** What kind of plan (coordination of benefits). */
  planType?: PlanType;
  /** A second plan the patient has, checked too; which of the two pays first is decided at each check. */
  secondary?: Omit<InsuranceCoverage, 'type' | 'clinicId' | 'patientId' | 'updatedAt' | 'secondary' | 'medicareSecondaryPayer'>;
  /** The Medicare Secondary Payer answers, for a patient with Medicare. */
  medicareSecondaryPayer?: MedicareSecondaryPayerAnswers;
  updatedAt: string;
}

export type DayOfWeek = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
export type TimeOfDay = 'MORNING' | 'AFTERNOON' | 'ANY';

export interface VisitRequest {
  /** An appointment type code from the clinic's catalog, e.g. "PRIMARY_CARE_NEW", "MRI_KNEE". */
  appointmentTypeCode: string;
  reasonForVisit?: string;
  /** For imaging and therapy: the physician's order. */
  physicianOrder?: {
    orderingPhysicianName: string;
    orderingPhysicianNpi: string;
    orderingPhysicianPhone?: string;
    orderId?: string;
    /** CPT code of the procedure ordered. */
    procedureCode?: string;
    diagnosisCodes?: string[];
    priority?: 'routine' | 'urgent' | 'stat';
    /** YYYY-MM-DD: the last day the order may be acted on. */
    expiresOn?: string;
    /** Where the clinical notes behind the order are in the EHR (a document reference). */
    clinicalNotesReference?: string;
  };
  preferences: {
    locationId?: string;
    /** Days the patient can come; empty or absent means any day. */
    daysOfWeek?: DayOfWeek[];
    timeOfDay?: TimeOfDay;
    /** YYYY-MM-DD: not before this date (clinic's local calendar). */
    earliestDate?: string;
    /** Earlier is better: once booked, the patient waits in line for an earlier time (the waitlist). */
    earliestPossible?: boolean;
  };
}

export interface SubmissionRecord {
  type: 'Submission';
  clinicId: string;
  submissionId: string;
  journeyId: string;
  patientId: string;
  receivedAt: string;
  source: 'web-form' | 'webhook' | 'fhir-questionnaire-response';
  visit: VisitRequest;
  medicalHistory?: { conditions?: string[]; medications?: string[]; allergies?: string[] };
  /** Screening answers (e.g. chest pain now, thoughts of self-harm): read by triage only. */
  screening?: Record<string, boolean>;
  consents: { treatment: boolean; privacyNotice: boolean; financialResponsibility: boolean };
  /**
   * A token from the payment processor's client-side tokenization (never a card number). Absent: the patient pays at
   * the desk or later.
   */
  paymentMethodToken?: string;
  /**
   * Intake matched an existing patient by name and birth date whose contact details or insurance disagree with this
   * submission: it registered the submitter as a patient of their own (this submission's `patientId`) and holds the
   * journey at intake until staff merge them into this patient or keep them apart (`duplicateResolution`).
   */
  possibleDuplicateOf?: string;
  /** Which of the disagreeing fields, by name (email, phone, address, insurance): for the staff task's reason. */
  duplicateFields?: string[];
  duplicateResolution?: 'MERGE' | 'KEEP_APART';
}
