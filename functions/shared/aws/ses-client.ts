import { SESv2Client } from '@aws-sdk/client-sesv2';

/** The SES (v2) client, once per process; its endpoint from AWS_ENDPOINT_URL_SESV2 (see dynamodb-client.ts). */
export const ses = new SESv2Client({});
