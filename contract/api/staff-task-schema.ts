import * as z from 'zod';
import { CONTACT_CATEGORIES, STAFF_QUEUES, TASK_PRIORITIES, TRIAGE_DISPOSITIONS } from '#contract/staff-queues.ts';
import { PriorAuthorizationViewSchema } from './prior-authorization-schema.ts';
import { MedicareSecondaryPayerSchema, PLAN_TYPES } from './submission-schema.ts';

const STATUSES = ['OPEN', 'DECIDED', 'EXPIRED'] as const;
export const CONTACT_CHANNELS = ['call', 'voicemail', 'portal-message', 'walk-in'] as const;
export const CONTACT_FROM = ['patient', 'family', 'other-office', 'payer'] as const;
export const CONTACT_URGENCIES = ['routine', 'soon', 'urgent'] as const;
const ACTIONS = ['RETRY', 'PROCEED', 'CANCEL'] as const;
/** A note's size in UTF-8: 100 notes of it keep a task item (about 200 KB of notes) well within DynamoDB's 400 KB. */
export const MAX_NOTE_BYTES = 2000;
/** A list position as the previous page returned it: `<dueAt>#<taskId>`. */
const CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[a-z0-9-]{1,64}$/;

/** GET /v1/clinics/{clinicId}/staff-tasks: which tasks (query string). */
export const StaffTaskListQuerySchema = z
  .strictObject({
    queue: z.enum(STAFF_QUEUES).optional().meta({ description: 'One queue; without it, every queue the person works.' }),
    status: z.enum(STATUSES).default('OPEN'),
    owner: z
      .string()
      .regex(/^(me|user:[\w-]{1,128})$/, '"me" or a user (user:<id>)')
      .optional()
      .meta({ description: 'Only tasks this person has claimed: "me", or a colleague as `user:<id>`.' }),
    // Normalised to the stored form (milliseconds, Z): the bound is compared as text with stored due times.
    dueBefore: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value).toISOString())
      .optional()
      .meta({ description: 'Only tasks due before this time.' }),
    overdue: z.enum(['true']).optional().meta({ description: '"true": only tasks past their due time (due before now).' }),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().regex(CURSOR, 'the `next` of the previous page').optional(),
  })
  .refine((query) => !query.overdue || query.status === 'OPEN', { path: ['overdue'], message: 'only open tasks are overdue' })
  .meta({ id: 'StaffTaskListQuery' });

export type StaffTaskListQuery = z.output<typeof StaffTaskListQuerySchema>;

const PersonSchema = z.strictObject({
  userId: z.string().meta({ description: '`user:<id>` for a person, `function:<name>` for the system.' }),
  name: z.string().optional(),
});

/**
 * A task in a list: what kind, which stage, how urgent and whose, with IDs only. Not the reason (its text can be
 * clinical, e.g. a triage slip's flagged questions) nor the patient's name: opening the task shows them, audited.
 */
export const StaffTaskSummarySchema = z
  .strictObject({
    taskId: z.string(),
    journeyId: z.string().optional().meta({ description: 'The journey it is about; a logged contact may be about none.' }),
    kind: z.enum(['TRIAGE', 'STAGE_BLOCKED', 'EXECUTION_STOPPED', 'CONTACT', 'RESCHEDULE', 'COVERAGE_CHANGED', 'PRIOR_AUTHORIZATION']),
    appointmentId: z.string().optional().meta({
      description:
        'RESCHEDULE: the visit a calendar change collides with; COVERAGE_CHANGED: the visit whose coverage changed; PRIOR_AUTHORIZATION: the visit whose approval ran out.',
    }),
    stage: z.string().optional().meta({ description: "The journey's stage; a logged contact has none." }),
    queue: z.enum(STAFF_QUEUES),
    priority: z.enum(TASK_PRIORITIES),
    status: z.enum(STATUSES),
    createdAt: z.string(),
    dueAt: z.string(),
    overdue: z.boolean().meta({ description: 'Open past its due time: escalated to the queue lead.' }),
    owner: PersonSchema.optional().meta({ description: 'Who has claimed it.' }),
  })
  .meta({ id: 'StaffTaskSummary' });

export type StaffTaskSummary = z.output<typeof StaffTaskSummarySchema>;

export const StaffTaskPageSchema = z
  .strictObject({
    tasks: z.array(StaffTaskSummarySchema),
    next: z.string().optional().meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
  })
  .meta({ id: 'StaffTaskPage' });

