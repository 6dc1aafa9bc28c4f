import { SFNClient } from '@aws-sdk/client-sfn';

/** The Step Functions client, once per process; its endpoint from AWS_ENDPOINT_URL_SFN (see dynamodb-client.ts). */
export const sfn = new SFNClient({});
