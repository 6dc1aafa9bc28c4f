import * as z from 'zod';
import { clockNow } from '#contract/clock.ts';
import { parsePhone } from './phone-number.ts';

/**
 * The body of POST /v1/clinics/{clinicId}/intake-submissions, and what it answers. The same schemas validate requests
 * and generate docs/openapi.json (zod-to-openapi reads `.meta()`), so the documentation cannot drift from the code.
 * Every object is strict (an unknown key is an error, not silently dropped) and every string and list is bounded.
 */

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const BIRTH_DATE_MAX_AGE_YEARS = 130;
const EARLIEST_DATE_MAX_DAYS_AHEAD = 366;

/** Today's date in UTC: never earlier than any US local date, so a baby born today anywhere in the US is accepted. */
function todayUtc(now = clockNow()): string {
  return now.toISOString().slice(0, 10);
}

const text = (max: number) => z.string().trim().min(1).max(max);

const NAME_PATTERN = /^\p{L}[\p{L}\p{M}' .-]*$/u;

/**
 * Letters (any script, with accents), spaces, apostrophes, hyphens and periods: no digits or control characters.
 * A refinement rather than `.regex()`: a Unicode-flag pattern does not carry over into the OpenAPI document.
 */
const personName = text(100)
  .refine((name) => NAME_PATTERN.test(name), 'use letters, spaces, apostrophes, hyphens and periods only')
  .meta({ description: 'Letters, spaces, apostrophes, hyphens and periods.' });

const isoDate = z.iso.date({ error: (issue) => (issue.input === undefined ? 'is required' : 'use a real date as YYYY-MM-DD') });

const birthDate = isoDate
  // Guarded on the shape so a malformed date reports one problem, not three.
  .refine((d) => !DATE_SHAPE.test(d) || d <= todayUtc(), 'must not be in the future')
  .refine((d) => {
    if (!DATE_SHAPE.test(d)) return true;
    const today = todayUtc();
    return d >= `${Number(today.slice(0, 4)) - BIRTH_DATE_MAX_AGE_YEARS}${today.slice(4)}`;
  }, `must be within the last ${BIRTH_DATE_MAX_AGE_YEARS} years`)
  .meta({ example: '1985-04-12' });

export const US_STATES = [
  ...['AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY'],
  ...['LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND'],
  ...['OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY'],
  // District of Columbia, territories, and military post offices (APO/FPO).
  ...['DC', 'PR', 'GU', 'VI', 'AS', 'MP', 'AA', 'AE', 'AP'],
] as const;

export const AddressSchema = z
  .strictObject({
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    state: z.enum(US_STATES).meta({ description: 'USPS two-letter code' }),
    postalCode: z
      .string()
      .trim()
      .regex(/^\d{5}(-\d{4})?$/, 'use a 5-digit ZIP or ZIP+4'),
  })
  .meta({ id: 'Address' });

export const PatientSchema = z
  .strictObject({
    firstName: personName,
    lastName: personName,
    birthDate,
    sex: z.enum(['female', 'male', 'other', 'unknown']).optional(),
    address: AddressSchema,
    preferredLanguage: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'use a language tag such as en or es-MX')
      .optional()
      .meta({ description: 'BCP 47 language tag', example: 'es' }),
  })
  .meta({ id: 'Patient' });

/**
 * Normalises a phone number to E.164 (US when no country code is given); rejects numbers that cannot exist, and numbers
 * of countries outside PHONE_COUNTRIES (scripts/phone-metadata.ts: the US, its territories, Canada and the UK).
 */
export const PhoneSchema = z
  .string()
  .trim()
  .max(32)
  .transform((value, ctx) => {
    const phone = parsePhone(value);
    if (!phone?.isValid()) {
      ctx.addIssue({ code: 'custom', message: 'must be a valid phone number' });
      return z.NEVER;
    }
    return phone.number;
  })
  .meta({
    description:
      'A number of the US, a US territory, Canada or the UK, in any common format; stored as E.164. Without a country code, a US number is assumed.',
    example: '(201) 555-0123',
  });

export const ContactSchema = z
  .strictObject({
    email: z.string().trim().max(254).email('must be a valid email address').optional(),
    phone: PhoneSchema.optional(),
    communication: z
      .strictObject({
        email: z.boolean().meta({ description: 'The patient agrees to be contacted by email.' }),
        sms: z.boolean().meta({ description: 'The patient agrees to receive text messages.' }),
      })
      .meta({ description: 'Consent per channel: correspondence never uses a channel without it.' }),
  })
  .superRefine((contact, ctx) => {
    if (!contact.email && !contact.phone)
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'give an email address or a phone number' });
    if (contact.communication.email && !contact.email) {
      ctx.addIssue({ code: 'custom', path: ['communication', 'email'], message: 'email consent needs an email address' });
    }
    if (contact.communication.sms && !contact.phone) {
      ctx.addIssue({ code: 'custom', path: ['communication', 'sms'], message: 'text-message consent needs a phone number' });
    }
  })
  .meta({ id: 'Contact', description: 'At least one of email and phone.' });