export type StaffTaskPage = z.output<typeof StaffTaskPageSchema>;

/** A patient's coverage as staff see it: the insurance on file, or self-pay confirmed by staff. */
const PlanViewSchema = z.strictObject({
  payerId: z.string(),
  payerName: z.string(),
  memberId: z.string(),
  groupNumber: z.string().optional(),
  subscriberRelationship: z.string(),
  planType: z.enum(PLAN_TYPES).optional(),
});

export const CoverageViewSchema = z
  .union([
    PlanViewSchema.extend({
      secondary: PlanViewSchema.optional().meta({ description: 'A second plan on file.' }),
      medicareSecondaryPayer: MedicareSecondaryPayerSchema.optional(),
    }),
    z.strictObject({ selfPay: z.literal(true) }),
  ])
  .meta({ id: 'CoverageView' });

export type CoverageView = z.output<typeof CoverageViewSchema>;

const accumulator = z.strictObject({ totalCents: z.int().optional(), remainingCents: z.int().optional(), period: z.string().optional() });

/** The last eligibility check of a journey, read for one service type: what the payer says, and what it leaves open. */
export const EligibilityViewSchema = z
  .strictObject({
    checkedAt: z.string(),
    serviceTypeCode: z.string(),
    payerId: z.string().optional(),
    status: z.enum(['ACTIVE', 'INACTIVE', 'REJECTED', 'UNKNOWN']),
    answeredUnder: z.string().optional().meta({ description: 'The service type whose lines answered (a related one, or 30: the plan).' }),
    network: z.enum(['IN', 'OUT']).meta({ description: "The clinic's network status with the payer, as read." }),
    notCovered: z.boolean(),
    copayCents: z.int().optional(),
    coinsurancePercent: z.number().optional(),
    deductible: z
      .strictObject({ individual: accumulator.optional(), family: accumulator.optional(), waivedForService: z.boolean().optional() })
      .optional(),
    outOfPocket: z.strictObject({ individual: accumulator.optional(), family: accumulator.optional() }).optional(),
    visitLimit: z
      .strictObject({ visits: z.int().optional(), used: z.int().optional(), remaining: z.int().optional(), period: z.string().optional() })
      .optional(),
    priorAuthorization: z.enum(['REQUIRED', 'NOT_REQUIRED', 'UNKNOWN']),
    otherPayers: z.array(
      z.strictObject({
        name: z.string().optional(),
        payerId: z.string().optional(),
        insuranceTypeCode: z.string().optional(),
        primary: z.boolean().optional(),
      }),
    ),
    costSharingWaived: z.literal('QMB').optional(),
    payerMessages: z.array(z.string()).meta({ description: 'The payer’s free text, verbatim.' }),
    rejection: z.strictObject({ code: z.string(), meaning: z.string(), memberNotFound: z.boolean() }).optional(),
    uncertain: z.array(z.string()).meta({ description: 'Why the response does not decide, when it does not.' }),
    dueCents: z.int().optional().meta({ description: 'The estimate recorded for the patient.' }),
    estimate: z
      .strictObject({
        allowedAmountCents: z.int(),
        allowedAmountFrom: z.enum(['payer-rate', 'clinic']).meta({
          description: "`payer-rate`: the clinic's contracted rate with this payer for the type; `clinic`: the type's own amount.",
        }),
        lines: z.array(
          z.strictObject({
            term: z.enum(['copay', 'deductible', 'coinsurance', 'out-of-pocket cap']),
            cents: z.int(),
            detail: z.string(),
          }),
        ),
        dueCents: z.int(),
      })
      .optional()
      .meta({ description: 'How the estimate was reached, line by line; absent when no estimate could be signed.' }),
    coordination: z
      .strictObject({
        primaryPayerId: z.string(),
        secondaryPayerId: z.string().optional(),
        basis: z.string(),
        review: z.string().optional(),
        secondaryOutcome: z.enum(['ACTIVE', 'SELF_PAY', 'INACTIVE', 'MEMBER_NOT_FOUND', 'NEEDS_REVIEW']).optional(),
        secondaryActive: z.boolean().optional(),
      })
      .optional()
      .meta({ description: 'With two plans on file (or Medicare Secondary Payer answers): which pays first, and why.' }),
  })
  .meta({ id: 'EligibilityView' });

