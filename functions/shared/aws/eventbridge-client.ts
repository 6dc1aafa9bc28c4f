import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** The EventBridge client, once per process; its endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE (see dynamodb-client.ts). */
export const eventBridge = new EventBridgeClient({});
