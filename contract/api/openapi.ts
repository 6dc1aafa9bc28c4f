import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { API_ROUTES, type ApiRoute } from '#contract/api-routes.ts';
import {
  AvailabilityQuerySchema,
  AvailabilitySchema,
  BookAppointmentSchema,
  BookSeriesSchema,
  CancelAppointmentSchema,
  CancelSeriesSchema,
  DayScheduleQuerySchema,
  DayScheduleSchema,
  JoinWaitlistSchema,
  OfferAcceptedSchema,
  RescheduleAppointmentSchema,
  SeriesCancelledSchema,
  SeriesSchema,
  SlotTakenSchema,
  StaffAppointmentSchema,
  WaitlistEntrySchema,
  WaitlistQuerySchema,
  WaitlistSchema,
} from './appointment-schema.ts';
import { AuditEventPageSchema, AuditEventQuerySchema } from './audit-event-schema.ts';
import { AddClosureSchema, AddUnavailabilitySchema, CalendarChangedSchema, CalendarSchema, WeeklyHoursSchema } from './calendar-schema.ts';
import { ContactLoggedSchema, ContactLogSchema } from './contact-schema.ts';
import {
  CorrectionAppliedSchema,
  CoverageCorrectionSchema,
  DuplicateResolutionSchema,
  DuplicateResolvedSchema,
  OrderAttachedSchema,
  PatientCorrectionSchema,
} from './correction-schema.ts';
import { MessageErrorSchema, ValidationErrorSchema } from './error-schemas.ts';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKeySchema } from './idempotency-key.ts';
import { JourneyListQuerySchema, JourneyPageSchema } from './journey-list-schema.ts';
import { JourneyTimelineSchema } from './journey-timeline-schema.ts';
import { JourneyViewSchema } from './journey-view-schema.ts';
import { ExecutionIdSchema, StoppedExecutionsPageSchema, StoppedExecutionsQuerySchema } from './ops-schema.ts';
import { PathIdSchema } from './path-ids.ts';
import { AuthorizationRecordedSchema, PriorAuthorizationViewSchema, RecordAuthorizationSchema } from './prior-authorization-schema.ts';
import { StaffDecisionBodySchema, StaffDecisionRecordedSchema } from './staff-decision-schema.ts';
import {
  StaffTaskDetailSchema,
  StaffTaskListQuerySchema,
  StaffTaskNoteBodySchema,
  StaffTaskPageSchema,
  StaffTaskSummarySchema,
  TriageDispositionBodySchema,
} from './staff-task-schema.ts';
import { IntakeSubmissionSchema, PhysicianOrderSchema, SubmissionAcceptedSchema } from './submission-schema.ts';

type Operation = Omit<RouteConfig, 'method' | 'path'>;
type Responses = Operation['responses'];

const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema } });
const message = (description: string) => ({ description, content: jsonContent(MessageErrorSchema) });

/** Answers every route behind the API key can give: the authorizer's 401/403. */
const AUTHORIZER_RESPONSES: Responses = {
  401: message('No x-api-key header.'),
  403: message('The API key is unknown, revoked, or not for this clinic.'),
};

/** What a staff route answers before its work: API Gateway's JWT authorizer, then the route's clinic and role check. */
const STAFF_AUTH_RESPONSES: Responses = {
  401: message('No bearer token, or one that is not a valid, unexpired ID token of the staff user pool.'),
  403: message('The signed-in person does not work for this clinic, or none of their roles may do this.'),
};

/**
 * A bare 500. Whether a retry is safe depends on the route, so each route says so: an intake submission is
 * idempotent (Idempotency-Key or body hash), a read is, and so is sending the same staff decision again.
 */
const serverError = (retry: string) => ({
  500: message(`Unexpected failure. ${retry}`),
  503: message(`A service this API depends on is unavailable for a moment; the Retry-After header says when to try again. ${retry}`),
});

const BODY_RESPONSES: Responses = {
  400: {
    description: 'Invalid body or path parameter: every problem, each with its path.',
    content: jsonContent(ValidationErrorSchema),
  },
  413: message('The body is larger than 64 KiB.'),
  415: message('Content-Type is not application/json.'),
};

const clinicId = PathIdSchema.meta({ description: 'The clinic the API key belongs to.', example: 'demo-clinic' });
const taskParams = z.object({ clinicId, taskId: PathIdSchema });
const NOT_IN_QUEUE = message('No such staff task for this clinic.');

/** The corrections of a journey's patient and insurance answer alike. */
const correction = (operationId: string, summary: string, description: string, body: z.ZodType): Operation => ({
  operationId,
  summary,
  description,
  tags: ['Corrections'],
  request: { params: z.object({ clinicId, journeyId: z.uuid() }), body: { required: true, content: jsonContent(body) } },
  responses: {
    200: {
      description: 'Corrected (or already so: no field changed); the changed fields by name.',
      content: jsonContent(CorrectionAppliedSchema),
    },
    ...BODY_RESPONSES,
    404: message('No such journey for this clinic.'),
    409: message(
      'The journey has ended, the record changed since it was read, or (patient) another patient has the new name and birth date.',
    ),
    ...STAFF_AUTH_RESPONSES,
    ...serverError('Safe to retry with the same body: a repeat changes nothing.'),
  },
});