const historyList = z.array(text(200)).max(50);

export const MedicalHistorySchema = z
  .strictObject({ conditions: historyList.optional(), medications: historyList.optional(), allergies: historyList.optional() })
  .meta({ id: 'MedicalHistory' });

const yesNo = (question: string) => z.boolean().meta({ description: question });

/**
 * The fixed screening questionnaire. Every question must be answered: an unanswered red-flag question must never
 * look like a "no" to triage (functions/intake/triage.ts).
 */
export const ScreeningAnswersSchema = z
  .strictObject({
    chestPainNow: yesNo('Do you have chest pain or pressure right now?'),
    shortnessOfBreathNow: yesNo('Are you short of breath right now?'),
    thoughtsOfSelfHarm: yesNo('Are you having thoughts of harming yourself?'),
    fallInLast30Days: yesNo('Have you fallen in the last 30 days?'),
    pregnantOrMayBePregnant: yesNo('Are you pregnant, or could you be?'),
  })
  .meta({ id: 'ScreeningAnswers' });

/** The screening question keys, in questionnaire order. */
export const SCREENING_QUESTIONS = ScreeningAnswersSchema.keyof().options;
export type ScreeningQuestion = (typeof SCREENING_QUESTIONS)[number];

/**
 * NPI check digit (CMS: Luhn over the 9 digits prefixed with the card issuer prefix 80840), so a mistyped order is
 * caught at the form rather than by the payer weeks later.
 */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  let sum = 0;
  const digits = `80840${npi}`;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const npi = z
  .string()
  .trim()
  .regex(/^\d{10}$/, 'must be 10 digits')
  .refine((value) => !/^\d{10}$/.test(value) || isValidNpi(value), 'is not a valid NPI (check digit)')
  .meta({ example: '1234567893' });

const subscriberName = { firstName: personName, lastName: personName, birthDate };

/** When the patient holds the policy, the subscriber is the patient; otherwise who holds it must be named. */
export const SubscriberSchema = z
  .discriminatedUnion('relationship', [
    z.strictObject({ relationship: z.literal('self') }),
    z.strictObject({ relationship: z.enum(['spouse', 'child', 'other']), ...subscriberName }),
  ])
  .meta({ id: 'Subscriber', description: "The policy holder. For 'self' the patient's name and birth date are used." });

/** Kinds of plan, for coordination of benefits. */
export const PLAN_TYPES = ['commercial', 'medicare', 'medicare-advantage', 'medicaid', 'tricare', 'other'] as const;

export const InsuranceSchema = z
  .strictObject({
    payerId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,80}$/, 'use the clearinghouse payer ID')
      .meta({ description: "The clearinghouse's payer ID", example: '60054' }),
    payerName: text(100).meta({ example: 'Aetna' }),
    memberId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{1,80}$/, 'use letters, digits and hyphens only'),
    groupNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{1,50}$/, 'use letters, digits and hyphens only')
      .optional(),
    subscriber: SubscriberSchema,
    planType: z.enum(PLAN_TYPES).optional().meta({
      description: 'What kind of plan it is: with two plans on file it decides which pays first (coordination of benefits).',
    }),
  })
  .meta({ id: 'Insurance' });

/**
 * The Medicare Secondary Payer questions (CMS's questionnaire, shortened to what decides who pays first), for a patient
 * with Medicare: kept with the coverage.
 */
export const MedicareSecondaryPayerSchema = z
  .strictObject({
    entitlement: z.enum(['age', 'disability', 'esrd']).meta({ description: 'Why the patient has Medicare.' }),
    blackLungBenefits: z.boolean(),
    governmentResearchProgram: z.boolean(),
    veteransAffairsAuthorized: z.boolean(),
    workRelatedInjury: z.boolean(),
    accidentOtherInsurance: z
      .boolean()
      .meta({ description: 'An accident another party’s (auto, no-fault, liability) insurance may pay for.' }),
    employerGroupHealthPlan: z
      .strictObject({ currentEmployment: z.boolean(), employerSize: z.enum(['under-20', '20-99', '100-or-more']) })
      .optional()
      .meta({ description: 'Group health coverage through the patient’s or their spouse’s employment.' }),
    esrdCoordinationPeriod: z.boolean().optional().meta({ description: 'ESRD: within the 30-month coordination period.' }),
  })
  .meta({ id: 'MedicareSecondaryPayer' });

export type Insurance = z.output<typeof InsuranceSchema>;

export const DAYS_OF_WEEK = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/**
 * A physician's order for imaging or therapy: who ordered what (CPT) and why (ICD-10), how urgently, and until when. The
 * procedure decides the appointment type; an order without `expiresOn` is acted on for 90 days from its submission.
 */
