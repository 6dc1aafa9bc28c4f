import * as z from 'zod';
import { APPOINTMENT_CHANGES, APPOINTMENT_STATUSES, type AppointmentChange, type AppointmentStatus } from './appointments.ts';
import type { EventFilterPattern } from './audit-archive.ts';
import type { FunctionName } from './function-catalog.ts';

/**
 * What happens to appointments, as events: the CDK stack (infra/constructs/appointment-events.ts), the local cloud
 * (local/event-bus.ts) and the functions share this module, so the deployed pipeline and the local one select, shape and
 * route the same events.
 *
 * The table is the outbox: every change to an appointment is one transaction that writes the appointment item, so the
 * table's stream carries each change exactly as committed, even when the function that made it stops right after.
 * `publishAppointmentEvents` reads the stream (APPOINTMENT_STREAM_FILTER) and puts one `AppointmentChanged` event per
 * change on the stack's event bus; rules (APPOINTMENT_EVENT_RULES) route them to the functions that react (the
 * patient's email now; the waitlist and refunds later), so no stage calls another. Events carry IDs and codes only.
 */

export const APPOINTMENT_EVENTS_SOURCE = 'patient-access.appointments';
export const APPOINTMENT_CHANGED = 'AppointmentChanged';

/** A booking, or one of the changes after it. */
export type AppointmentEventChange = 'book' | AppointmentChange;

/** The event's `detail`: which appointment, which change, and where it stands after it. */
export interface AppointmentChangedDetail {
  clinicId: string;
  appointmentId: string;
  /** The appointment's revision after the change (0 for a booking): consumers act once per revision. */
  revision: number;
  change: AppointmentEventChange;
  status: AppointmentStatus;
  /** Who booked it: a journey (which confirms its own booking) or staff. */
  origin: 'journey' | 'staff';
}

/** The event as EventBridge delivers it to a Lambda target. */
export interface AppointmentChangedEvent {
  'detail-type': typeof APPOINTMENT_CHANGED;
  source: typeof APPOINTMENT_EVENTS_SOURCE;
  id: string;
  time: string;
  detail: AppointmentChangedDetail;
}

/**
 * Time an admin's calendar change opened (new hours, a time off or closure removed): which resources, and when. The
 * change's transaction writes a `CalendarOpening` item (functions/scheduling/calendar-store.ts), which the stream
 * carries like an appointment's write, so the waitlist hears of every opening.
 */
export const CALENDAR_OPENED = 'CalendarOpened';

export interface CalendarOpenedDetail {
  clinicId: string;
  openingId: string;
  resourceIds: string[];
  /** ISO instants, half-open, in order. */
  windows: Array<{ start: string; end: string }>;
}

/**
 * Time an admin's calendar change took away (time off or a block, new weekly hours, a closure): the visits booked in
 * it become RESCHEDULE tasks. Written like an opening, in the change's transaction (a `CalendarClosing` item).
 */
export const CALENDAR_CLOSED = 'CalendarClosed';

export type ClosedTime =
  | { kind: 'away'; resourceId: string; start: string; end: string }
  | { kind: 'hours'; resourceId: string }
  | { kind: 'closed'; locationId: string; date: string };

export interface CalendarClosedDetail {
  clinicId: string;
  closingId: string;
  closed: ClosedTime;
  /** Who made the change (`user:<sub>`): the tasks are opened in their name. */
  by: string;
}

/** An event as published: its detail-type and detail. */
export type SchedulingEvent =
  | { detailType: typeof APPOINTMENT_CHANGED; detail: AppointmentChangedDetail }
  | { detailType: typeof CALENDAR_OPENED; detail: CalendarOpenedDetail }
  | { detailType: typeof CALENDAR_CLOSED; detail: CalendarClosedDetail };

/**
 * The stream records publishAppointmentEvents is given: every write of an appointment item (bookings and changes), and
 * each opening and closing a calendar change wrote.
 */
