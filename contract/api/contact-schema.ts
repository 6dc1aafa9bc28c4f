import * as z from 'zod';
import { CONTACT_CATEGORIES, STAFF_QUEUES, TASK_PRIORITIES } from '#contract/staff-queues.ts';
import { PathIdSchema } from './path-ids.ts';
import { CONTACT_CHANNELS, CONTACT_FROM, CONTACT_URGENCIES, MAX_NOTE_BYTES } from './staff-task-schema.ts';
import { PhoneSchema, ScreeningAnswersSchema } from './submission-schema.ts';

/**
 * POST /v1/clinics/{clinicId}/contacts: an inbound call, voicemail, portal message or walk-in question, as the person
 * who took it logs it. A clinical concern may carry the screening answers the caller gave (the intake form's red-flag
 * questions): red flags make it a triage slip for a clinician at once.
 */
export const ContactLogSchema = z
  .strictObject({
    channel: z.enum(CONTACT_CHANNELS),
    from: z.strictObject({
      kind: z.enum(CONTACT_FROM),
      name: z.string().trim().min(1).max(200).optional(),
      phone: PhoneSchema.optional(),
    }),
    category: z.enum(CONTACT_CATEGORIES),
    urgency: z.enum(CONTACT_URGENCIES).default('routine'),
    summary: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .refine((text) => new TextEncoder().encode(text).length <= MAX_NOTE_BYTES, `at most ${MAX_NOTE_BYTES} bytes (UTF-8)`)
      .meta({ description: 'What the contact is about, in the words of the person who took it.' }),
    patientId: PathIdSchema.optional().meta({ description: 'The patient it is about, when known.' }),
    journeyId: z.uuid().optional().meta({ description: 'The journey it is about, when there is one (with its patient).' }),
    screening: ScreeningAnswersSchema.optional().meta({ description: 'A clinical concern: the red-flag answers the caller gave.' }),
  })
  .refine((contact) => !contact.journeyId || contact.patientId, { path: ['patientId'], message: 'a journey is named with its patient' })
  .refine((contact) => !contact.screening || contact.category === 'clinical-concern', {
    path: ['screening'],
    message: 'screening answers belong to a clinical concern',
  })
  // A clinical concern is screened: without the red-flag answers nobody could tell it from a routine question.
  .refine((contact) => contact.category !== 'clinical-concern' || contact.screening, {
    path: ['screening'],
    message: 'ask the red-flag questions of a clinical concern',
  })
  .meta({ id: 'ContactLog' });

export type ContactLog = z.output<typeof ContactLogSchema>;

export const ContactLoggedSchema = z
  .strictObject({
    contactId: z.string(),
    taskId: z.string(),
    queue: z.enum(STAFF_QUEUES),
    priority: z.enum(TASK_PRIORITIES),
    triage: z.boolean().meta({ description: 'Red flags made it a triage slip.' }),
    alerted: z
      .boolean()
      .meta({ description: 'The staff alert went out (urgent contacts and triage slips); false: it could not, the task stands.' }),
  })
  .meta({ id: 'ContactLogged' });

export type ContactLogged = z.output<typeof ContactLoggedSchema>;