export const PhysicianOrderSchema = z
  .strictObject({
    orderingPhysicianName: text(200),
    orderingPhysicianNpi: npi,
    orderingPhysicianPhone: z.string().trim().min(7).max(30).optional(),
    orderId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    procedureCode: z
      .string()
      .regex(/^\d{4}[0-9A-Z]$/, 'use a CPT code, e.g. 73721')
      .optional()
      .meta({ description: 'CPT code of the procedure ordered: it decides the appointment type.', example: '73721' }),
    diagnosisCodes: z
      .array(z.string().regex(/^[A-TV-Z][0-9][0-9AB](\.?[0-9A-TV-Z]{1,4})?$/, 'use an ICD-10-CM code'))
      .max(12)
      .optional(),
    priority: z.enum(['routine', 'urgent', 'stat']).optional(),
    expiresOn: isoDate.optional().meta({ description: 'The last day the order may be acted on.' }),
    clinicalNotesReference: z
      .string()
      .trim()
      .regex(/^[\x21-\x7E]{1,200}$/, 'a reference without spaces, e.g. DocumentReference/8812')
      .optional()
      .meta({
        description: "Where the clinical notes behind the order are in the EHR (a document reference), for a payer's prior authorization.",
        example: 'DocumentReference/8812',
      }),
  })
  .meta({ id: 'PhysicianOrder' });
export type PhysicianOrderBody = z.output<typeof PhysicianOrderSchema>;

export const VisitSchema = z
  .strictObject({
    appointmentTypeCode: z
      .string()
      .regex(/^[A-Z0-9_]{1,64}$/, 'use an appointment type code from the clinic catalog')
      .meta({ example: 'PRIMARY_CARE_NEW' }),
    reasonForVisit: text(500).optional(),
    physicianOrder: PhysicianOrderSchema.optional().meta({ description: "For imaging and therapy: the referring physician's order." }),
    preferences: z
      .strictObject({
        locationId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
        daysOfWeek: z
          .array(z.enum(DAYS_OF_WEEK))
          .max(7)
          .refine((days) => new Set(days).size === days.length, 'list each day once')
          .optional()
          .meta({ description: 'Days the patient can come; absent or empty means any day.' }),
        timeOfDay: z.enum(['MORNING', 'AFTERNOON', 'ANY']).optional(),
        earliestDate: isoDate
          .refine((d) => {
            if (!DATE_SHAPE.test(d)) return true;
            const limit = todayUtc(new Date(clockNow().getTime() + EARLIEST_DATE_MAX_DAYS_AHEAD * 86_400_000));
            return d <= limit;
          }, 'must be within the next year')
          .optional()
          .meta({ description: "Not before this date (clinic's local calendar)." }),
        earliestPossible: z.boolean().optional().meta({
          description:
            'Earlier is better: once booked, the patient waits in line for an earlier time, and an accepted offer moves the visit.',
        }),
      })
      .default({}),
  })
  .meta({ id: 'Visit' });

const accepted = z.literal(true, { error: 'must be accepted' });

export const ConsentsSchema = z
  .strictObject({ treatment: accepted, privacyNotice: accepted, financialResponsibility: accepted })
  .meta({ id: 'Consents', description: 'All three must be accepted before a journey starts.' });

export const SUBMISSION_SOURCES = ['web-form', 'webhook', 'fhir-questionnaire-response'] as const;

export const IntakeSubmissionSchema = z
  .strictObject({
    patient: PatientSchema,
    contact: ContactSchema,
    medicalHistory: MedicalHistorySchema.optional(),
    screening: ScreeningAnswersSchema,
    insurance: InsuranceSchema,
    secondaryInsurance: InsuranceSchema.optional().meta({
      description: 'A second plan the patient has: checked too, and the order of the two decided.',
    }),
    medicareSecondaryPayer: MedicareSecondaryPayerSchema.optional(),
    visit: VisitSchema,
    consents: ConsentsSchema,
    paymentMethodToken: z
      .string()
      .max(255)
      .regex(/^(pm|tok)_[A-Za-z0-9_]+$/, "must be the payment processor's token")
      .optional()
      .meta({ description: "Token from the payment processor's client-side tokenization, never a card number." }),
    source: z.enum(SUBMISSION_SOURCES).default('web-form'),
  })
  .superRefine((body, ctx) => {
    const medicare = [body.insurance, body.secondaryInsurance].some(
      (p) => p?.planType === 'medicare' || p?.planType === 'medicare-advantage',
    );
    if (body.medicareSecondaryPayer && !medicare)
      ctx.addIssue({ code: 'custom', path: ['medicareSecondaryPayer'], message: 'only for a patient with a Medicare plan (planType)' });
  })
  .meta({ id: 'IntakeSubmission' });

/** The body as the client sends it. */
export type IntakeSubmissionInput = z.input<typeof IntakeSubmissionSchema>;
/** The body after validation and normalisation (trimmed strings, E.164 phone, defaults filled in). */
export type IntakeSubmission = z.output<typeof IntakeSubmissionSchema>;

/** 202: the journey started (or, for a repeat, the journey the first submission started). */
export const SubmissionAcceptedSchema = z
  .strictObject({
    submissionId: z.uuid(),
    journeyId: z.uuid(),
    status: z.enum(['RUNNING', 'WAITING_FOR_STAFF', 'COMPLETED', 'CANCELLED', 'FAILED']),
  })
  .meta({ id: 'SubmissionAccepted' });

export type SubmissionAccepted = z.output<typeof SubmissionAcceptedSchema>;
