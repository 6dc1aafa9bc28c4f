import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBridge } from '#shared/aws/eventbridge-client.ts';
import { requireEnv } from '#shared/env.ts';
import { eventBridgeAppointmentEvents } from '#shared/event-bus-adapter.ts';
import { lambdaHandler } from '#shared/handler.ts';
import { type PublishAppointmentEventsDeps, publishAppointmentEvents } from './publish-appointment-events.ts';

/**
 * Target of the table's stream, filtered to appointment writes (contract/appointment-events.ts): one AppointmentChanged
 * event per booking and change, on the stack's event bus.
 */
export function makePublishAppointmentEvents(deps: PublishAppointmentEventsDeps) {
  return lambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) => publishAppointmentEvents(deps, event.Records ?? []));
}

export const handler = makePublishAppointmentEvents({ events: eventBridgeAppointmentEvents(eventBridge, requireEnv('eventBusName')) });