/** One task with what a person needs to act on it. */
export const StaffTaskDetailSchema = StaffTaskSummarySchema.extend({
  reason: z.string().meta({ description: 'Why the task exists, as the stage or the screening put it.' }),
  allowedActions: z.array(z.enum(ACTIONS)).meta({ description: 'What a decision may be (POST …/decision), while open.' }),
  patient: z
    .strictObject({
      patientId: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      birthDate: z.string(),
      phone: z.string().optional(),
      email: z.string().optional(),
    })
    .optional()
    .meta({ description: "Who the task is about, to call them back (a journey's task)." }),
  contact: z
    .strictObject({
      contactId: z.string(),
      channel: z.enum(CONTACT_CHANNELS),
      from: z.strictObject({ kind: z.enum(CONTACT_FROM), name: z.string().optional(), phone: z.string().optional() }),
      category: z.enum(CONTACT_CATEGORIES),
      urgency: z.enum(CONTACT_URGENCIES),
      summary: z.string(),
      patientId: z.string().optional(),
      loggedBy: z.string(),
      loggedAt: z.string(),
    })
    .optional()
    .meta({ description: 'A logged contact: who called or wrote, about what, how urgent, and the summary.' }),
  coverage: CoverageViewSchema.optional().meta({
    description: 'Eligibility tasks: the insurance on file (or self-pay), the fields a correction would change.',
  }),
  authorization: PriorAuthorizationViewSchema.optional().meta({
    description:
      "A visit's prior authorization, on the task that waits for it (radiology and admins): what the payer needs and where it stands.",
  }),
  eligibility: EligibilityViewSchema.optional().meta({
    description: "Eligibility tasks: the last check as a verification specialist reads it, with the payer's own messages.",
  }),
  possibleDuplicate: z
    .strictObject({
      fields: z.array(z.string()).meta({ description: 'Where the two disagree (email, phone, address, insurance).' }),
      otherPatient: z.strictObject({
        patientId: z.string(),
        firstName: z.string(),
        lastName: z.string(),
        birthDate: z.string(),
        phone: z.string().optional(),
        email: z.string().optional(),
      }),
    })
    .optional()
    .meta({ description: 'A possible duplicate held at intake: the patient of the same name and birth date, to compare.' }),
  notes: z.array(z.strictObject({ at: z.string(), by: PersonSchema, text: z.string() })),
  history: z.array(z.strictObject({ at: z.string(), by: PersonSchema, event: z.string() })),
  decision: z
    .strictObject({ action: z.enum(ACTIONS), decidedBy: PersonSchema, decidedAt: z.string(), note: z.string().optional() })
    .optional(),
  disposition: z
    .strictObject({ code: z.enum(TRIAGE_DISPOSITIONS), note: z.string(), disposedBy: PersonSchema, disposedAt: z.string() })
    .optional()
    .meta({ description: 'A triage slip: how the clinician closed it.' }),
}).meta({ id: 'StaffTaskDetail' });

export type StaffTaskDetail = z.output<typeof StaffTaskDetailSchema>;

/** POST …/staff-tasks/{taskId}/notes */
export const StaffTaskNoteBodySchema = z
  .strictObject({
    text: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      // Bytes too: a task keeps up to 100 notes and must stay far below DynamoDB's 400 KB item.
      .refine((text) => new TextEncoder().encode(text).length <= MAX_NOTE_BYTES, `at most ${MAX_NOTE_BYTES} bytes (UTF-8)`)
      .meta({ description: 'What happened, for colleagues (at most 2,000 characters and 2,000 bytes).' }),
  })
  .meta({ id: 'StaffTaskNote' });

export type StaffTaskNoteBody = z.output<typeof StaffTaskNoteBodySchema>;

/** POST …/staff-tasks/{taskId}/disposition: how a clinician closes a triage slip. */
export const TriageDispositionBodySchema = z
  .strictObject({
    disposition: z.enum(TRIAGE_DISPOSITIONS),
    note: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .refine((text) => new TextEncoder().encode(text).length <= MAX_NOTE_BYTES, `at most ${MAX_NOTE_BYTES} bytes (UTF-8)`)
      .meta({ description: "The clinician's note: what was advised or arranged, and when they will call back if so." }),
  })
  .meta({ id: 'TriageDisposition' });

export type TriageDispositionBody = z.output<typeof TriageDispositionBodySchema>;
