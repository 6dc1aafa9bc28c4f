import * as z from 'zod';
import { PathIdSchema } from './path-ids.ts';

/**
 * Request and response bodies of the calendar routes, by which a clinic's admins maintain when it works: providers'
 * and rooms' weekly hours, time off and blocks, and closures.
 */

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** One day's openings: each start before its end, none overlapping. */
const dayHours = z
  .array(z.strictObject({ start: localTime, end: localTime }).refine((r) => r.start < r.end, 'start must be before end'))
  .max(6)
  .refine(
    (ranges) =>
      [...ranges].sort((a, b) => a.start.localeCompare(b.start)).every((r, i, sorted) => i === 0 || (sorted[i - 1]?.end ?? '') <= r.start),
    'openings of a day must not overlap',
  );

/** PATCH …/resources/{resourceId}/hours: the resource's whole week (a day left out is a day it does not work). */
export const WeeklyHoursSchema = z
  .strictObject({
    weeklyHours: z.partialRecord(z.enum(DAYS), dayHours).meta({
      description: 'Local wall-clock openings per weekday, in the location’s zone, e.g. {"MON":[{"start":"08:00","end":"12:00"}]}.',
    }),
  })
  .meta({ id: 'WeeklyHours' });
export type WeeklyHoursBody = z.output<typeof WeeklyHoursSchema>;

/** POST …/closures: a location closed for a whole local day. */
export const AddClosureSchema = z
  .strictObject({
    locationId: PathIdSchema,
    date: z.iso.date().meta({ description: "The location's local date." }),
    name: z.string().trim().min(1).max(200).meta({ example: 'Thanksgiving' }),
  })
  .meta({ id: 'AddClosure' });
export type AddClosureBody = z.output<typeof AddClosureSchema>;

/** At most this long: a longer absence is a change of weekly hours. */
export const MAX_UNAVAILABILITY_DAYS = 366;

/** POST …/unavailability: a resource away (time off) or held for something else (a block: a meeting, maintenance). */
export const AddUnavailabilitySchema = z
  .strictObject({
    resourceId: PathIdSchema,
    kind: z.enum(['time-off', 'block']),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  })
  .superRefine((u, ctx) => {
    const length = Date.parse(u.end) - Date.parse(u.start);
    if (length <= 0) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    else if (length > MAX_UNAVAILABILITY_DAYS * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['end'], message: `at most ${MAX_UNAVAILABILITY_DAYS} days after start` });
  })
  .meta({ id: 'AddUnavailability' });
export type AddUnavailabilityBody = z.output<typeof AddUnavailabilitySchema>;

const ClosureViewSchema = z.strictObject({ closureId: z.string(), locationId: z.string(), date: z.string(), name: z.string() });
const UnavailabilityViewSchema = z.strictObject({
  entryId: z.string(),
  resourceId: z.string(),
  kind: z.enum(['time-off', 'block']),
  start: z.string(),
  end: z.string(),
});

/** GET …/calendar: every resource's weekly hours, the closures and the time off and blocks still ahead. */
export const CalendarSchema = z
  .strictObject({
    resources: z.array(
      z.strictObject({
        resourceId: z.string(),
        kind: z.enum(['provider', 'room', 'device']),
        name: z.string(),
        departmentId: z.string(),
        locationId: z.string(),
        timeZone: z.string(),
        weeklyHours: WeeklyHoursSchema.shape.weeklyHours,
      }),
    ),
    closures: z.array(ClosureViewSchema),
    unavailability: z.array(UnavailabilityViewSchema),
  })
  .meta({ id: 'Calendar' });
export type CalendarBody = z.output<typeof CalendarSchema>;

/** A booked visit a change leaves outside the time the clinic works, and the task that asks someone to move it. */
const CollisionSchema = z.strictObject({
  appointmentId: z.string(),
  appointmentType: z.string(),
  start: z.string(),
  end: z.string(),
  locationId: z.string(),
  resourceIds: z.array(z.string()),
  taskId: z.string().meta({ description: 'The RESCHEDULE task in the scheduling queue of the visit’s department.' }),
});

/** What every calendar change answers: what it changed, the visits it collides with, and whether it opened time. */
export const CalendarChangedSchema = z
  .strictObject({
    change: z.enum(['hours-set', 'closure-added', 'closure-removed', 'unavailability-added', 'unavailability-removed']),
    closure: ClosureViewSchema.optional(),
    unavailability: UnavailabilityViewSchema.optional(),
    resourceId: z.string().optional(),
    collisions: z.array(CollisionSchema).meta({
      description: 'Booked visits now outside the time the clinic works (not moved: a task each to reschedule with the patient).',
    }),
    openedTime: z.boolean().meta({ description: 'The change opened time, which is offered to the waitlist.' }),
  })
  .meta({ id: 'CalendarChanged' });
export type CalendarChangedBody = z.output<typeof CalendarChangedSchema>;
export type Collision = z.output<typeof CollisionSchema>;
