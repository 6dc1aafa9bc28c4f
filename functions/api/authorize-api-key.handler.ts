import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { lambdaHandler } from '#shared/handler.ts';
import type { ClinicAuthorization } from '#shared/http/authorized-clinic.ts';
import { tableFromEnv } from '#shared/stores.ts';
import { dynamoApiKeyStore } from './api-key-store.ts';
import type { AuthorizeApiKeyDeps } from './authorize-api-key.ts';
import { authorizeApiKey } from './authorize-api-key.ts';

type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<ClinicAuthorization | Record<string, never>>;

/**
 * HTTP API Lambda authorizer (simple responses): the x-api-key header against the clinic in the path
 * (authorize-api-key.ts). Not an API route, so a plain lambdaHandler: it logs with the Lambda context like the others.
 */
export function makeAuthorizeApiKey(deps: AuthorizeApiKeyDeps) {
  return lambdaHandler<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>(async (event) => {
    const authorization = await authorizeApiKey(deps, { apiKey: event.headers?.['x-api-key'], clinicId: event.pathParameters?.clinicId });
    return authorization ? { isAuthorized: true, context: authorization } : { isAuthorized: false, context: {} };
  });
}

export const handler = makeAuthorizeApiKey({ apiKeys: dynamoApiKeyStore(tableFromEnv()) });
