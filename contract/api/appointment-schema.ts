import * as z from 'zod';
import { APPOINTMENT_STATUSES, CANCEL_REASONS, CANCELLED_BY } from '#contract/appointments.ts';
import { AUTHORIZATION_STATUSES } from '#contract/prior-authorizations.ts';
import { PathIdSchema } from './path-ids.ts';
import { AuthorizationApprovalSchema } from './prior-authorization-schema.ts';
import { PhysicianOrderSchema } from './submission-schema.ts';

/** Request and response bodies of the appointment routes: availability, booking, the day schedule and changes. */

const APPOINTMENT_TYPE = z.string().regex(/^[A-Z0-9_]{2,40}$/, 'an appointment type code, e.g. PRIMARY_CARE_NEW');
/** An instant with its offset, as the desk's screen shows it (`2026-12-08T09:00:00-05:00`); stored as given. */
const instant = z.iso.datetime({ offset: true });
const localDate = z.iso.date();

/** GET /v1/clinics/{clinicId}/availability (query string). */
export const AvailabilityQuerySchema = z
  .strictObject({
    appointmentType: APPOINTMENT_TYPE,
    locationId: PathIdSchema.optional(),
    providerId: PathIdSchema.optional(),
    from: instant.optional().meta({ description: 'Slots starting at or after this instant. Default: now.' }),
    to: instant.optional().meta({ description: 'Slots starting before this instant. Default and most: 31 days after `from`.' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: instant.optional().meta({ description: 'The `next` of the previous page.' }),
  })
  .meta({ id: 'AvailabilityQuery' });
export type AvailabilityQuery = z.output<typeof AvailabilityQuerySchema>;

const named = z.strictObject({ id: z.string(), name: z.string() });

/** An open slot: the visit's own start and end in the location's zone, and what it would hold. */
export const SlotSchema = z
  .strictObject({
    start: z.string().meta({ example: '2026-12-08T09:00:00-05:00' }),
    end: z.string(),
    timeZone: z.string().meta({ example: 'America/New_York' }),
    location: named,
    department: named,
    provider: named,
    resource: named.optional().meta({ description: 'A room or device held with the provider (e.g. the MRI scanner).' }),
  })
  .meta({ id: 'Slot' });
export type Slot = z.output<typeof SlotSchema>;

export const AvailabilitySchema = z
  .strictObject({
    appointmentType: z.string(),
    slots: z.array(SlotSchema).meta({ description: 'Earliest first; at one start, one entry per free provider (and resource).' }),
    next: z.string().optional().meta({ description: 'Pass as `cursor` for more; absent when the window holds no more.' }),
  })
  .meta({ id: 'Availability' });
export type AvailabilityBody = z.output<typeof AvailabilitySchema>;

/** POST /v1/clinics/{clinicId}/appointments: staff book a chosen slot for a patient. */
export const BookAppointmentSchema = z
  .strictObject({
    patientId: PathIdSchema,
    appointmentType: APPOINTMENT_TYPE,
    start: instant.meta({ description: "The slot's start, as availability listed it." }),
    locationId: PathIdSchema.optional(),
    providerId: PathIdSchema.optional().meta({ description: 'The provider chosen; any free one when absent.' }),
    order: PhysicianOrderSchema.optional().meta({
      description: "Required for types that need a physician's order (imaging, therapy); its procedure decides the type.",
    }),
    authorization: AuthorizationApprovalSchema.optional().meta({
      description:
        "The payer's prior authorization, required when the clinic's list for the patient's payer names the order's procedure; it must cover the visit's day.",
    }),
  })
  .meta({ id: 'BookAppointment' });
export type BookAppointmentInput = z.output<typeof BookAppointmentSchema>;

const historyEntry = z.strictObject({
  change: z.string(),
  at: z.string(),
  by: z.string().meta({ description: '`user:<sub>` or `function:<name>`.' }),
  from: z.strictObject({ start: z.string(), end: z.string(), resourceIds: z.array(z.string()) }).optional(),
  requestKey: z.string().optional(),
});

/** An appointment as staff see it: times in its location's zone, who and what it holds, and its history. */
export const StaffAppointmentSchema = z
  .strictObject({
    appointmentId: z.string(),
    status: z.enum(APPOINTMENT_STATUSES),
    appointmentType: z.string(),
    start: z.string(),
    end: z.string(),
    timeZone: z.string(),
    location: named,
    department: named,
    provider: named,
    resource: named.optional(),
    patientId: z.string(),
    journeyId: z.string().optional(),
    bookedBy: z.string().optional(),
    seriesId: z.string().optional().meta({ description: 'The series (plan of care) it is a visit of.' }),
    order: z
      .strictObject({
        orderId: z.string().optional(),
        orderingPhysician: z.strictObject({ name: z.string(), npi: z.string(), phone: z.string().optional() }),
        procedureCode: z.string().optional(),
        diagnosisCodes: z.array(z.string()),
        priority: z.enum(['routine', 'urgent', 'stat']),
        expiresOn: z.string().optional(),
        clinicalNotesReference: z.string().optional(),
      })
      .optional()
      .meta({ description: "The physician's order it was booked under." }),
    authorizationStatus: z.enum(AUTHORIZATION_STATUSES).optional().meta({
      description:
        'Present when the visit needs a prior authorization: booked (its time held) but not confirmed to the patient until APPROVED. See …/authorization.',
    }),
    createdAt: z.string(),
    revision: z.number().int(),
    history: z.array(historyEntry),
    cancellation: z
      .strictObject({ by: z.enum(CANCELLED_BY), reason: z.enum(CANCEL_REASONS), late: z.boolean(), note: z.string().optional() })
      .optional(),
    checkedInAt: z.string().optional(),
    completedAt: z.string().optional(),
    noShowAt: z.string().optional(),
    cancelledAt: z.string().optional(),
  })
  .meta({ id: 'Appointment' });
export type StaffAppointment = z.output<typeof StaffAppointmentSchema>;

/** 409 when the slot asked for is not free (taken meanwhile, or never open): the next open slots to offer instead. */
export const SlotTakenSchema = z.strictObject({ message: z.string(), alternatives: z.array(SlotSchema) }).meta({ id: 'SlotTaken' });

/** GET /v1/clinics/{clinicId}/appointments: one local day's schedule (query string). */
export const DayScheduleQuerySchema = z
  .strictObject({
    date: localDate.meta({ description: "The day, in each location's own calendar.", example: '2026-12-08' }),
    locationId: PathIdSchema.optional(),
    departmentId: PathIdSchema.optional(),
    providerId: PathIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(100),
    cursor: z.string().max(1000).optional(),
  })
  .meta({ id: 'DayScheduleQuery' });
export type DayScheduleQuery = z.output<typeof DayScheduleQuerySchema>;

export const DayScheduleSchema = z
  .strictObject({
    date: z.string(),
    appointments: z.array(StaffAppointmentSchema).meta({ description: 'By start; cancelled ones included.' }),
    next: z.string().optional(),
  })
  .meta({ id: 'DaySchedule' });
export type DayScheduleBody = z.output<typeof DayScheduleSchema>;

/** POST …/appointments/{appointmentId}/cancel. */
export const CancelAppointmentSchema = z
  .strictObject({
    by: z.enum(CANCELLED_BY).meta({ description: 'Who asked: a patient cancelling late may owe a fee; the clinic never does.' }),
    reason: z.enum(CANCEL_REASONS),
    note: z.string().trim().min(1).max(500).optional(),
  })
  .meta({ id: 'CancelAppointment' });

/** POST …/appointments/{appointmentId}/reschedule: a new start, or the next available one. */
export const RescheduleAppointmentSchema = z
  .strictObject({
    start: instant.optional(),
    nextAvailable: z.literal(true).optional(),
    providerId: PathIdSchema.optional().meta({ description: 'Another provider; the same one when absent (if free).' }),
  })
  .refine((body) => (body.start === undefined) !== (body.nextAvailable === undefined), {
    path: ['start'],
    message: 'give either `start` or `nextAvailable: true`',
  })
  .meta({ id: 'RescheduleAppointment' });

/** check-in, no-show, complete: nothing to say but the change. */
export const NoBodySchema = z.strictObject({}).meta({ id: 'EmptyBody' });

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** POST /v1/clinics/{clinicId}/appointment-series: a plan of care booked from a recurrence rule. */
export const BookSeriesSchema = z
  .strictObject({
    patientId: PathIdSchema,
    appointmentType: APPOINTMENT_TYPE,
    locationId: PathIdSchema.optional().meta({ description: 'Needed when the type is offered at more than one location.' }),
    providerId: PathIdSchema.optional().meta({ description: 'The therapist; otherwise the first visit’s, kept where free.' }),
    recurrence: z
      .strictObject({
        frequency: z.literal('WEEKLY'),
        interval: z.int().min(1).max(4).optional(),
        byDay: z
          .array(z.enum(DAYS))
          .min(1)
          .max(7)
          .refine((days) => new Set(days).size === days.length, 'list each day once'),
        count: z.int().min(1).max(104).optional(),
        until: localDate.optional(),
      })
      .refine((r) => (r.count === undefined) !== (r.until === undefined), { path: ['count'], message: 'give either `count` or `until`' })
      .meta({ description: 'An RFC 5545 weekly rule: e.g. Tuesday and Thursday, 12 visits.' }),
    startDate: localDate.meta({ description: "The first date a visit may fall on, in the location's calendar." }),
    timeOfDay: z.enum(['MORNING', 'AFTERNOON', 'ANY']).optional(),
    order: PhysicianOrderSchema.optional(),
  })
  .meta({ id: 'BookSeries' });
export type BookSeriesInput = z.output<typeof BookSeriesSchema>;

export const SeriesSchema = z
  .strictObject({
    seriesId: z.string(),
    visits: z.array(z.strictObject({ date: z.string(), appointmentId: z.string(), start: z.string(), end: z.string(), provider: named })),
    unplaced: z.array(z.strictObject({ date: z.string(), reason: z.string(), alternatives: z.array(SlotSchema) })).meta({
      description: 'Dates no visit could be placed on, each with open slots near it to offer instead.',
    }),
  })
  .meta({ id: 'AppointmentSeries' });

/** POST …/appointment-series/{seriesId}/cancel: the rest of the series, from a date on. */
export const CancelSeriesSchema = z
  .strictObject({
    from: localDate.optional().meta({ description: 'Cancel the visits on or after this date. Default: every visit still ahead.' }),
    by: z.enum(CANCELLED_BY),
    reason: z.enum(CANCEL_REASONS),
  })
  .meta({ id: 'CancelSeries' });

export const SeriesCancelledSchema = z
  .strictObject({ seriesId: z.string(), cancelled: z.array(z.string()), kept: z.array(z.string()) })
  .meta({ id: 'SeriesCancelled' });

/** POST /v1/clinics/{clinicId}/waitlist: put a patient in line for an appointment type. */
export const JoinWaitlistSchema = z
  .strictObject({
    patientId: PathIdSchema,
    appointmentType: APPOINTMENT_TYPE,
    locationId: PathIdSchema.optional(),
    providerId: PathIdSchema.optional(),
    earliestDate: localDate.optional(),
    latestDate: localDate.optional(),
    priority: z.enum(['urgent', 'high', 'normal']).optional().meta({ description: 'The line is by priority, then time waiting.' }),
    moveAppointmentId: PathIdSchema.optional().meta({
      description:
        'A booked visit of this patient and type they would rather have earlier: only earlier time is offered, and accepting moves it.',
    }),
  })
  .refine((b) => !b.earliestDate || !b.latestDate || b.earliestDate <= b.latestDate, {
    path: ['latestDate'],
    message: 'must not be before `earliestDate`',
  })
  .meta({ id: 'JoinWaitlist' });

export const WaitlistEntrySchema = z
  .strictObject({
    entryId: z.string(),
    patientId: z.string(),
    appointmentType: z.string(),
    locationId: z.string().optional(),
    providerId: z.string().optional(),
    earliestDate: z.string().optional(),
    latestDate: z.string().optional(),
    priority: z.enum(['urgent', 'high', 'normal']),
    status: z.enum(['WAITING', 'OFFERED', 'BOOKED', 'REMOVED']),
    journeyId: z.string().optional(),
    appointmentId: z.string().optional(),
    moves: z
      .strictObject({ appointmentId: z.string(), start: z.string() })
      .optional()
      .meta({ description: 'The booked visit an accepted offer moves earlier: only time before its start is offered.' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'WaitlistEntry' });

/** GET /v1/clinics/{clinicId}/waitlist?appointmentType=…: the line. */
export const WaitlistQuerySchema = z.strictObject({ appointmentType: APPOINTMENT_TYPE }).meta({ id: 'WaitlistQuery' });
export const WaitlistSchema = z
  .strictObject({
    appointmentType: z.string(),
    entries: z.array(WaitlistEntrySchema).meta({ description: 'In line order: offered first, then waiting by priority and time.' }),
  })
  .meta({ id: 'Waitlist' });

/** POST …/waitlist-offers/{token}/accept, asked for JSON. */
export const OfferAcceptedSchema = z
  .strictObject({
    outcome: z.enum(['BOOKED', 'TAKEN', 'ALREADY_BOOKED_ANOTHER']),
    appointmentId: z.string().optional(),
    start: z.string().optional(),
    alternatives: z.array(SlotSchema).optional(),
  })
  .meta({ id: 'OfferAccepted' });
