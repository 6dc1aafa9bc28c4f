import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { APPOINTMENT_EVENTS_SOURCE, type SchedulingEvent } from '#contract/appointment-events.ts';

/** PutEvents takes at most this many entries per call. */
const ENTRIES_PER_CALL = 10;

/**
 * EventBridge adapter of the scheduling events port (appointments' changes, calendar openings): PutEvents, 10 entries a call, in order. Returns, per event,
 * whether the bus accepted it (PutEvents answers 200 with per-entry errors when some are refused, e.g. throttled).
 */
export function eventBridgeAppointmentEvents(client: EventBridgeClient, eventBusName: string) {
  return {
    async publish(details: readonly SchedulingEvent[]): Promise<boolean[]> {
      const accepted: boolean[] = [];
      for (let i = 0; i < details.length; i += ENTRIES_PER_CALL) {
        const chunk = details.slice(i, i + ENTRIES_PER_CALL);
        const { Entries = [] } = await client.send(
          new PutEventsCommand({
            Entries: chunk.map((event) => ({
              EventBusName: eventBusName,
              Source: APPOINTMENT_EVENTS_SOURCE,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
            })),
          }),
        );
        accepted.push(...chunk.map((_, j) => Entries[j]?.EventId !== undefined && !Entries[j]?.ErrorCode));
        // A refused entry stops the batch here: later events must not overtake it.
        if (accepted.includes(false)) return [...accepted, ...details.slice(i + ENTRIES_PER_CALL).map(() => false)];
      }
      return accepted;
    },
  };
}
