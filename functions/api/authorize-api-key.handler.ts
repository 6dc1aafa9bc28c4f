import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { isPathId } from '#contract/api/path-ids.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { hashApiKey } from '#shared/http/api-key.ts';
import type { ClinicAuthorization } from '#shared/http/authorized-clinic.ts';
import { keys } from '#shared/keys.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';

type Result = APIGatewaySimpleAuthorizerWithContextResult<ClinicAuthorization | Record<string, never>>;

/**
 * HTTP API Lambda authorizer (simple responses). A key is valid only for the clinic named in the path: the lookup
 * key is (clinicId from the path, hash of the presented key), so a key for clinic A finds nothing under clinic B.
 */
export function makeAuthorizer(table: TableRef) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
    const apiKey = event.headers?.['x-api-key'];
    const clinicId = event.pathParameters?.clinicId;
    // A clinic ID no clinic can have never reaches the key lookup (an over-long one would not fit a DynamoDB key).
    if (!apiKey || !isPathId(clinicId)) return { isAuthorized: false, context: {} };
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.apiKey(clinicId, hashApiKey(apiKey)) }),
    );
    if (!Item || Item.revokedAt) {
      log.warn('API key rejected', { clinicId });
      return { isAuthorized: false, context: {} };
    }
    return { isAuthorized: true, context: { clinicId, keyId: String(Item.keyId) } };
  };
}

export const handler = makeAuthorizer({ client: dynamo, tableName: requireEnv('tableName') });
