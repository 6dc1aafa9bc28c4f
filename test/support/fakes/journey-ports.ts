import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import type { ExecutionState, JourneyEngine } from '#functions/journey/journey-engine-port.ts';
import type { CatalogStore } from '#shared/catalog-store.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import type { EscalationSchedulePort, StaffAlert, StaffAlertPort } from '#shared/staff-alerts.ts';

/** Staff alerts kept in memory; `failNext` makes the next send fail, as the SNS adapter does (MessagingUnavailable). */
export function fakeStaffAlerts() {
  const sent: StaffAlert[] = [];
  let failures = 0;
  const port: StaffAlertPort = {
    async send(alert) {
      if (failures > 0) {
        failures--;
        throw new TransientDependencyError(TRANSIENT_ERRORS.messagingUnavailable, 'SNS answered ThrottledException');
      }
      sent.push(alert);
    },
  };
  const failNext = (times = 1) => {
    failures += times;
  };
  return { port, sent, failNext };
}

type Method = keyof JourneyEngine;

/**
 * The workflow engine in memory, behaving as Step Functions does for the journey stage: a task token answers once
 * (then it is gone), a stopped execution redrives once into RUNNING (a running or too old one is not redrivable).
 * `failNext` makes a method's next call throw, as an outage would.
 */
export function fakeJourneyEngine() {
  const resumed: Array<{ taskToken: string; output: string }> = [];
  const gone = new Set<string>();
  const executions = new Map<string, ExecutionState & { redrivable: boolean }>();
  const failures: Array<{ method: Method; error: Error }> = [];
  const calls: Array<{ method: Method; arg: string }> = [];

  function call(method: Method, arg: string): void {
    calls.push({ method, arg });
    const index = failures.findIndex((f) => f.method === method);
    if (index >= 0) throw failures.splice(index, 1)[0]?.error;
  }
  function execution(executionArn: string) {
    const found = executions.get(executionArn);
    if (!found) throw Object.assign(new Error(`No execution ${executionArn}`), { name: 'ExecutionDoesNotExist' });
    return found;
  }

  const port: JourneyEngine = {
    async resume(taskToken, decision) {
      call('resume', taskToken);
      if (gone.has(taskToken)) return 'TOKEN_GONE';
      gone.add(taskToken);
      resumed.push({ taskToken, output: JSON.stringify(decision) });
      return 'RESUMED';
    },
    async redrive(executionArn) {
      call('redrive', executionArn);
      const stopped = execution(executionArn);
      if (!stopped.redrivable || stopped.status === 'RUNNING' || stopped.status === 'SUCCEEDED') return 'NOT_REDRIVABLE';
      Object.assign(stopped, { status: 'RUNNING', redriveCount: stopped.redriveCount + 1 });
      return 'REDRIVEN';
    },
    async describe(executionArn) {
      call('describe', executionArn);
      const { redrivable: _, ...state } = execution(executionArn);
      return structuredClone(state);
    },
  };
  return {
    port,
    /** Every token answered, in order, with the decision as Step Functions received it. */
    resumed,
    /** Every call, in order (successful or not). */
    calls,
    /** What a method was called with, in order (successful or not). */
    callsOf: (method: Method) => calls.filter((c) => c.method === method).map((c) => c.arg),
    /** The token can no longer be answered (its wait timed out, or it was answered). */
    tokenGone: (taskToken: string) => void gone.add(taskToken),
    /** An execution as Step Functions holds it; `redrivable: false` for one too old to redrive. */
    givenExecution: (executionArn: string, state: Partial<ExecutionState> & { redrivable?: boolean } = {}) =>
      void executions.set(executionArn, { status: 'FAILED', input: {}, redriveCount: 0, redrivable: true, ...state }),
    failNext: (method: Method, error: Error) => void failures.push({ method, error }),
  };
}

/**
 * Escalation schedules kept in memory, one per task as EventBridge Scheduler keeps them (a repeat leaves the first);
 * `failNext` makes the next schedule fail, as a Scheduler outage would.
 */
export function fakeEscalations() {
  const scheduled: Array<{ clinicId: string; taskId: string; dueAt: string }> = [];
  let failures = 0;
  const port: EscalationSchedulePort = {
    async schedule({ clinicId, taskId, dueAt }) {
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('Scheduler answered ThrottlingException'), { name: 'ThrottlingException' });
      }
      if (!scheduled.some((s) => s.taskId === taskId)) scheduled.push({ clinicId, taskId, dueAt });
    },
  };
  const failNext = (times = 1) => {
    failures += times;
  };
  return { port, scheduled, failNext };
}

/** The catalog of a clinic that stored none: its staff tasks are due by the default service levels. */
export const noCatalog: CatalogStore = {
  load: async () => undefined,
  put: async () => ({ calendarKept: false, hoursKept: [] }),
};
