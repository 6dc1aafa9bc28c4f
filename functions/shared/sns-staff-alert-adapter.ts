import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { TransientDependencyError } from './errors.ts';
import type { StaffAlert, StaffAlertPort } from './staff-alerts.ts';

/** SNS adapter: one topic, the alert's subject and IDs-only message, attributes for subscription filters. */
export function snsStaffAlerts(sns: SNSClient, topicArn: string): StaffAlertPort {
  return { send: (alert) => publish(sns, topicArn, alert) };
}

async function publish(sns: SNSClient, topicArn: string, alert: StaffAlert): Promise<void> {
  try {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: alert.subject,
        Message: JSON.stringify(alert.message),
        ...(alert.attributes
          ? {
              MessageAttributes: Object.fromEntries(
                Object.entries(alert.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
              ),
            }
          : {}),
      }),
    );
  } catch (error) {
    // Any SNS failure is retried: an unheard alert (an EMERGENT triage among them) is worse than a late one.
    throw new TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable, `SNS answered ${(error as Error).name}`, { cause: error });
  }
}
