import type { APIGatewayProxyEventV2WithLambdaAuthorizer, Context } from 'aws-lambda';
import type { ClinicAuthorization } from '#shared/http/authorized-clinic.ts';

export interface ApiEventOptions {
  routeKey?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  isBase64Encoded?: boolean;
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
