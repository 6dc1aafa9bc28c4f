import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability.ts';

/**
 * SDK clients, created once per process (module scope) and reused across invocations, each traced by X-Ray in Lambda
 * (the tracer returns the client unchanged anywhere else).
 * Endpoints come from the SDK's standard settings (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN, …), which is how
 * the local cloud points the same code at its emulators: there is no "local mode" in application code.
 */
export const dynamo = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
export const sfn = tracer.captureAWSv3Client(new SFNClient({}));
export const ses = tracer.captureAWSv3Client(new SESv2Client({}));
export const sns = tracer.captureAWSv3Client(new SNSClient({}));
