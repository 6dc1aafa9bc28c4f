import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { APPOINTMENT_STREAM_FILTER } from '#contract/appointment-events.ts';
import { matchesEventFilter } from '#contract/audit-archive.ts';
import { eventBridge } from '#shared/aws/eventbridge-client.ts';
import { requireEnv } from '#shared/env.ts';
import { eventBridgeAppointmentEvents } from '#shared/event-bus-adapter.ts';
import { lambdaHandler } from '#shared/handler.ts';
import { type AppointmentWrite, type PublishAppointmentEventsDeps, publishAppointmentEvents } from './publish-appointment-events.ts';

/**
 * Target of the table's stream, filtered to appointment writes (contract/appointment-events.ts): one AppointmentChanged
 * event per booking and change, on the stack's event bus.
 */
export function makePublishAppointmentEvents(deps: PublishAppointmentEventsDeps) {
  return lambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
    publishAppointmentEvents(deps, writesOf(event.Records ?? [])),
  );
}

/** The batch's appointment writes and calendar openings, as items (records the mapping's filter would not deliver are left out). */
export function writesOf(records: readonly DynamoDBRecord[]): AppointmentWrite[] {
  return records
    .filter((record) => matchesEventFilter(APPOINTMENT_STREAM_FILTER, record))
    .map((record) => ({
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      item: unmarshall(record.dynamodb?.NewImage as Parameters<typeof unmarshall>[0]) as unknown as AppointmentWrite['item'],
    }));
}

export const handler = makePublishAppointmentEvents({ events: eventBridgeAppointmentEvents(eventBridge, requireEnv('eventBusName')) });
