import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_AUTHORIZER, API_ROUTES } from '#contract/api-routes.ts';
import type { FunctionName } from '#contract/function-catalog.ts';

export interface PatientAccessHttpApiProps {
  functions: Readonly<Record<FunctionName, IFunction>>;
  key: IKey;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  /** Stage-wide steady-state requests per second. */
  rateLimit: number;
  /** Stage-wide burst. */
  burstLimit: number;
  /** The staff user pool and app client whose ID tokens staff routes accept. */
  staff: { userPool: IUserPool; client: IUserPoolClient };
}

/**
 * Access log fields: who (clinic, from the authorizer), what (route template, not the concrete path), and how it
 * went. No headers, bodies, query strings or source IPs: an IP address next to a patient's request is an
 * identifier under HIPAA, and nothing here needs it.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  clinicId: '$context.authorizer.clinicId',
} as const;

/**
 * The public HTTP API (payload format 2.0): one Lambda integration per route of contract/api-routes.ts, every route
 * behind the API-key authorizer except those marked `public` (the OpenAPI document), JSON access logs and
 * stage-wide throttling.
 */
export class PatientAccessHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PatientAccessHttpApiProps) {
    super(scope, id);

    // The decision depends on the {clinicId} in the path as well as on the key, but an HTTP API caches authorizer
    // results by identity source only: with caching on, clinic A's "allow" for a key would be served for the same
    // key on clinic B's path. Caching is therefore off (TTL 0). The header stays the identity source so a request
    // without a key is rejected by API Gateway without invoking the authorizer.
    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.functions[API_AUTHORIZER], {
      authorizerName: 'clinic-api-key',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.x-api-key'],
      resultsCacheTtl: Duration.seconds(0),
    });

    // Staff routes: API Gateway checks the token (issuer, the app client as audience, signature, expiry) and hands its
    // claims to the function, which checks the clinic and the role (functions/shared/http/staff-principal.ts).
    const staffAuthorizer = new HttpUserPoolAuthorizer('StaffAuthorizer', props.staff.userPool, {
      authorizerName: 'staff-id-token',
      userPoolClients: [props.staff.client],
      identitySource: ['$request.header.Authorization'],
    });

    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Patient Access: intake submissions, journeys and staff decisions',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    for (const route of API_ROUTES) {
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.function}Integration`, props.functions[route.function], {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer:
          route.auth.kind === 'public' || route.auth.kind === 'capability'
            ? new apigw.HttpNoneAuthorizer()
            : route.auth.kind === 'staff'
              ? staffAuthorizer
              : authorizer,
      });
      if (route.auth.kind === 'public' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'This route serves only the OpenAPI description of the API, the same for everyone: it reads no table, names ' +
            'no clinic and holds no patient data, and its function has no permissions beyond its own logs.',
        });
      }
      if (route.auth.kind === 'capability' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The credential is the unguessable token in the path (a link emailed to one patient), which the function ' +
            'checks by its hash: it reaches one waitlist offer, and books only the slot that offer names.',
        });
      }
    }
  }

  /** The API's base URL (the `$default` stage). */
  get url(): string {
    return this.stage.url;
  }
}
