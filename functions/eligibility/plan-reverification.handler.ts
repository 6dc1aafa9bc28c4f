import { QueuedAppointmentEventSchema } from '#contract/appointment-events.ts';
import { scheduler } from '#shared/aws/scheduler-client.ts';
import { requireEnv } from '#shared/env.ts';
import { escalationsFromEnv, oneTimeSchedules } from '#shared/escalation-schedule-adapter.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type PlanReverificationDeps, planReverification, type ReverificationTimerPort } from './reverify-eligibility.ts';

/** Target of the PlanReverification rule's queue (contract/appointment-events.ts): one event per invocation. */
export function makePlanReverification(deps: PlanReverificationDeps) {
  return taskHandler(QueuedAppointmentEventSchema, async ({ Records }) => {
    const scheduled = [];
    for (const { body } of Records) if (body) scheduled.push(await planReverification(deps, body));
    return { scheduled };
  });
}

/** The re-checks as EventBridge schedules: `reverify-<appointment>-<revision>-<ahead|day>`. */
export function eventBridgeReverificationTimers(): ReverificationTimerPort {
  const schedules = oneTimeSchedules(scheduler, {
    groupName: requireEnv('appointmentTimerGroup'),
    targetArn: requireEnv('reverifyTargetArn'),
    roleArn: requireEnv('appointmentTimerRoleArn'),
  });
  return {
    schedule: ({ clinicId, appointmentId, revision, when, at }) =>
      schedules.at(`reverify-${appointmentId}-${revision}-${when}`, at.toISOString(), {
        clinicId,
        appointmentId,
        revision: String(revision),
        when,
      }),
  };
}

export const handler = makePlanReverification({
  ...dynamoStores(tableFromEnv()),
  timers: eventBridgeReverificationTimers(),
  escalations: escalationsFromEnv(),
  now: systemClock,
});
