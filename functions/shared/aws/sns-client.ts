import { SNSClient } from '@aws-sdk/client-sns';

/** The SNS client, once per process; its endpoint from AWS_ENDPOINT_URL_SNS (see dynamodb-client.ts). */
export const sns = new SNSClient({});
