import { S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 client, once per process; its endpoint from AWS_ENDPOINT_URL_S3 (see dynamodb-client.ts). An endpoint that is
 * an IP address (the local cloud's S3 emulator on 127.0.0.1) gets path-style requests from the SDK's own endpoint
 * rules, so no setting differs between AWS and the local cloud.
 */
export const s3 = new S3Client({});
