import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { APPOINTMENT_CHANGED, APPOINTMENT_EVENTS_SOURCE, type AppointmentChangedDetail } from '#contract/appointment-events.ts';

/** PutEvents takes at most this many entries per call. */
const ENTRIES_PER_CALL = 10;

/**
 * EventBridge adapter of the appointment events port: PutEvents, 10 entries a call, in order. Returns, per event,
 * whether the bus accepted it (PutEvents answers 200 with per-entry errors when some are refused, e.g. throttled).
 */
export function eventBridgeAppointmentEvents(client: EventBridgeClient, eventBusName: string) {
  return {
    async publish(details: readonly AppointmentChangedDetail[]): Promise<boolean[]> {
      const accepted: boolean[] = [];
      for (let i = 0; i < details.length; i += ENTRIES_PER_CALL) {
        const chunk = details.slice(i, i + ENTRIES_PER_CALL);
        const { Entries = [] } = await client.send(
          new PutEventsCommand({
            Entries: chunk.map((detail) => ({
              EventBusName: eventBusName,
              Source: APPOINTMENT_EVENTS_SOURCE,
              DetailType: APPOINTMENT_CHANGED,
              Detail: JSON.stringify(detail),
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
