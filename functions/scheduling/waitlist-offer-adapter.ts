import { scheduler } from '#shared/aws/scheduler-client.ts';
import { ses } from '#shared/aws/ses-client.ts';
import { optionalEnv, requireEnv } from '#shared/env.ts';
import { oneTimeSchedules } from '#shared/escalation-schedule-adapter.ts';
import { dynamoCorrespondenceStore } from '#shared/mail/correspondence-store.ts';
import { dynamoOfferMessageStore } from '#shared/mail/message-store.ts';
import { sesMailer } from '#shared/mail/ses-mail-adapter.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import type { OfferDeps, OfferTimerPort } from './waitlist.ts';
import { dynamoWaitlistStore } from './waitlist-store.ts';

/** An offer's expiry as an EventBridge schedule (`offer-<offerId>`). */
export function eventBridgeOfferTimers(): OfferTimerPort {
  const schedules = oneTimeSchedules(scheduler, {
    groupName: requireEnv('appointmentTimerGroup'),
    targetArn: requireEnv('offerExpiryTargetArn'),
    roleArn: requireEnv('appointmentTimerRoleArn'),
  });
  return {
    schedule: ({ clinicId, offerId, at }) => schedules.at(`offer-${offerId}`, at.toISOString(), { clinicId, offerId }),
  };
}

/** What the waitlist's offer functions share, deployed: the table, the timers, the mailer and the offer link's base. */
export function offerDepsFromEnv(): OfferDeps {
  const table = tableFromEnv();
  return {
    ...dynamoStores(table),
    waitlist: dynamoWaitlistStore(table),
    timers: eventBridgeOfferTimers(),
    recipients: dynamoCorrespondenceStore(table),
    messages: dynamoOfferMessageStore(table),
    mailer: sesMailer({ client: ses, from: requireEnv('senderEmail'), configurationSetName: optionalEnv('sesConfigurationSet') }),
    offerLinkBase: requireEnv('publicApiUrl').replace(/\/$/, ''),
    now: systemClock,
  };
}
