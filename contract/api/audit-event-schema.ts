import * as z from 'zod';
import { PathIdSchema } from './path-ids.ts';

/** How far one query by day reaches: a month of day partitions, so a page never walks more than 32 of them. */
export const MAX_AUDIT_DAYS = 31;
const DAY_MS = 86_400_000;
/** A position as the previous page returned it: the last record's sort key (`<ISO time>#<16 characters>`). */
const CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9_-]{16}$/;

/**
 * A bound of the window, in the stored form (ISO, milliseconds, Z), so that it compares as text with the records'
 * sort keys: a time with its offset, or a UTC day — `from` a day starts at its midnight, `to` a day includes it.
 */
const bound = (edge: 'from' | 'to') =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .transform((value) =>
      value.length === 10
        ? new Date(Date.parse(`${value}T00:00:00.000Z`) + (edge === 'to' ? DAY_MS : 0)).toISOString()
        : new Date(value).toISOString(),
    );

/** GET /v1/clinics/{clinicId}/audit-events: whose records, over which window (query string). */
export const AuditEventQuerySchema = z
  .strictObject({
    patientId: PathIdSchema.optional().meta({
      description: "Only records of this patient's data, from their first; without it, every record of the window's days.",
    }),
    from: bound('from')
      .optional()
      .meta({ description: 'Records at or after this time, or from this UTC day. Default: the first (by patient) or `to` less 7 days.' }),
    to: bound('to').optional().meta({ description: 'Records before this time, or up to and including this UTC day. Default: now.' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().regex(CURSOR, 'the `next` of the previous page').optional(),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { path: ['to'], message: 'must be after `from`' })
  .refine(
    (query) => query.patientId || !query.from || !query.to || Date.parse(query.to) - Date.parse(query.from) <= MAX_AUDIT_DAYS * DAY_MS,
    {
      path: ['from'],
      message: `without a patient, at most ${MAX_AUDIT_DAYS} days`,
    },
  )
  .meta({ id: 'AuditEventQuery' });

export type AuditEventQuery = z.output<typeof AuditEventQuerySchema>;

/** One audit record: who touched which patient's data, how, when and through which route. IDs only, never PHI. */
export const AuditEventSchema = z
  .strictObject({
    at: z.string(),
    actor: z.string().meta({
      description:
        '`user:<sub>` for a signed-in person (their user pool ID), `function:<name>` for the system, `api-key:<id>` for a machine.',
    }),
    actions: z.array(z.string()).meta({ description: 'What was done, in order, e.g. `patient.read`, `coverage.write`.' }),
    outcome: z.enum(['success', 'failure']).meta({ description: '`failure`: the accesses did not happen or did not succeed.' }),
    patientId: z.string().optional(),
    journeyId: z.string().optional(),
    via: z.string().optional().meta({ description: 'The HTTP route, for an access made through the API.' }),
    fields: z.array(z.string()).optional().meta({ description: "A correction's changed fields, by name." }),
  })
  .meta({ id: 'AuditEvent' });

export const AuditEventPageSchema = z
  .strictObject({
    events: z.array(AuditEventSchema).meta({ description: 'Oldest first.' }),
    next: z.string().optional().meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
    archivedBefore: z.iso.datetime().optional().meta({
      description:
        'Present when the window starts earlier than the table keeps records (400 days): records before this time are in the audit archive only (S3 Object Lock, six years), and the page holds none of them.',
    }),
  })
  .meta({ id: 'AuditEventPage' });

export type AuditEventView = z.output<typeof AuditEventSchema>;
export type AuditEventPage = z.output<typeof AuditEventPageSchema>;
