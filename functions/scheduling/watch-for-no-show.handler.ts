import { QueuedAppointmentEventSchema } from '#contract/appointment-events.ts';
import { scheduler } from '#shared/aws/scheduler-client.ts';
import { requireEnv } from '#shared/env.ts';
import { oneTimeSchedules } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type NoShowTimerPort, type WatchForNoShowDeps, watchForNoShow } from './no-show-check.ts';

/** Target of the WatchForNoShow rule's queue (contract/appointment-events.ts): one event per invocation. */
export function makeWatchForNoShow(deps: WatchForNoShowDeps) {
  return taskHandler(QueuedAppointmentEventSchema, async ({ Records }) => {
    const outcomes = [];
    for (const { body } of Records) if (body) outcomes.push(await watchForNoShow(deps, body));
    return { outcomes };
  });
}

/** The no-show checks as EventBridge schedules: `noshow-<appointment>-<revision>`. */
export function eventBridgeNoShowTimers(): NoShowTimerPort {
  const schedules = oneTimeSchedules(scheduler, {
    groupName: requireEnv('appointmentTimerGroup'),
    targetArn: requireEnv('noShowTargetArn'),
    roleArn: requireEnv('appointmentTimerRoleArn'),
  });
  return {
    schedule: ({ clinicId, appointmentId, revision, at }) =>
      schedules.at(`noshow-${appointmentId}-${revision}`, at.toISOString(), { clinicId, appointmentId }),
  };
}

export const handler = makeWatchForNoShow({ ...dynamoStores(tableFromEnv()), timers: eventBridgeNoShowTimers(), now: systemClock });
