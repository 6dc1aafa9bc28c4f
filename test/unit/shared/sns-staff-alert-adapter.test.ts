import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { snsStaffAlerts } from '#shared/sns-staff-alert-adapter.ts';

const sns = new SNSClient({});
const snsMock = mockClient(sns);
const alerts = snsStaffAlerts(sns, 'arn:aws:sns:us-east-1:000000000000:staff-alerts');
const alert = {
  subject: 'Journey needs staff: ELIGIBILITY',
  message: { kind: 'STAGE_BLOCKED', clinicId: 'c1', journeyId: 'j1', taskId: 'st-1' },
  attributes: { clinicId: 'c1' },
};

describe('Adapter: snsStaffAlerts', () => {
  beforeEach(() => snsMock.reset());

  it('publishes the subject, the IDs-only message as JSON and the attributes subscriptions filter on', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    await alerts.send(alert);

    // Assess
    expect(snsMock).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:staff-alerts',
      Subject: alert.subject,
      Message: JSON.stringify(alert.message),
      MessageAttributes: { clinicId: { DataType: 'String', StringValue: 'c1' } },
    });
  });

  it.each([
    ['throttled', 'ThrottledException'],
    ['refused for a reason that will not pass by itself', 'AuthorizationErrorException'],
  ])('answers MessagingUnavailable, for the workflow to retry, when SNS is %s', async (_case, name) => {
    // Prepare
    snsMock.on(PublishCommand).rejects(Object.assign(new Error(name), { name }));

    // Act
    const sent = alerts.send(alert);

    // Assess
    await expect(sent).rejects.toMatchObject({ name: 'MessagingUnavailable' });
  });
});
