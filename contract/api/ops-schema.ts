import * as z from 'zod';
import { PathIdSchema } from './path-ids.ts';

export const STOPPED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** GET /v1/ops/executions: which stopped journey executions (query string). */
export const StoppedExecutionsQuerySchema = z
  .strictObject({
    status: z.enum(STOPPED_STATUSES).default('FAILED'),
    since: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value).toISOString())
      .optional()
      .meta({ description: 'Only executions that stopped at or after this time.' }),
    limit: z.coerce.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(4096).optional().meta({ description: 'The `next` of the previous page.' }),
  })
  .meta({ id: 'StoppedExecutionsQuery' });

export type StoppedExecutionsQuery = z.output<typeof StoppedExecutionsQuerySchema>;

/** A stopped journey execution as ops see it: IDs, stage, error name and times; nothing of the patient. */
export const StoppedExecutionSchema = z
  .strictObject({
    executionId: z.string().meta({ description: 'The execution name: the journey ID.' }),
    executionArn: z.string(),
    clinicId: z.string(),
    journeyId: z.string(),
    status: z.enum(STOPPED_STATUSES),
    error: z.string().optional().meta({ description: 'The error name only (never its cause).' }),
    stage: z.string().optional().meta({ description: 'The stage it stopped in, once the stop is held for staff.' }),
    heldForStaff: z.boolean().meta({ description: 'Its staff task is open: POST …/redrive (or the task’s RETRY) resumes it.' }),
    startedAt: z.string(),
    stoppedAt: z.string().optional(),
  })
  .meta({ id: 'StoppedExecution' });

export const StoppedExecutionsPageSchema = z
  .strictObject({ executions: z.array(StoppedExecutionSchema), next: z.string().optional() })
  .meta({ id: 'StoppedExecutionsPage' });

export type StoppedExecution = z.output<typeof StoppedExecutionSchema>;
export type StoppedExecutionsPage = z.output<typeof StoppedExecutionsPageSchema>;

export const ExecutionIdSchema = PathIdSchema;
