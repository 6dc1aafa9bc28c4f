import * as z from 'zod';
import { AUTHORIZATION_REQUIRED_BY, AUTHORIZATION_STATUSES } from '#contract/prior-authorizations.ts';

/** Request and response bodies of a visit's prior authorization (GET and POST …/appointments/{appointmentId}/authorization). */

const localDate = z.iso.date();
const note = z.string().trim().min(1).max(1000).optional().meta({ description: 'What happened, for colleagues (free text).' });
const reference = z
  .string()
  .trim()
  .regex(/^[\x21-\x7E]{1,200}$/, 'a reference without spaces');

/** A payer's approval: its number, the days it may be used (inclusive) and how many units. */
const approvalFields = {
  authorizationNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,50}$/, 'letters, digits and hyphens'),
  validFrom: localDate,
  validTo: localDate,
  units: z.int().min(1).max(999),
};
const approvalDates = { path: ['validTo'], message: 'must not be before validFrom' };

export const AuthorizationApprovalSchema = z
  .strictObject(approvalFields)
  .refine((approval) => approval.validFrom <= approval.validTo, approvalDates)
  .meta({ id: 'AuthorizationApproval' });

/** POST …/authorization: what the payer did, as staff record it. */
export const RecordAuthorizationSchema = z
  .discriminatedUnion('status', [
    z.strictObject({
      status: z.literal('SUBMITTED'),
      payerReference: reference.optional().meta({ description: "The payer's tracking or case number for the request." }),
      clinicalNotesReference: reference.optional().meta({ description: 'The clinical notes sent with it (an EHR document reference).' }),
      note,
    }),
    z.strictObject({ status: z.literal('PENDING'), note }),
    z.strictObject({ status: z.literal('APPROVED'), ...approvalFields, note }),
    z.strictObject({ status: z.literal('DENIED'), denialReason: z.string().trim().min(1).max(500), note }),
    z.strictObject({ status: z.literal('NOT_REQUIRED'), note: note.meta({ description: 'Why: the payer said so, or the patient pays.' }) }),
  ])
  .refine((body) => body.status !== 'APPROVED' || body.validFrom <= body.validTo, approvalDates)
  .meta({ id: 'RecordAuthorization' });
export type RecordAuthorizationBody = z.output<typeof RecordAuthorizationSchema>;

/** A visit's prior-authorization case, for the people who work it (radiology, admins): clinical, audited per read. */
export const PriorAuthorizationViewSchema = z
  .strictObject({
    appointmentId: z.string(),
    journeyId: z.string().optional(),
    patientId: z.string(),
    payerId: z.string(),
    requiredBy: z.enum(AUTHORIZATION_REQUIRED_BY).meta({
      description:
        "`payer-response`: the payer's eligibility response said so for the service; `payer-rule`: the clinic's list for the payer names the procedure.",
    }),
    status: z.enum(AUTHORIZATION_STATUSES),
    request: z.strictObject({
      procedureCode: z.string().optional(),
      diagnosisCodes: z.array(z.string()),
      orderingPhysician: z.strictObject({ name: z.string(), npi: z.string(), phone: z.string().optional() }).optional(),
      clinicalNotesReference: z.string().optional(),
      appointmentTypeCode: z.string(),
      serviceDate: localDate,
      locationId: z.string(),
    }),
    payerReference: z.string().optional(),
    approval: z.strictObject({ authorizationNumber: z.string(), validFrom: localDate, validTo: localDate, units: z.int() }).optional(),
    denialReason: z.string().optional(),
    history: z.array(
      z.strictObject({ at: z.string(), by: z.string(), status: z.enum(AUTHORIZATION_STATUSES), note: z.string().optional() }),
    ),
    openedAt: z.string(),
    updatedAt: z.string(),
    /** Why the visit is not confirmed yet; absent when an approval covers its day. */
    hold: z.string().optional(),
  })
  .meta({ id: 'PriorAuthorization' });
export type PriorAuthorizationView = z.output<typeof PriorAuthorizationViewSchema>;

/** 200 of POST …/authorization: the case as recorded, and whether the journey waiting on it went on. */
export const AuthorizationRecordedSchema = z
  .strictObject({
    authorization: PriorAuthorizationViewSchema,
    journeyResumed: z.boolean().meta({
      description: 'True when this approval covered the visit and the journey waiting on it went on (charge, then confirmation).',
    }),
  })
  .meta({ id: 'AuthorizationRecorded' });
export type AuthorizationRecorded = z.output<typeof AuthorizationRecordedSchema>;
