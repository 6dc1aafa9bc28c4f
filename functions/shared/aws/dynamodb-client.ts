import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB document client, created once per process (module scope) and reused across invocations. One module per
 * SDK client (functions/shared/aws/), so a handler bundles only the clients its wiring imports. The endpoint comes from
 * the SDK's standard settings (AWS_ENDPOINT_URL_DYNAMODB), which is how the local cloud points the same code at
 * DynamoDB Local: there is no "local mode" in application code.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
