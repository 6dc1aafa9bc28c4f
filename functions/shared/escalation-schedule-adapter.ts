import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { scheduler } from './aws/scheduler-client.ts';
import { requireEnv } from './env.ts';
import type { EscalationSchedulePort } from './staff-alerts.ts';

export interface EscalationScheduleConfig {
  /** The schedule group the stack created for task escalations. */
  groupName: string;
  /** escalateStaffTask's ARN, and the role EventBridge Scheduler assumes to invoke it. */
  targetArn: string;
  roleArn: string;
}

/**
 * EventBridge Scheduler adapter: one one-time schedule per task, `at(<due time>)` in UTC, deleted by the service once it
 * has run, invoking escalateStaffTask with the task's IDs only. Named after the task, so a retried opener meets the
 * schedule it created (ConflictException) and leaves it be.
 */
export function eventBridgeEscalations(client: SchedulerClient, config: EscalationScheduleConfig): EscalationSchedulePort {
  const schedules = oneTimeSchedules(client, config);
  return {
    schedule: (task) => schedules.at(escalationScheduleName(task.taskId), task.dueAt, { clinicId: task.clinicId, taskId: task.taskId }),
  };
}

/**
 * One-time EventBridge schedules in one group, invoking one target: `at(<UTC time>)`, deleted by the service once they
 * have run, their input IDs only. Named by the caller after what they are for, so a retried caller meets the schedule
 * it created (ConflictException) and leaves it be. Scheduler's own retries of a failed invocation run within the hour.
 */
export function oneTimeSchedules(client: SchedulerClient, config: EscalationScheduleConfig) {
  return {
    /** A schedule named `name` that runs at `due` (an ISO instant; on the whole minute at or after it). */
    async at(name: string, due: string, input: Record<string, string>): Promise<void> {
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: name,
            GroupName: config.groupName,
            ScheduleExpression: `at(${escalationTime(due)})`,
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: config.targetArn,
              RoleArn: config.roleArn,
              Input: JSON.stringify(input),
              RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
      }
    },
  };
}

/**
 * When a one-time schedule fires (a task's escalation, a no-show check, an offer's expiry): its due time rounded up to
 * the whole minute. Scheduler's `at()` has no milliseconds and runs a schedule within the minute it names, so a
 * schedule of the due minute itself could fire before it is due; from the next whole minute on, it never can.
 */
export function escalationTime(dueAt: string): string {
  const minute = 60_000;
  return new Date(Math.ceil(Date.parse(dueAt) / minute) * minute).toISOString().slice(0, 19);
}

/** A task's escalation schedule: task IDs are hashes unique across clinics ('st-' + 20 hex), within Scheduler's 64. */
export const escalationScheduleName = (taskId: string) => `escalate-${taskId}`;

/** The deployed escalations, as the function's environment names them. */
export function escalationsFromEnv(): EscalationSchedulePort {
  return eventBridgeEscalations(scheduler, {
    groupName: requireEnv('escalationScheduleGroup'),
    targetArn: requireEnv('escalationTargetArn'),
    roleArn: requireEnv('escalationSchedulerRoleArn'),
  });
}