export const APPOINTMENT_STREAM_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { type: { S: ['Appointment', 'CalendarOpening', 'CalendarClosing'] } } },
} as const satisfies EventFilterPattern;

/** How the stream's appointment records reach the publisher, deployed (the mapping) and locally (the poller). */
export const APPOINTMENT_STREAM_DELIVERY = {
  /** PutEvents takes 10 entries a call; a batch of 100 is 10 calls. */
  batchSize: 100,
  /** Patients are told promptly: a second at most to gather a batch. */
  maxBatchingWindowSeconds: 1,
  retryAttempts: 10,
  bisectBatchOnError: true,
  maxRecordAgeHours: 24,
} as const;

/** A rule on the event bus: which events, and the function they invoke (asynchronously, retried, then dead-lettered). */
export interface AppointmentEventRule {
  /** The rule's construct ID and the local bus's name for it. */
  name: string;
  target: FunctionName;
  pattern: EventFilterPattern;
}

export const APPOINTMENT_EVENT_RULES: readonly AppointmentEventRule[] = [
  {
    // The patient hears of a booking staff made, a new time and a cancellation (a journey confirms its own booking).
    name: 'TellThePatient',
    target: 'notifyAppointmentChange',
    pattern: {
      source: [APPOINTMENT_EVENTS_SOURCE],
      'detail-type': [APPOINTMENT_CHANGED],
      detail: { change: ['book', 'reschedule', 'cancel'] },
    },
  },
  {
    // Time a cancellation or a move gives back goes to the waitlist (the refund policy, a later issue, will listen here too).
    name: 'OfferFreedTime',
    target: 'offerFreedTime',
    pattern: {
      source: [APPOINTMENT_EVENTS_SOURCE],
      'detail-type': [APPOINTMENT_CHANGED],
      detail: { change: ['cancel', 'reschedule'] },
    },
  },
  {
    // Time an admin's calendar change opened goes to the waitlist too.
    name: 'OfferOpenedTime',
    target: 'offerFreedTime',
    pattern: { source: [APPOINTMENT_EVENTS_SOURCE], 'detail-type': [CALENDAR_OPENED] },
  },
  {
    // Visits booked in time an admin's calendar change took away become tasks to reschedule them.
    name: 'RescheduleCollisions',
    target: 'rescheduleCollisions',
    pattern: { source: [APPOINTMENT_EVENTS_SOURCE], 'detail-type': [CALENDAR_CLOSED] },
  },
  {
    // A change undone (the time off removed again, the closure lifted): the tasks it opened for visits with room again go.
    name: 'WithdrawUndoneCollisions',
    target: 'rescheduleCollisions',
    pattern: { source: [APPOINTMENT_EVENTS_SOURCE], 'detail-type': [CALENDAR_OPENED] },
  },
  {
    // A visit booked or moved in time an admin's change just took away (searches cache the catalog) becomes a task.
    name: 'CheckBookedTime',
    target: 'checkBookedTime',
    pattern: {
      source: [APPOINTMENT_EVENTS_SOURCE],
      'detail-type': [APPOINTMENT_CHANGED],
      detail: { change: ['book', 'reschedule'] },
    },
  },
  {
    // A visit booked or moved has its coverage checked again before the patient comes.
    name: 'PlanReverification',
    target: 'planReverification',
    pattern: {
      source: [APPOINTMENT_EVENTS_SOURCE],
      'detail-type': [APPOINTMENT_CHANGED],
      detail: { change: ['book', 'reschedule'] },
    },
  },
  {
    // A visit booked or moved gets its no-show check, a little after its new start.
    name: 'WatchForNoShow',
    target: 'watchForNoShow',
    pattern: {
      source: [APPOINTMENT_EVENTS_SOURCE],
      'detail-type': [APPOINTMENT_CHANGED],
      detail: { change: ['book', 'reschedule'] },
    },
  },
];

