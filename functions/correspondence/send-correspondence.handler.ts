import { CorrespondenceRequestSchema } from '#contract/journey-workflow.ts';
import { ses } from '#shared/aws/ses-client.ts';
import { optionalEnv, requireEnv } from '#shared/env.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoCorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { dynamoMessageStore } from '#shared/mail/message-store.ts';
import { sesMailer } from '#shared/mail/ses-mail-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type SendCorrespondenceDeps, sendCorrespondence } from './send-correspondence.ts';

/**
 * SendConfirmation / SendPaymentRequest task: one email per journey and kind, at most once — claimed before it is
 * sent, released only when the provider certainly did not accept it (send-correspondence.ts).
 */
export function makeSendCorrespondence(deps: SendCorrespondenceDeps) {
  return taskHandler(CorrespondenceRequestSchema, (input) => sendCorrespondence(deps, input));
}

const table = tableFromEnv();
export const handler = makeSendCorrespondence({
  ...dynamoStores(table),
  recipients: dynamoCorrespondenceStore(table),
  messages: dynamoMessageStore(table),
  mailer: sesMailer({
    client: ses,
    from: requireEnv('senderEmail'),
    // Optional: without a configuration set SES still sends, only without event publishing (requireEnv would refuse it).
    configurationSetName: optionalEnv('sesConfigurationSet'),
  }),
  now: systemClock,
});
