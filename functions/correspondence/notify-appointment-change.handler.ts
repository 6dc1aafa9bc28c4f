import { QueuedAppointmentEventSchema } from '#contract/appointment-events.ts';
import { ses } from '#shared/aws/ses-client.ts';
import { optionalEnv, requireEnv } from '#shared/env.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoCorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { dynamoAppointmentMessageStore } from '#shared/mail/message-store.ts';
import { sesMailer } from '#shared/mail/ses-mail-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type NotifyAppointmentChangeDeps, notifyAppointmentChange } from './notify-appointment-change.ts';

/**
 * Target of the TellThePatient rule's queue (infra/constructs/appointment-events.ts): emails the patient about a
 * booking staff made, a new time or a cancellation, once per appointment revision (notify-appointment-change.ts). The
 * batch holds one record, so a throw returns exactly that event to the queue, offered again until it is told or
 * dead-lettered.
 */
export function makeNotifyAppointmentChange(deps: NotifyAppointmentChangeDeps) {
  return taskHandler(QueuedAppointmentEventSchema, async ({ Records }) => {
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
