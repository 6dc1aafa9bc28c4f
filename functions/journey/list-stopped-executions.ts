import type { StoppedExecution, StoppedExecutionsPage, StoppedExecutionsQuery } from '#contract/api/ops-schema.ts';
import { stoppedExecutionTaskId } from '#model/staff-task.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { SharedStores } from '#shared/stores.ts';
import type { JourneyExecutions } from './journey-engine-port.ts';

export interface ListStoppedExecutionsDeps extends Pick<SharedStores, 'tasks'> {
  executions: JourneyExecutions;
}

/**
 * A page of the deployment's journey executions that stopped (failed, timed out or were aborted), newest first, for
 * ops: each with its clinic, journey, error name, stage and whether staff hold it. The stage comes from the stop's
 * staff task, read as state and routing only (no reason, no notes), so nothing of a patient is read. `since` keeps the
 * executions that stopped at or after it (Step Functions lists by status only).
 */
export async function listStoppedExecutions(
  deps: ListStoppedExecutionsDeps,
  query: StoppedExecutionsQuery,
): Promise<StoppedExecutionsPage> {
  const page = await deps.executions
    .list({ status: query.status, limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) })
    .catch((error: Error) => {
      // A page token Step Functions does not know (mistyped, or older than its 24 hours) is the caller's to fix.
      if (error.name === 'InvalidToken') throw HttpError.badRequest([{ path: 'cursor', message: 'not a page of this list, or expired' }]);
      throw error;
    });
  const recent = page.executions.filter((execution) => !query.since || (execution.stoppedAt ?? execution.startedAt) >= query.since);
  const described = await Promise.all(
    recent.map(async (listed) => ({ listed, state: await deps.executions.describe(listed.executionArn) })),
  );
  const executions = await Promise.all(
    described
      // ListExecutions is eventually consistent: one redriven a moment ago may still be listed in its old status.
      .filter(({ state }) => state.status === query.status)
      .map(async ({ listed, state: described }): Promise<StoppedExecution> => {
        const { clinicId = '', journeyId = listed.name } = (described.input ?? {}) as { clinicId?: string; journeyId?: string };
        const task = clinicId
          ? await deps.tasks.escalationState(clinicId, stoppedExecutionTaskId(listed.executionArn, described.redriveCount))
          : undefined;
        return {
          executionId: listed.name,
          executionArn: listed.executionArn,
          clinicId,
          journeyId,
          status: query.status,
          ...(described.error ? { error: described.error } : {}),
          ...(task ? { stage: task.stage } : {}),
          heldForStaff: task?.status === 'OPEN',
          startedAt: listed.startedAt,
          ...(listed.stoppedAt ? { stoppedAt: listed.stoppedAt } : {}),
        };
      }),
  );
  return { executions, ...(page.next ? { next: page.next } : {}) };
}
