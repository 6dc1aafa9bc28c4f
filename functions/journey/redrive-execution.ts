import type { StaffDecisionRecorded } from '#contract/api/staff-decision-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { stoppedExecutionTaskId } from '#model/staff-task.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { type DecideStaffTaskDeps, decideStaffTask } from './decide-staff-task.ts';
import type { JourneyExecutions } from './journey-engine-port.ts';

export interface RedriveExecutionDeps extends DecideStaffTaskDeps {
  executions: JourneyExecutions;
}

const STOPPED = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Ops redrive a stopped journey execution by its name. It is the RETRY of the staff task that holds the stop
 * (record-execution-outcome.ts), made by the ops person: the same decision a colleague at the desk could make, so the
 * task, the journey and the execution stay in step (the task is closed, the journey RUNNING again, the execution
 * redriven; a repeat answers the same). A stop not held for staff yet (its event not processed) is refused (409).
 */
export async function redriveExecution(
  deps: RedriveExecutionDeps,
  person: StaffPrincipal,
  executionId: string,
  via: string,
): Promise<StaffDecisionRecorded> {
  const executionArn = deps.executions.executionArnOf(executionId);
  const execution = await deps.executions.describe(executionArn).catch((error: Error) => {
    if (error.name === 'ExecutionDoesNotExist') throw HttpError.withMessage(404, 'No such execution');
    throw error;
  });
  const { clinicId } = (execution.input ?? {}) as { clinicId?: string };
  if (!clinicId) throw HttpError.withMessage(404, 'No such journey execution');
  // A repeat after the redrive finds the execution running, its stop's task (of the run before) decided.
  const run = STOPPED.has(execution.status) ? execution.redriveCount : execution.redriveCount - 1;
  if (run < 0) throw HttpError.withMessage(409, `The execution is ${execution.status.toLowerCase()}, not stopped`);
  try {
    return await decideStaffTask(deps, {
      clinicId,
      taskId: stoppedExecutionTaskId(executionArn, run),
      actor: staffActor(person),
      // As ops, whatever else the person is: an admin's power over a colleague's claim is not lent to this route.
      roles: ['ops'],
      action: 'RETRY',
      via,
    });
  } catch (error) {
    if (error instanceof HttpError && error.statusCode === 404)
      throw HttpError.withMessage(409, 'The stop is not held for staff yet: try again in a minute');
    throw error;
  }
}
