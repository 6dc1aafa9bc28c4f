import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PatientAccessConfig } from '#infra/config.ts';

export interface ExternalServicesProps {
  config: PatientAccessConfig;
  /** Encrypts the secrets the stack creates. */
  key: IKey;
}

/** An external HTTP API the functions call: where it is and which secret holds its API key. */
export interface ExternalService {
  baseUrl: string;
  apiKeySecret: secretsmanager.ISecret;
}

/**
 * The clearinghouse (real-time eligibility) and the payment processor. Their API keys stay in Secrets Manager; the
 * functions get the secret's ARN (`ENV.clearinghouseApiKeySecretArn` / `ENV.paymentsApiKeySecretArn`) and read the
 * key through functions/shared/secrets.ts (cached for minutes), so the key never appears in the template, the Lambda
 * configuration or the environment. A clinic
 * either names an existing secret holding the bare key (context `clearinghouseSecretArn` / `paymentsSecretArn`) or
 * gets one with a random placeholder value to overwrite after the first deploy.
 */
export class ExternalServices extends Construct {
  readonly clearinghouse: ExternalService;
  readonly payments: ExternalService;

  constructor(scope: Construct, id: string, props: ExternalServicesProps) {
    super(scope, id);
    const { config, key } = props;
    this.clearinghouse = {
      baseUrl: config.clearinghouseBaseUrl,
      apiKeySecret: this.secret('ClearinghouseApiKey', config.clearinghouseSecretArn, key, 'Clearinghouse API key'),
    };
    this.payments = {
      baseUrl: config.paymentsBaseUrl,
      apiKeySecret: this.secret('PaymentsApiKey', config.paymentsSecretArn, key, 'Payment processor secret key'),
    };
  }

  private secret(id: string, arn: string | undefined, key: IKey, what: string): secretsmanager.ISecret {
    if (arn) return secretsmanager.Secret.fromSecretCompleteArn(this, id, arn);
    const secret = new secretsmanager.Secret(this, id, {
      description: `Patient Access: ${what}. Replace the placeholder value with the bare key.`,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const reason =
      `The ${what} is issued by the vendor and can only be rolled in the vendor's dashboard, so there is no ` +
      'rotation Lambda that could rotate it; the clinic rolls it there and updates the secret value.';
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason }, { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason });
    return secret;
  }
}
