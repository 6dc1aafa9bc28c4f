import type { APIGatewayProxyEventV2WithLambdaAuthorizer, Context } from 'aws-lambda';
import type { ApiEvent } from '#shared/handler.ts';
import type { ClinicAuthorization } from '#shared/http/authorized-clinic.ts';

export interface ApiEventOptions {
  routeKey?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  isBase64Encoded?: boolean;
  queryStringParameters?: Record<string, string>;
  /** What the authorizer put in the context; null for none. */
  authorizer?: ClinicAuthorization | null;
}

/** An HTTP API (payload 2.0) event as API Gateway delivers it after the API-key authorizer accepted the request. */
export function apiEvent(options: ApiEventOptions = {}): APIGatewayProxyEventV2WithLambdaAuthorizer<ClinicAuthorization> {
  const pathParameters = options.pathParameters ?? { clinicId: 'clinic-1' };
  const authorizer =
    options.authorizer === undefined ? { clinicId: pathParameters.clinicId ?? 'clinic-1', keyId: 'key-1' } : options.authorizer;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey: options.routeKey ?? 'POST /v1/clinics/{clinicId}/intake-submissions',
    rawPath: '/v1/clinics/clinic-1/intake-submissions',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    pathParameters,
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(body === undefined ? {} : { body }),
    ...(options.queryStringParameters ? { queryStringParameters: options.queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: '/v1/clinics/clinic-1/intake-submissions',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'request-1',
      routeKey: options.routeKey ?? 'POST /v1/clinics/{clinicId}/intake-submissions',
      stage: '$default',
      time: '27/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
      // A missing authorizer context is exactly what some tests exercise, though the type says it is always there.
      authorizer: authorizer ? { lambda: authorizer } : (undefined as unknown as { lambda: ClinicAuthorization }),
    },
  };
}

/** A signed-in person as the staff user pool's ID token describes them (claims as API Gateway passes them on). */
export interface StaffClaims {
  sub?: string;
  username?: string;
  clinicId?: string;
  /** As `cognito:groups` reaches a Lambda from an HTTP API: one string, `"[front-desk billing]"`. */
  groups?: string;
  tokenUse?: 'id' | 'access';
}

/**
 * An HTTP API event for a staff route as API Gateway delivers it after its JWT authorizer accepted the token: the
 * token's claims in `requestContext.authorizer.jwt.claims`. `person: null` for a request without them.
 */
export function staffEvent(options: Omit<ApiEventOptions, 'authorizer'> & { person?: StaffClaims | null } = {}): ApiEvent {
  const { person, ...rest } = options;
  const event = apiEvent({ ...rest, authorizer: null }) as unknown as ApiEvent;
  if (person === null) return event;
  const clinicId = person?.clinicId ?? rest.pathParameters?.clinicId ?? 'clinic-1';
  const claims = {
    sub: person?.sub ?? 'user-frontdesk',
    'cognito:username': person?.username ?? 'frontdesk',
    'custom:clinicId': clinicId,
    'cognito:groups': person?.groups ?? '[front-desk]',
    token_use: person?.tokenUse ?? 'id',
  };
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims, scopes: null } } } };
}

/** A Lambda context good enough for middy. */
export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
