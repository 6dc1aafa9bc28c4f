import * as z from 'zod';

/** One thing that happened to a journey: when, what, at which stage or task, and who did it (for a person's act). */
export const TimelineEventSchema = z
  .strictObject({
    at: z.string(),
    kind: z.enum(['journey', 'stage', 'task']),
    event: z.string().meta({ description: "What happened: the journey's start or end, a stage's status, a task's event." }),
    stage: z.string().optional(),
    taskId: z.string().optional(),
    queue: z.string().optional(),
    by: z.string().optional().meta({ description: '`user:<id>` for a person, `function:<name>` for the system.' }),
  })
  .meta({ id: 'TimelineEvent' });

/** GET /v1/clinics/{clinicId}/journeys/{journeyId}/timeline */
export const JourneyTimelineSchema = z
  .strictObject({
    journeyId: z.string(),
    status: z.string(),
    events: z.array(TimelineEventSchema).meta({ description: 'Oldest first.' }),
  })
  .meta({ id: 'JourneyTimeline' });

export type JourneyTimeline = z.output<typeof JourneyTimelineSchema>;
export type TimelineEvent = z.output<typeof TimelineEventSchema>;
