import * as z from 'zod';
import { CoverageViewSchema } from './staff-task-schema.ts';
import {
  AddressSchema,
  ContactSchema,
  InsuranceSchema,
  MedicareSecondaryPayerSchema,
  PatientSchema,
  PhoneSchema,
  SubscriberSchema,
} from './submission-schema.ts';

const atLeastOne = (value: Record<string, unknown>) => Object.values(value).some((field) => field !== undefined);

/**
 * PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/coverage: what staff correct of the insurance on file (any of its
 * fields, validated as at intake; the result must be a whole policy), or `selfPay: true` (the patient pays).
 */
export const CoverageCorrectionSchema = z
  .strictObject({
    payerId: InsuranceSchema.shape.payerId.optional(),
    payerName: InsuranceSchema.shape.payerName.optional(),
    memberId: InsuranceSchema.shape.memberId.optional(),
    groupNumber: InsuranceSchema.shape.groupNumber,
    subscriber: SubscriberSchema.optional(),
    planType: InsuranceSchema.shape.planType,
    secondary: InsuranceSchema.optional().meta({ description: 'The second plan the patient has (replaces any on file).' }),
    removeSecondary: z.literal(true).optional().meta({ description: 'The patient no longer has the second plan.' }),
    medicareSecondaryPayer: MedicareSecondaryPayerSchema.optional(),
    selfPay: z.literal(true).optional().meta({ description: 'The patient pays for the visit: no insurance is billed.' }),
  })
  .refine(atLeastOne, 'name at least one field to correct')
  .superRefine((body, ctx) => {
    if (body.selfPay && Object.keys(body).length > 1)
      ctx.addIssue({ code: 'custom', path: ['selfPay'], message: 'self-pay replaces the insurance: send it alone' });
    if (body.secondary && body.removeSecondary)
      ctx.addIssue({ code: 'custom', path: ['removeSecondary'], message: 'send either a secondary plan or its removal' });
  })
  .meta({ id: 'CoverageCorrection' });

export type CoverageCorrection = z.output<typeof CoverageCorrectionSchema>;

/**
 * PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/patient: demographics and contact details staff correct, each
 * validated as at intake; the corrected record must still be whole (e.g. email consent needs an email address).
 */
export const PatientCorrectionSchema = z
  .strictObject({
    firstName: PatientSchema.shape.firstName.optional(),
    lastName: PatientSchema.shape.lastName.optional(),
    birthDate: PatientSchema.shape.birthDate.optional(),
    sex: PatientSchema.shape.sex,
    preferredLanguage: PatientSchema.shape.preferredLanguage,
    address: AddressSchema.optional(),
    email: ContactSchema.shape.email,
    phone: PhoneSchema.optional(),
    communication: ContactSchema.shape.communication.optional(),
  })
  .refine(atLeastOne, 'name at least one field to correct')
  .meta({ id: 'PatientCorrection' });

export type PatientCorrection = z.output<typeof PatientCorrectionSchema>;

/** 200: what was corrected (field names) and the record as staff now see it. */
export const CorrectionAppliedSchema = z
  .strictObject({
    journeyId: z.string(),
    changedFields: z.array(z.string()).meta({ description: 'The fields whose value changed (none: the record already said so).' }),
    coverage: CoverageViewSchema.optional(),
  })
  .meta({ id: 'CorrectionApplied' });

export type CorrectionApplied = z.output<typeof CorrectionAppliedSchema>;

/** POST /v1/clinics/{clinicId}/journeys/{journeyId}/duplicate-resolution: the same person, or two people. */
export const DuplicateResolutionSchema = z
  .strictObject({
    resolution: z.enum(['MERGE', 'KEEP_APART']).meta({
      description: 'MERGE: the same person (the matched patient takes the submitted details). KEEP_APART: two people.',
    }),
  })
  .meta({ id: 'DuplicateResolution' });

export type DuplicateResolution = z.output<typeof DuplicateResolutionSchema>;

export const DuplicateResolvedSchema = z
  .strictObject({
    journeyId: z.string(),
    resolution: z.enum(['MERGE', 'KEEP_APART']),
    patientId: z.string().meta({ description: 'The journey’s patient from now on.' }),
  })
  .meta({ id: 'DuplicateResolved' });

export type DuplicateResolved = z.output<typeof DuplicateResolvedSchema>;

/** 200 of PATCH …/journeys/{journeyId}/order: the order is on the journey's visit request; a RETRY books under it. */
export const OrderAttachedSchema = z
  .strictObject({
    journeyId: z.string(),
    appointmentType: z.string().meta({ description: 'The type the order decides (its CPT), booked at the RETRY.' }),
    validUntil: z.string().meta({ description: 'The last local day the order may be booked on.' }),
  })
  .meta({ id: 'OrderAttached' });

export type OrderAttached = z.output<typeof OrderAttachedSchema>;