/** Claim, release and notes answer alike: the task as lists show it, after the change. */
const workOperation = (operationId: string, summary: string, description: string, conflict: string, body?: z.ZodType): Operation => ({
  operationId,
  summary,
  description,
  tags: ['Staff tasks'],
  request: { params: taskParams, ...(body ? { body: { required: true, content: jsonContent(body) } } : {}) },
  responses: {
    200: { description: 'Done (a repeat answers 200 too); the task as lists now show it.', content: jsonContent(StaffTaskSummarySchema) },
    ...(body ? BODY_RESPONSES : { 400: { description: 'The task ID is not an ID.', content: jsonContent(ValidationErrorSchema) } }),
    404: NOT_IN_QUEUE,
    409: message(conflict),
    ...STAFF_AUTH_RESPONSES,
    ...serverError('Safe to retry.'),
  },
});

const appointmentParams = z.object({ clinicId, appointmentId: PathIdSchema });
const QUERY_RESPONSES = (what: string): Responses => ({
  400: {
    description: `A query parameter or the clinic ID in the path is invalid, or names ${what} the clinic does not have: every problem.`,
    content: jsonContent(ValidationErrorSchema),
  },
});

/** Reschedule, cancel, check-in, no-show and complete answer alike: the appointment after the change. */
const changeOperation = (operationId: string, summary: string, description: string, body?: z.ZodType): Operation => ({
  operationId,
  summary,
  description,
  tags: ['Appointments'],
  request: { params: appointmentParams, ...(body ? { body: { required: true, content: jsonContent(body) } } : {}) },
  responses: {
    200: {
      description: 'Changed, or already so (a repeat answers 200 and changes nothing): the appointment now.',
      content: jsonContent(StaffAppointmentSchema),
    },
    ...(body ? BODY_RESPONSES : { 400: { description: 'The appointment ID is not an ID.', content: jsonContent(ValidationErrorSchema) } }),
    404: message('No such appointment for this clinic.'),
    409: {
      description:
        'Its status does not allow this change (e.g. check in a cancelled visit, cancel a completed one), its time does ' +
        'not (a no-show before the start, a reschedule after it), or (reschedule) the new time is not free: then with the next open slots.',
      content: jsonContent(z.union([MessageErrorSchema, SlotTakenSchema])),
    },
    ...STAFF_AUTH_RESPONSES,
    ...serverError('Safe to retry: a repeat of a change already made changes nothing (a reschedule, with the same Idempotency-Key).'),
  },
});

/** An admin's change of the calendar: its body (if any), and the answers every calendar change gives. */
function calendarChange(
  operationId: string,
  summary: string,
  description: string,
  params: Record<string, z.ZodType>,
  body: z.ZodType | undefined,
  outcomes: Partial<Record<200 | 201 | 404, string>>,
): Operation {
  const answer = (text: string) => ({ description: text, content: jsonContent(CalendarChangedSchema) });
  return {
    operationId,
    summary,
    description: `For admins. ${description}`,
    tags: ['Calendar'],
    request: {
      params: z.object({ clinicId, ...params }),
      ...(body ? { body: { required: true, content: jsonContent(body) } } : {}),
    },
    responses: {
      ...(outcomes[201] ? { 201: answer(outcomes[201]) } : {}),
      ...(outcomes[200] ? { 200: answer(outcomes[200]) } : {}),
      ...(body ? BODY_RESPONSES : { 400: { description: 'An ID in the path is not an ID.', content: jsonContent(ValidationErrorSchema) } }),
      ...(outcomes[404] ? { 404: message(outcomes[404]) } : {}),
      409: message('Other admins kept changing the calendar meanwhile: read it and try again.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry: a change made already is not made twice.'),
    },
  };
}

