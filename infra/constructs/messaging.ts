import { Stack } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { PatientAccessConfig } from '#infra/config.ts';

export interface MessagingProps {
  config: PatientAccessConfig;
  /** Encrypts both topics. */
  key: IKey;
}

/**
 * Everything that leaves the stack as a message: patient email through SES (a configuration set that requires TLS
 * and tracks reputation, and the verified sender identity), the staff alerts topic (IDs plus the alert's kind,
 * stage or triage level; never reasons, answers or other PHI: staff read those in the task) and the operations
 * alarm topic.
 */
export class Messaging extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly emailIdentity: ses.EmailIdentity;
  readonly staffAlertsTopic: sns.Topic;
  readonly alarmTopic: sns.Topic;
  readonly senderEmail: string;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    const { config, key } = props;
    this.senderEmail = config.senderEmail;
    this.key = key;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // A verified domain (with Easy DKIM) lets any address at the clinic's domain send; without one, SES verifies
    // the single sender address by emailing it a link.
    this.emailIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: config.senderDomain ? ses.Identity.domain(config.senderDomain) : ses.Identity.email(config.senderEmail),
      configurationSet: this.configurationSet,
    });

    this.staffAlertsTopic = new sns.Topic(this, 'StaffAlerts', {
      displayName: 'Patient Access staff alerts',
      masterKey: key,
      enforceSSL: true,
    });
    if (config.staffAlertsEmail) {
      this.staffAlertsTopic.addSubscription(new subscriptions.EmailSubscription(config.staffAlertsEmail));
    }
    // Each queue's lead hears of that queue's overdue tasks only (escalate-staff-task.ts sets these attributes).
    for (const [queue, email] of Object.entries(config.queueLeadEmails ?? {})) {
      this.staffAlertsTopic.addSubscription(
        new subscriptions.EmailSubscription(email, {
          filterPolicy: {
            kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['TASK_OVERDUE'] }),
            queue: sns.SubscriptionFilter.stringFilter({ allowlist: [queue] }),
          },
        }),
      );
    }

    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'Patient Access operations alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
  }

  /**
   * Lets the grantee publish staff alerts: sns:Publish on the topic and use of its key only through SNS.
   */
  grantPublishStaffAlerts(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.staffAlertsTopic.topicArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Lets the grantee send email as the sender identity through the configuration set (SES checks both resources),
   * and nothing else.
   */
  grantSendEmail(grantee: IGrantable): void {
    const configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [this.emailIdentity.emailIdentityArn, configurationSetArn],
      }),
    );
  }
}