const AppointmentChangedDetailSchema = z.object({
  clinicId: z.string().min(1),
  appointmentId: z.string().min(1),
  revision: z.number().int().nonnegative(),
  change: z.enum(['book', ...APPOINTMENT_CHANGES]),
  status: z.enum(APPOINTMENT_STATUSES),
  origin: z.enum(['journey', 'staff']),
});

const CalendarOpenedDetailSchema = z.object({
  clinicId: z.string().min(1),
  openingId: z.string().min(1),
  resourceIds: z.array(z.string().min(1)).min(1),
  windows: z.array(z.object({ start: z.iso.datetime(), end: z.iso.datetime() })),
});

/** Events as their rules' queues deliver them, one per record: the SQS body is the EventBridge event. */
function queued<T extends z.ZodType>(
  parse: (event: { 'detail-type'?: unknown; detail?: unknown }) => z.ZodSafeParseResult<z.output<T>>,
  what: string,
) {
  return z.object({
    Records: z.array(
      z.object({
        body: z.string().transform((body, ctx) => {
          const parsed = parse(JSON.parse(body) as { 'detail-type'?: unknown; detail?: unknown });
          if (!parsed.success) ctx.addIssue({ code: 'custom', message: `not ${what}` });
          return parsed.data;
        }),
      }),
    ),
  });
}

/** The AppointmentChanged event as its rule's queue delivers it. */
export const QueuedAppointmentEventSchema = queued<typeof AppointmentChangedDetailSchema>(
  (event) => AppointmentChangedDetailSchema.safeParse(event.detail),
  'an AppointmentChanged event',
);

/** What the waitlist's offers hear of: an appointment's change, or time a calendar change opened. */
export type OfferEvent = { change: AppointmentChangedDetail } | { opening: CalendarOpenedDetail };
const OfferEventSchema = z.union([
  z
    .object({ 'detail-type': z.literal(APPOINTMENT_CHANGED), detail: AppointmentChangedDetailSchema })
    .transform((e) => ({ change: e.detail })),
  z.object({ 'detail-type': z.literal(CALENDAR_OPENED), detail: CalendarOpenedDetailSchema }).transform((e) => ({ opening: e.detail })),
]);

/** The events offerFreedTime's two queues deliver (rules OfferFreedTime and OfferOpenedTime). */
export const QueuedOfferEventSchema = queued<typeof OfferEventSchema>(
  (event) => OfferEventSchema.safeParse(event),
  'a change or an opening',
);

const ClosedTimeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('away'),
    resourceId: z.string().min(1),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  }),
  z.object({ kind: z.literal('hours'), resourceId: z.string().min(1) }),
  z.object({ kind: z.literal('closed'), locationId: z.string().min(1), date: z.iso.date() }),
]);
const CalendarClosedDetailSchema = z.object({
  clinicId: z.string().min(1),
  closingId: z.string().min(1),
  closed: ClosedTimeSchema,
  by: z.string().min(1),
});

/** What rescheduleCollisions hears of: time a calendar change took away, or time one opened. */
export type CalendarChangeEvent = { closing: CalendarClosedDetail } | { opening: CalendarOpenedDetail };
const CalendarChangeEventSchema = z.union([
  z.object({ 'detail-type': z.literal(CALENDAR_CLOSED), detail: CalendarClosedDetailSchema }).transform((e) => ({ closing: e.detail })),
  z.object({ 'detail-type': z.literal(CALENDAR_OPENED), detail: CalendarOpenedDetailSchema }).transform((e) => ({ opening: e.detail })),
]);

/** The events rescheduleCollisions' two queues deliver (rules RescheduleCollisions and WithdrawUndoneCollisions). */
export const QueuedCalendarChangeSchema = queued<typeof CalendarChangeEventSchema>(
  (event) => CalendarChangeEventSchema.safeParse(event),
  'a CalendarClosed or CalendarOpened event',
);
