import { SchedulerClient } from '@aws-sdk/client-scheduler';

/** The EventBridge Scheduler client, once per process; its endpoint from AWS_ENDPOINT_URL_SCHEDULER (see dynamodb-client.ts). */
export const scheduler = new SchedulerClient({});
