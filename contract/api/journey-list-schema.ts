import * as z from 'zod';
import { JOURNEY_STATUSES, STAGE_NAMES, STAGE_STATUSES } from './journey-view-schema.ts';

/** A position as the previous page returned it: `<createdAt>#<journeyId>`. */
const CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f-]{36}$/;

const STATUS = `(${JOURNEY_STATUSES.join('|')})`;
const STATUS_LIST = new RegExp(`^${STATUS}(,${STATUS})*$`);

/** A bound in the stored form (ISO, milliseconds, Z), so that it compares as text with the positions. */
const bound = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** GET /v1/clinics/{clinicId}/journeys: which journeys (query string). */
export const JourneyListQuerySchema = z
  .strictObject({
    status: z
      .string()
      .regex(STATUS_LIST, `one or more of ${JOURNEY_STATUSES.join(', ')}, separated by commas`)
      .transform((value) => [...new Set(value.split(','))] as Array<(typeof JOURNEY_STATUSES)[number]>)
      .optional()
      .meta({ description: 'One status, or several separated by commas; without it, every status.', example: 'WAITING_FOR_STAFF,FAILED' }),
    stage: z.enum(STAGE_NAMES).optional().meta({ description: 'Only journeys at this stage (waiting, failed or running in it, or next).' }),
    from: bound.optional().meta({ description: 'Started at or after this time. Default: 30 days before `to`.' }),
    to: bound.optional().meta({ description: 'Started before this time. Default: now.' }),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().regex(CURSOR, 'the `next` of the previous page').optional(),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { path: ['to'], message: 'must be after `from`' })
  .meta({ id: 'JourneyListQuery' });

export type JourneyListQueryInput = z.output<typeof JourneyListQuerySchema>;

/** A journey in a list: IDs, statuses, stage names and times. Nothing about the patient. */
export const JourneySummarySchema = z
  .strictObject({
    journeyId: z.string(),
    status: z.enum(JOURNEY_STATUSES),
    stage: z.enum(STAGE_NAMES).optional().meta({ description: 'Where the journey is; none once every stage is done.' }),
    stageStatus: z.enum(STAGE_STATUSES).optional(),
    staffTaskId: z.string().optional().meta({ description: 'The task it waits on, when it waits for staff.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'JourneySummary' });

export const JourneyPageSchema = z
  .strictObject({
    journeys: z.array(JourneySummarySchema).meta({
      description: 'Oldest first. A page may hold fewer than `limit` (or none) when `stage` is given and still have a `next`.',
    }),
    next: z.string().optional().meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
  })
  .meta({ id: 'JourneyPage' });

export type JourneySummary = z.output<typeof JourneySummarySchema>;
export type JourneyPageBody = z.output<typeof JourneyPageSchema>;