/** What each route in contract/api-routes.ts does, keyed by "METHOD path". */
const OPERATIONS: Record<string, Operation> = {
  'POST /v1/clinics/{clinicId}/intake-submissions': {
    operationId: 'submitIntake',
    summary: 'Submit a patient intake and start the journey',
    description:
      'Validates the form, registers or matches the patient, records the submission and starts the journey ' +
      '(screening, eligibility, scheduling, payment, confirmation). Idempotent: a repeat of the same body, or of the same ' +
      'Idempotency-Key, however late, returns the first journey instead of starting another.',
    tags: ['Intake'],
    request: {
      params: z.object({ clinicId }),
      headers: [
        IdempotencyKeySchema.optional().meta({
          param: {
            name: IDEMPOTENCY_KEY_HEADER,
            in: 'header',
            description: 'Optional. Without it, the hash of the body is the key.',
          },
        }),
      ],
      body: { required: true, content: jsonContent(IntakeSubmissionSchema) },
    },
    responses: {
      202: {
        description: 'Accepted: the journey runs (for a repeat, the current status of the first journey).',
        content: jsonContent(SubmissionAcceptedSchema),
      },
      ...BODY_RESPONSES,
      409: message('The Idempotency-Key was already used with a different body.'),
      ...AUTHORIZER_RESPONSES,
      ...serverError('Safe to retry with the same body (and Idempotency-Key, if sent): a repeat never starts a second journey.'),
    },
  },
  'GET /v1/clinics/{clinicId}/journeys/{journeyId}': {
    operationId: 'getJourney',
    summary: 'Get a journey as the front desk sees it',
    tags: ['Journeys'],
    request: { params: z.object({ clinicId, journeyId: z.uuid() }) },
    responses: {
      200: { description: 'The journey.', content: jsonContent(JourneyViewSchema) },
      400: { description: 'The journey ID is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such journey for this clinic.'),
      ...AUTHORIZER_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/contacts': {
    operationId: 'logContact',
    summary: 'Log an inbound call, voicemail, portal message or walk-in question',
    description:
      "It becomes a task in the queue the clinic's routing gives its category (due by its urgency; an urgent one is alerted " +
      'at once). A clinical concern needs its red-flag screening answers; one that shows a red flag becomes a triage slip, ' +
      'and clinicians are alerted at once. With an Idempotency-Key, a repeat of the same body answers the same task.',
    tags: ['Staff tasks'],
    request: {
      params: z.object({ clinicId }),
      headers: [
        IdempotencyKeySchema.optional().meta({
          param: { name: IDEMPOTENCY_KEY_HEADER, in: 'header', description: 'Optional: the same key logs the contact once.' },
        }),
      ],
      body: { required: true, content: jsonContent(ContactLogSchema) },
    },
    responses: {
      201: { description: 'Logged: the task it became.', content: jsonContent(ContactLoggedSchema) },
      ...BODY_RESPONSES,
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry with the same Idempotency-Key.'),
    },
  },
  'GET /v1/clinics/{clinicId}/staff-tasks': {
    operationId: 'listStaffTasks',
    summary: "List the staff tasks of the person's queues",
    description:
      'Most due first, a page at a time (pass `next` back as `cursor`). Only the queues the person works: a queue they ' +
      'do not work answers 403. Summaries carry IDs, routing and times: no reason (it can be clinical), no patient name.',
    tags: ['Staff tasks'],
    request: { params: z.object({ clinicId }), query: StaffTaskListQuerySchema },
    responses: {
      200: { description: 'A page of tasks.', content: jsonContent(StaffTaskPageSchema) },
      400: {
        description: 'A query parameter or the clinic ID in the path is invalid: every problem, with its name.',
        content: jsonContent(ValidationErrorSchema),
      },
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'GET /v1/clinics/{clinicId}/staff-tasks/{taskId}': {
    operationId: 'getStaffTask',
    summary: 'Get a staff task with what is needed to act on it',
    description:
      "The reason, the patient to call back, an eligibility task's insurance on file, notes, history and the decisions " +
      "open. Only for people who work the task's queue (403 otherwise); the read is audited in the person's name.",
    tags: ['Staff tasks'],
    request: { params: taskParams },
    responses: {
      200: { description: 'The task.', content: jsonContent(StaffTaskDetailSchema) },
      400: { description: 'The task ID is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: NOT_IN_QUEUE,
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'GET /v1/clinics/{clinicId}/availability': {
    operationId: 'listAvailability',
    summary: 'Open slots of one appointment type',
    description:
      'Earliest first, a page at a time (pass `next` back as `cursor`), over at most 31 days: starts on the quarter hours ' +
      "of the location's clock within every resource's weekly hours, outside closures, time off and blocks, with the " +
      "type's duration and buffers free on every resource it needs (e.g. the MRI technologist and the scanner). No lead time: staff can book a walk-in now.",
    tags: ['Appointments'],
    request: { params: z.object({ clinicId }), query: AvailabilityQuerySchema },
    responses: {
      200: { description: 'A page of open slots.', content: jsonContent(AvailabilitySchema) },
      ...QUERY_RESPONSES('an appointment type, location or provider'),
      404: message('The clinic has no catalog.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/appointments': {
    operationId: 'bookAppointment',
    summary: 'Book a chosen slot for a patient',
    description:
      'A slot from availability, for a patient of the clinic, with the same conflict-safe write as the journey: it is ' +
      'booked once or not at all. A new Idempotency-Key per booking: a repeat with the same key and body answers 200 with ' +
      "the first booking. Types that need a physician's order are booked from the patient's journey, not here.",
    tags: ['Appointments'],
    request: {
      params: z.object({ clinicId }),
      headers: z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKeySchema }),
      body: { required: true, content: jsonContent(BookAppointmentSchema) },
    },
    responses: {
      201: { description: 'Booked.', content: jsonContent(StaffAppointmentSchema) },
      200: { description: 'Booked already by this Idempotency-Key and body.', content: jsonContent(StaffAppointmentSchema) },
      ...BODY_RESPONSES,
      404: message('The clinic has no catalog.'),
      409: {
        description:
          "The slot is not free (taken meanwhile, or never open): the next open ones. Or the type needs a physician's " +
          'order, or the Idempotency-Key was used for another booking.',
        content: jsonContent(z.union([SlotTakenSchema, MessageErrorSchema])),
      },
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry with the same Idempotency-Key and body.'),
    },
  },
  'GET /v1/clinics/{clinicId}/appointments': {
    operationId: 'getDaySchedule',
    summary: "One day's schedule",
    description:
      "The clinic's appointments of one local day (each location's own calendar), by start, cancelled ones included, " +
      'optionally of one location, department or provider (filters apply to each page: a page may be short and still have a `next`). ' +
      'Each patient listed is recorded in the audit trail as read by you.',
    tags: ['Appointments'],
    request: { params: z.object({ clinicId }), query: DayScheduleQuerySchema },
    responses: {
      200: { description: 'A page of the day.', content: jsonContent(DayScheduleSchema) },
      ...QUERY_RESPONSES('a cursor'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/reschedule': changeOperation(
    'rescheduleAppointment',
    'Move an appointment to another time',
    'To `start` (the same provider first, if free; or `providerId`), or `nextAvailable` from now: the new time is taken ' +
      'and the old one given back in one write, and the history keeps the old. An Idempotency-Key makes a retry safe; ' +
      'it is required with `nextAvailable` (400 without), as a repeat would otherwise move the visit again.',
    RescheduleAppointmentSchema,
  ),
  'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/cancel': changeOperation(
    'cancelAppointment',
    'Cancel an appointment',
    "Gives its time back at once. A patient's cancellation within the clinic's late-cancel window (24 h by default) is marked `late`.",
    CancelAppointmentSchema,
  ),
  'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/check-in': changeOperation(
    'checkInAppointment',
    'Check the patient in',
    'The patient has arrived. Only a booked appointment.',
  ),
  'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/no-show': changeOperation(
    'markNoShow',
    'Record a no-show',
    'The patient did not come: from the start of a booked appointment. Its remaining time is given back.',
  ),
  'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/complete': changeOperation(
    'completeAppointment',
    'Record the visit as performed',
    'After check-in: what the daily reports (e.g. radiology services completed) and billing count.',
  ),
  'GET /v1/clinics/{clinicId}/appointments/{appointmentId}/authorization': {
    operationId: 'getPriorAuthorization',
    summary: "A visit's prior authorization",
    description:
      'What the payer needs (CPT, ICD-10, ordering physician, clinical notes reference, date), where the case stands, ' +
      'its history, and `hold`: why the visit is not confirmed yet. For radiology and admins; audited in the person’s name.',
    tags: ['Appointments'],
    request: { params: z.object({ clinicId, appointmentId: PathIdSchema }) },
    responses: {
      200: { description: 'The case.', content: jsonContent(PriorAuthorizationViewSchema) },
      400: { description: 'The appointment ID is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('The visit has no prior authorization.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/authorization': {
    operationId: 'recordPriorAuthorization',
    summary: 'Record what the payer did with a prior authorization',
    description:
      'SUBMITTED (with the payer’s reference), PENDING, APPROVED (number, valid dates, units) or DENIED (the reason). ' +
      'An approval that covers the visit’s day confirms it: the journey waiting on it goes on to payment and the ' +
      'confirmation (`journeyResumed`). The same record again changes nothing. Audited.',
    tags: ['Appointments'],
    request: {
      params: z.object({ clinicId, appointmentId: PathIdSchema }),
      body: { required: true, content: jsonContent(RecordAuthorizationSchema) },
    },
    responses: {
      200: { description: 'The case as recorded.', content: jsonContent(AuthorizationRecordedSchema) },
      ...BODY_RESPONSES,
      404: message('The visit has no prior authorization.'),
      409: message(
        'Not from the case’s status (e.g. pending before it was submitted), the visit is no longer booked, or the case keeps changing.',
      ),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/appointment-series': {
    operationId: 'bookAppointmentSeries',
    summary: 'Book a plan of care as a series of visits',
    description:
      'From a weekly recurrence rule (e.g. Tuesday and Thursday, 12 visits), each date gets the earliest slot that fits ' +
      'the time of day, with the same therapist where free, each visit booked on its own with the conflict-safe write. ' +
      "Dates that cannot be placed come back with open slots near them. Types that need a physician's order take one " +
      '(`order`), kept with every visit. A new Idempotency-Key per series: a repeat answers 200 with the visits as they are.',
    tags: ['Appointments'],
    request: {
      params: z.object({ clinicId }),
      headers: z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKeySchema }),
      body: { required: true, content: jsonContent(BookSeriesSchema) },
    },
    responses: {
      201: { description: 'Booked: the visits placed, and the dates that could not be.', content: jsonContent(SeriesSchema) },
      200: { description: 'Booked already by this Idempotency-Key.', content: jsonContent(SeriesSchema) },
      ...BODY_RESPONSES,
      404: message('The clinic has no catalog.'),
      409: message("The type needs a valid physician's order, or the Idempotency-Key was used for another series."),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry with the same Idempotency-Key and body: placed visits are found, not booked again.'),
    },
  },
  'POST /v1/clinics/{clinicId}/appointment-series/{seriesId}/cancel': {
    operationId: 'cancelAppointmentSeries',
    summary: 'Cancel the rest of a series',
    description:
      'Each visit still booked on or after `from` (default: every visit ahead) is cancelled as one visit is, and the ' +
      'patient is told of each. To cancel one visit, cancel its appointment.',
    tags: ['Appointments'],
    request: {
      params: z.object({ clinicId, seriesId: PathIdSchema }),
      body: { required: true, content: jsonContent(CancelSeriesSchema) },
    },
    responses: {
      200: { description: 'The visits cancelled and those kept.', content: jsonContent(SeriesCancelledSchema) },
      ...BODY_RESPONSES,
      404: message('No such series for this clinic.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry: visits cancelled already are kept as they are.'),
    },
  },
  'POST /v1/clinics/{clinicId}/waitlist': {
    operationId: 'joinWaitlist',
    summary: 'Put a patient on the waitlist',
    description:
      'For an appointment type, optionally a location, a provider and a date window, at a priority. Freed time (a ' +
      'cancellation, a new time) is offered to the first in line it fits, by email with a link. A new Idempotency-Key per entry.',
    tags: ['Waitlist'],
    request: {
      params: z.object({ clinicId }),
      headers: z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKeySchema }),
      body: { required: true, content: jsonContent(JoinWaitlistSchema) },
    },
    responses: {
      201: { description: 'In line.', content: jsonContent(WaitlistEntrySchema) },
      200: { description: 'In line already (this Idempotency-Key).', content: jsonContent(WaitlistEntrySchema) },
      ...BODY_RESPONSES,
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry with the same Idempotency-Key.'),
    },
  },
  'GET /v1/clinics/{clinicId}/waitlist': {
    operationId: 'listWaitlist',
    summary: 'The waitlist of an appointment type, in line order',
    description:
      'Entries with an open offer, then those waiting, by priority and time waiting. Each patient listed is recorded as read by you.',
    tags: ['Waitlist'],
    request: { params: z.object({ clinicId }), query: WaitlistQuerySchema },
    responses: {
      200: { description: 'The line.', content: jsonContent(WaitlistSchema) },
      ...QUERY_RESPONSES('an appointment type'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/waitlist/{entryId}/remove': {
    operationId: 'removeFromWaitlist',
    summary: 'Take a patient off the waitlist',
    tags: ['Waitlist'],
    request: { params: z.object({ clinicId, entryId: PathIdSchema }) },
    responses: {
      200: { description: 'Off the list (a repeat answers 200).', content: jsonContent(WaitlistEntrySchema) },
      400: { description: 'The entry ID is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such entry for this clinic.'),
      409: message('The entry was booked already.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'GET /v1/clinics/{clinicId}/waitlist-offers/{token}': {
    operationId: 'getWaitlistOffer',
    summary: "A waitlist offer's page (the emailed link)",
    description:
      'The token in the path is the credential: the link was emailed to one patient. An HTML page with a button that ' +
      'accepts (opening the link books nothing: mail scanners open links); JSON with `accept: application/json`.',
    tags: ['Waitlist'],
    request: { params: z.object({ clinicId, token: PathIdSchema }) },
    responses: {
      200: { description: 'The offer: when, and until when it holds.' },
      400: { description: 'The clinic ID or token in the path is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such offer.'),
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/clinics/{clinicId}/waitlist-offers/{token}/accept': {
    operationId: 'acceptWaitlistOffer',
    summary: 'Accept a waitlist offer',
    description:
      'The token in the path is the credential (the emailed link). Books the offered time for the patient, with the ' +
      'same conflict-safe write as any booking: whoever accepts first ' +
      'gets it (an offer that expired is still honoured while the time is free); the other answer is 409 with the next open slots.',
    tags: ['Waitlist'],
    request: { params: z.object({ clinicId, token: PathIdSchema }) },
    responses: {
      200: { description: 'Booked (a repeat answers with the same booking).', content: jsonContent(OfferAcceptedSchema) },
      400: { description: 'The clinic ID or token in the path is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such offer.'),
      409: {
        description: 'Taken by someone else meanwhile (with the next open slots), or the patient booked through another offer.',
        content: jsonContent(OfferAcceptedSchema),
      },
      ...serverError('Safe to retry: a repeat answers with the booking.'),
    },
  },
  'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/claim': workOperation(
    'claimStaffTask',
    'Claim a staff task',
    'Makes it yours: your name on it in every list, and in `owner=me`. Claiming your own task again answers 200.',
    'Someone else has claimed it, or it is no longer open.',
  ),
  'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/release': workOperation(
    'releaseStaffTask',
    'Release a staff task back to its queue',
    "Its owner releases it; an admin may release anyone's. Releasing a task nobody holds answers 200.",
    'Someone else holds it.',
  ),
  'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/notes': workOperation(
    'addStaffTaskNote',
    'Add a note to a staff task',
    'For colleagues and the record, in any status.',
    'The task holds as many notes as it can (100).',
    StaffTaskNoteBodySchema,
  ),
  'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/disposition': workOperation(
    'disposeTriageSlip',
    'Close a triage slip with a clinical disposition',
    'What was done about the red-flag answers (home care advised, appointment booked, sent to urgent care or the ED, ' +
      '911 called, clinician will call back) and the clinician’s note. Clinicians only; the same disposition again answers 200.',
    'Not a triage slip, already closed, or claimed by a colleague.',
    TriageDispositionBodySchema,
  ),
  'POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision': {
    operationId: 'decideStaffTask',
    summary: 'Decide a staff task and resume the journey',
    tags: ['Staff tasks'],
    request: {
      params: z.object({ clinicId, taskId: PathIdSchema }),
      body: { required: true, content: jsonContent(StaffDecisionBodySchema) },
    },
    responses: {
      200: {
        description: 'Decision recorded and the journey resumed. Sending the same decision again answers 200 again.',
        content: jsonContent(StaffDecisionRecordedSchema),
      },
      ...BODY_RESPONSES,
      404: message('No such staff task for this clinic.'),
      409: message(
        'The task was decided otherwise, its journey has moved on to another task, or it does not allow this action at its stage.',
      ),
      ...STAFF_AUTH_RESPONSES,
      ...serverError(
        'Safe to retry with the same decision: it is recorded once and resumes the journey once (a 503 may mean the decision is recorded and only the resume is pending).',
      ),
    },
  },
  'GET /v1/clinics/{clinicId}/journeys': {
    operationId: 'listJourneys',
    summary: "List the clinic's journeys by status and stage",
    description:
      'Oldest first by start, a page at a time (pass `next` back as `cursor`): e.g. `?status=WAITING_FOR_STAFF,FAILED` ' +
      'or `?status=COMPLETED&from=…`. For every staff role. IDs, statuses, stage names and times: nothing of the patient.',
    tags: ['Journeys'],
    request: { params: z.object({ clinicId }), query: JourneyListQuerySchema },
    responses: {
      200: { description: 'A page of journeys.', content: jsonContent(JourneyPageSchema) },
      400: {
        description: 'A query parameter or the clinic ID in the path is invalid: every problem, with its name.',
        content: jsonContent(ValidationErrorSchema),
      },
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'GET /v1/clinics/{clinicId}/journeys/{journeyId}/timeline': {
    operationId: 'getJourneyTimeline',
    summary: 'Get what happened to a journey, and who did it',
    description:
      "The journey's start, each stage's latest state, its staff tasks' events (opened, claimed, noted, decided, escalated…) " +
      'with their actors, and its end, oldest first. Names, times and actors only; audited in the person’s name.',
    tags: ['Journeys'],
    request: { params: z.object({ clinicId, journeyId: z.uuid() }) },
    responses: {
      200: { description: 'The timeline.', content: jsonContent(JourneyTimelineSchema) },
      400: { description: 'The journey ID is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such journey for this clinic.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/order': {
    operationId: 'attachPhysicianOrder',
    summary: "Attach the physician's order a journey waits for",
    description:
      'A journey parked at scheduling for want of a valid order (none came, it expired, or it did not fit) gets the ' +
      'order staff obtained; it is checked as scheduling will check it (its CPT decides a type of the department asked ' +
      'for; not expired). Then RETRY the scheduling task. Without `expiresOn`, valid 90 days from today. Audited.',
    tags: ['Corrections'],
    request: {
      params: z.object({ clinicId, journeyId: PathIdSchema }),
      body: { required: true, content: jsonContent(PhysicianOrderSchema) },
    },
    responses: {
      200: { description: 'The order is on the journey; the type it decides.', content: jsonContent(OrderAttachedSchema) },
      ...BODY_RESPONSES,
      404: message('No such journey for this clinic.'),
      409: message('The journey has ended, or has booked its appointment already.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'GET /v1/clinics/{clinicId}/calendar': {
    operationId: 'getCalendar',
    summary: "The clinic's calendar: weekly hours, closures, time off and blocks",
    description: 'For admins. Every resource’s weekly hours (local wall clock), the closures, and the time off and blocks not yet over.',
    tags: ['Calendar'],
    request: { params: z.object({ clinicId }) },
    responses: {
      200: { description: 'The calendar.', content: jsonContent(CalendarSchema) },
      400: { description: 'The clinic ID in the path is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such clinic.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'PATCH /v1/clinics/{clinicId}/resources/{resourceId}/hours': calendarChange(
    'setWeeklyHours',
    "Set a provider's, room's or device's weekly hours",
    'The whole week: a day left out is a day off. Booked visits left outside the new hours (within a year) are listed, ' +
      'each with a RESCHEDULE task in its department’s scheduling queue; time the new hours open in the next 28 days is ' +
      'offered to the waitlist. Setting the same hours again changes nothing and answers the same collisions.',
    { resourceId: PathIdSchema },
    WeeklyHoursSchema,
    { 200: 'The hours are set.', 404: 'No such resource in this clinic.' },
  ),
  'POST /v1/clinics/{clinicId}/closures': calendarChange(
    'addClosure',
    'Close a location for a day',
    'A holiday or a closure: nothing at the location is bookable on that local date. Visits booked there that day are ' +
      'listed, each with a RESCHEDULE task. Adding the same location and date again answers 200 and adds nothing.',
    {},
    AddClosureSchema,
    { 201: 'The closure is added.', 200: 'The location was closed that day already.' },
  ),
  'POST /v1/clinics/{clinicId}/closures/{closureId}/remove': calendarChange(
    'removeClosure',
    'Open a closed day again',
    'The day’s time (if within 28 days) is offered to the waitlist.',
    { closureId: PathIdSchema },
    undefined,
    { 200: 'The closure is removed.', 404: 'No such closure (or removed already).' },
  ),
  'POST /v1/clinics/{clinicId}/unavailability': calendarChange(
    'addUnavailability',
    'Add time off or a block for a resource',
    'The resource is not bookable from `start` to `end` (at most 366 days). Visits it holds then (buffers included) are ' +
      'listed, each with a RESCHEDULE task. The same entry again answers 200 and adds nothing.',
    {},
    AddUnavailabilitySchema,
    { 201: 'The time off or block is added.', 200: 'It was there already.' },
  ),
  'POST /v1/clinics/{clinicId}/unavailability/{entryId}/remove': calendarChange(
    'removeUnavailability',
    'Remove time off or a block',
    'The time it held (within 28 days) is offered to the waitlist.',
    { entryId: PathIdSchema },
    undefined,
    { 200: 'It is removed.', 404: 'No such time off or block (or removed already).' },
  ),
  'GET /v1/clinics/{clinicId}/audit-events': {
    operationId: 'listAuditEvents',
    summary: "List who touched a patient's data, or the clinic's audit trail over some days",
    description:
      'For admins. With `patientId`: every access to that patient’s data, oldest first, from their first record (or ' +
      '`from`). Without: every record of the clinic within at most 31 days. A page at a time (pass `next` back as ' +
      '`cursor`). IDs only: actors are `user:<sub>` (a person), `function:<name>` or `api-key:<id>`. The query itself is ' +
      'recorded (`audit.read`), and a page of days under each patient it shows. This reads the last 400 days; every record is ' +
      'also kept six years in the tamper-evident audit archive (S3 Object Lock), the only place older ones are: a window ' +
      'reaching further back says so (`archivedBefore`). A record written a moment ago may show on the next query.',
    tags: ['Audit'],
    request: { params: z.object({ clinicId }), query: AuditEventQuerySchema },
    responses: {
      200: { description: 'A page of audit records.', content: jsonContent(AuditEventPageSchema) },
      400: {
        description: 'A query parameter or the clinic ID in the path is invalid: every problem, with its name.',
        content: jsonContent(ValidationErrorSchema),
      },
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/coverage': correction(
    'correctCoverage',
    "Correct the patient's insurance, or confirm self-pay",
    'Any of payer, member ID, group number and subscriber, validated as at intake (the corrected policy must be whole), ' +
      'or `selfPay: true`. A RETRY of the eligibility stage then runs with it. Audited with the changed field names.',
    CoverageCorrectionSchema,
  ),
  'PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/patient': correction(
    'correctPatient',
    "Correct the patient's demographics or contact details",
    'Any of name, birth date, sex, language, address, email, phone and contact consent, validated as at intake (the ' +
      'corrected record must be whole). A new name or birth date that another patient of the clinic has is refused as a ' +
      'possible duplicate. Audited with the changed field names.',
    PatientCorrectionSchema,
  ),
  'POST /v1/clinics/{clinicId}/journeys/{journeyId}/duplicate-resolution': {
    operationId: 'resolveDuplicate',
    summary: 'Merge a possible duplicate patient, or keep them apart',
    description:
      'For a journey held at intake because its patient matched another by name and birth date while their contact ' +
      'details or insurance differ. MERGE: the matched patient takes the submitted details and the journey; KEEP_APART: ' +
      'two people. Then RETRY the intake task. Audited for both patients.',
    tags: ['Corrections'],
    request: {
      params: z.object({ clinicId, journeyId: z.uuid() }),
      body: { required: true, content: jsonContent(DuplicateResolutionSchema) },
    },
    responses: {
      200: { description: 'Resolved (a repeat answers the same).', content: jsonContent(DuplicateResolvedSchema) },
      ...BODY_RESPONSES,
      404: message('No such journey for this clinic.'),
      409: message(
        'Not a possible duplicate, resolved otherwise already, the journey is not waiting for staff, or a record changed meanwhile.',
      ),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry with the same body.'),
    },
  },
  'GET /v1/ops/executions': {
    operationId: 'listStoppedExecutions',
    summary: "List the deployment's stopped journey executions",
    description:
      'Failed, timed-out or aborted journey executions of every clinic, newest first: clinic, journey, stage, error name ' +
      'and times, nothing of the patient. For ops: a person with the ops role, whatever their clinic.',
    tags: ['Ops'],
    request: { query: StoppedExecutionsQuerySchema },
    responses: {
      200: { description: 'A page of executions.', content: jsonContent(StoppedExecutionsPageSchema) },
      400: {
        description: 'A query parameter is invalid (there is no path ID): every problem, with its name.',
        content: jsonContent(ValidationErrorSchema),
      },
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'POST /v1/ops/executions/{executionId}/redrive': {
    operationId: 'redriveExecution',
    summary: 'Redrive a stopped journey execution',
    description:
      'The RETRY of the staff task that holds the stop, made by the ops person: the task is closed, the journey runs ' +
      'again from where it stopped. A repeat answers 200 again.',
    tags: ['Ops'],
    request: { params: z.object({ executionId: ExecutionIdSchema.meta({ description: 'The execution name: the journey ID.' }) }) },
    responses: {
      200: { description: 'Redriven.', content: jsonContent(StaffDecisionRecordedSchema) },
      400: { description: 'The execution ID is not an ID.', content: jsonContent(ValidationErrorSchema) },
      404: message('No such journey execution.'),
      409: message('The execution is not stopped, its stop is not held for staff yet, or it was decided otherwise.'),
      ...STAFF_AUTH_RESPONSES,
      ...serverError('Safe to retry.'),
    },
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'Get this document',
    description: 'The OpenAPI description of this API. Needs no API key: it says nothing about any clinic or patient.',
    tags: ['Documentation'],
    responses: {
      200: {
        description: 'This OpenAPI 3.1 document.',
        content: jsonContent(z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) })),
      },
      ...serverError('Safe to retry.'),
    },
  },
};

export const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the handlers validate with and the
 * same route list the stack deploys. Throws for a route without documentation, so a new route cannot ship undocumented.
 */
export function buildOpenApiDocument(routes: readonly ApiRoute[] = API_ROUTES) {
  const registry = new OpenAPIRegistry();
  const apiKey = registry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: "A clinic's API key, for its machines (the form system); valid only for that clinic's paths.",
  });
  const staff = registry.registerComponent('securitySchemes', 'StaffBearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An ID token of the staff user pool (Amazon Cognito): a signed-in person, whose `custom:clinicId` must be the ' +
      "path's clinic and whose groups (`cognito:groups`) are their roles. Locally: `npm run token -- <username>`.",
  });
  for (const route of routes) {
    const operation = OPERATIONS[routeKey(route)];
    if (!operation) throw new Error(`No OpenAPI documentation for ${routeKey(route)}`);
    registry.registerPath({
      ...operation,
      method: route.method.toLowerCase() as RouteConfig['method'],
      path: route.path,
      // An empty list overrides the document-wide API key requirement. OpenAPI scopes are OAuth's: a staff route's
      // roles are in its description instead.
      security:
        route.auth.kind === 'public' || route.auth.kind === 'capability'
          ? []
          : route.auth.kind === 'staff'
            ? [{ [staff.name]: [] }]
            : [{ [apiKey.name]: [] }],
      ...(route.auth.kind === 'staff'
        ? {
            description:
              `${operation.description ?? ''}\n\nRoles: ${route.auth.roles.join(', ')} ` +
              (route.path.includes('{clinicId}') ? "(of the path's clinic)." : '(of any clinic of the deployment).'),
          }
        : {}),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Patient Access API',
      version: '1.0.0',
      description:
        "A clinic front desk's work as an API: intake, eligibility, scheduling, payment and confirmation. " +
        'Responses are never cached (Cache-Control: no-store).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ [apiKey.name]: [] }],
  });
}

/** The document as committed in docs/openapi.json: 2-space JSON and a final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
