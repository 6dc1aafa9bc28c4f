import * as z from 'zod';
import { APPOINTMENT_CHANGES, APPOINTMENT_STATUSES } from '#contract/appointments.ts';
import { ses } from '#shared/aws/ses-client.ts';
import { optionalEnv, requireEnv } from '#shared/env.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoCorrespondenceStore } from './correspondence-store.ts';
import { dynamoAppointmentMessageStore } from './message-store.ts';
import { type NotifyAppointmentChangeDeps, notifyAppointmentChange } from './notify-appointment-change.ts';
import { sesMailer } from './ses-mail-adapter.ts';

/** The AppointmentChanged event (contract/appointment-events.ts) as its rule's queue delivers it: one per record. */
const QueuedEventSchema = z.object({
  Records: z.array(
    z.object({
      body: z.string().transform((body, ctx) => {
        const detail = z
          .object({
            clinicId: z.string().min(1),
            appointmentId: z.string().min(1),
            revision: z.number().int().nonnegative(),
            change: z.enum(['book', ...APPOINTMENT_CHANGES]),
            status: z.enum(APPOINTMENT_STATUSES),
            origin: z.enum(['journey', 'staff']),
          })
          .safeParse((JSON.parse(body) as { detail?: unknown }).detail);
        if (!detail.success) ctx.addIssue({ code: 'custom', message: 'not an AppointmentChanged event' });
        return detail.data;
      }),
    }),
  ),
});

/**
 * Target of the TellThePatient rule's queue (infra/constructs/appointment-events.ts): emails the patient about a
 * booking staff made, a new time or a cancellation, once per appointment revision (notify-appointment-change.ts). The
 * batch holds one record, so a throw returns exactly that event to the queue, offered again until it is told or
 * dead-lettered.
 */
export function makeNotifyAppointmentChange(deps: NotifyAppointmentChangeDeps) {
  return taskHandler(QueuedEventSchema, async ({ Records }) => {
    const outcomes = [];
    for (const { body } of Records) if (body) outcomes.push(await notifyAppointmentChange(deps, body));
    return { outcomes };
  });
}

const table = tableFromEnv();
export const handler = makeNotifyAppointmentChange({
  ...dynamoStores(table),
  recipients: dynamoCorrespondenceStore(table),
  messages: dynamoAppointmentMessageStore(table),
  mailer: sesMailer({ client: ses, from: requireEnv('senderEmail'), configurationSetName: optionalEnv('sesConfigurationSet') }),
  now: systemClock,
});
