import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#contract/function-catalog.ts';
import { CHECKPOINTS, STAFF_ACTIONS_BY_STAGE, STAGE_CHECKPOINT, type StageName } from '#contract/journey-workflow.ts';

type Choice = {
  Variable?: string;
  StringEquals?: string;
  Next: string;
  Or?: Array<{ Variable?: string; StringEquals?: string }>;
  Not?: unknown;
};
type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  JitterStrategy?: string;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
};
type Catcher = { ErrorEquals: string[]; ResultPath?: string; Next?: string };
type Definition = {
  TimeoutSeconds?: number;
  States: Record<
    string,
    {
      Type: string;
      Resource?: string;
      TimeoutSeconds?: number;
      Retry?: Retrier[];
      Catch?: Catcher[];
      Next?: string;
      End?: boolean;
      Default?: string;
      Error?: string;
      Choices?: Choice[];
      Cause?: string;
      CausePath?: string;
      Parameters?: {
        Payload?: Record<string, unknown>;
        mode?: string;
        stage?: string;
        checkpoint?: string;
        Input?: Record<string, unknown>;
      };
      ResultPath?: string | null;
    }
  >;
};
const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Definition;
/** PatientJourney (STANDARD): holds the journey; JourneyStages (EXPRESS): runs the stages. */
const journey = load('workflows/patient-journey.asl.json');
const definition = load('workflows/journey-stages.asl.json');
const tasksOf = (d: Definition) => Object.entries(d.States).filter(([, s]) => s.Type === 'Task');
const tasks = tasksOf(definition);
const allTasks = [...tasksOf(journey), ...tasks];
const isPark = (state: { Resource?: string }) => state.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const FINISH_PLACEHOLDER = `\${FinishJourneyFunctionArn}`;
/** The stage calls: every JourneyStages Task but the journey's end. */
const stageTasks = tasks.filter(([, s]) => s.Resource !== FINISH_PLACEHOLDER);
const checkpoints = Object.keys(CHECKPOINTS) as Array<keyof typeof CHECKPOINTS>;

describe('Workflow: PatientJourney definition', () => {
  it('has one state on the happy path: RunStages runs the stages and ends the execution', () => {
    expect(Object.keys(journey.States).sort()).toEqual(['HoldForStaff', 'RunStages']);
    expect(journey.States.RunStages).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: `\${JourneyStagesStateMachineArn}`, Input: { 'resume.$': '$.resume' } },
      End: true,
    });
  });

  it('holds every failure of the stages for staff, keeping the input, and runs them again from the decision', () => {
    const run = journey.States.RunStages;
    const hold = journey.States.HoldForStaff;

    expect(run?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopped', Next: 'HoldForStaff' }]);
    expect(isPark(hold ?? {})).toBe(true);
    expect(hold?.Parameters?.Payload).toMatchObject({ 'taskToken.$': '$$.Task.Token', 'stopped.$': '$.stopped' });
    expect(hold).toMatchObject({ ResultPath: '$.resume', Next: 'RunStages', TimeoutSeconds: 14 * 86_400 });
  });

  it('retries only the start of a run, never a run that failed (that is a stop for staff)', () => {
    const retried = (journey.States.RunStages?.Retry ?? []).flatMap((r) => r.ErrorEquals);

    expect(retried.length).toBeGreaterThan(0);
    for (const error of retried) expect(error).toMatch(/^StepFunctions\./);
  });

  it('waits for a run longer than a run may last, and a run no longer than EXPRESS allows', () => {
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(300);
    expect(journey.States.RunStages?.TimeoutSeconds).toBeGreaterThan(definition.TimeoutSeconds ?? Number.POSITIVE_INFINITY);
  });

  it('asks JourneyStages for nothing an EXPRESS workflow cannot do (no callback, no .sync)', () => {
    for (const [name, state] of tasks) expect(state.Resource, name).not.toMatch(/\.waitForTaskToken|\.sync/);
  });

  it('gives every Task a timeout', () => {
    expect(allTasks.length).toBeGreaterThan(5);
    for (const [name, state] of allTasks) expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
  });

  it('uses only placeholders the function catalog provides, and JourneyStages’ ARN', () => {
    const known = new Set<string>(Object.values(FUNCTIONS).flatMap((f) => ('aslPlaceholder' in f ? [f.aslPlaceholder] : [])));
    known.add('JourneyStagesStateMachineArn');
    const used = [...JSON.stringify([journey, definition]).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const placeholder of used) expect(known, placeholder).toContain(placeholder);
  });

  it('retries transient errors only, with back-off and jitter', () => {
    for (const [name, state] of allTasks) {
      expect(state.Retry?.length, name).toBeGreaterThan(0);
      for (const retrier of state.Retry ?? []) {
        expect(retrier.ErrorEquals, name).not.toContain('States.ALL');
        expect(retrier.ErrorEquals, name).not.toContain('States.TaskFailed');
        expect(retrier.BackoffRate, name).toBeGreaterThan(1);
        expect(retrier.JitterStrategy, name).toBe('FULL');
      }
    }
  });

  it('ends a run quietly when the journey has ended, and otherwise keeps the input in the Catch and stops at the stage’s checkpoint', () => {
    expect(stageTasks.length).toBeGreaterThan(5);
    for (const [name, state] of stageTasks) {
      const [ended, ...others] = state.Catch ?? [];
      expect(ended, name).toEqual({ ErrorEquals: ['JourneyEnded'], Next: 'JourneyAlreadyEnded' });
      expect(others.length, name).toBe(1);
      for (const catcher of others) {
        expect(catcher.ResultPath).toBe('$.error');
        expect(checkpoints).toContain(catcher.Next);
      }
      for (const retrier of state.Retry ?? []) expect(retrier.ErrorEquals, name).not.toContain('JourneyEnded');
    }
    expect(definition.States.JourneyAlreadyEnded?.Type).toBe('Succeed');
  });

  it('names only the caught error’s name at a checkpoint, never its cause', () => {
    expect(definition.States.InitialiseJourney).toMatchObject({ Result: { Error: '' }, ResultPath: '$.error' });
    for (const checkpoint of checkpoints) {
      expect(definition.States[checkpoint]?.Parameters, checkpoint).toMatchObject({ error: { 'Error.$': '$.error.Error' } });
      expect(JSON.stringify(definition.States[checkpoint]), checkpoint).not.toContain('Cause');
    }
  });

  it('stops at a checkpoint per stage, naming itself and its stage, and routes exactly the decisions staff may take there', () => {
    const resume = definition.States.Resume?.Choices ?? [];
    expect(new Set(Object.values(CHECKPOINTS))).toEqual(new Set(Object.keys(STAFF_ACTIONS_BY_STAGE)));
    for (const checkpoint of checkpoints) {
      const stop = definition.States[checkpoint];
      const stage = CHECKPOINTS[checkpoint] as StageName;
      expect(stop, checkpoint).toMatchObject({
        Type: 'Pass',
        Parameters: { stage, checkpoint },
        Next: 'DescribeStop',
      });
      const decision = definition.States[resume.find((c) => c.StringEquals === checkpoint)?.Next ?? ''];
      const routed = (decision?.Choices ?? []).map((c) => c.StringEquals).sort();
      expect(routed, checkpoint).toEqual([...STAFF_ACTIONS_BY_STAGE[stage]].sort());
      for (const choice of decision?.Choices ?? []) expect(choice.Variable).toBe('$.resume.action');
    }
    for (const [stage, checkpoint] of Object.entries(STAGE_CHECKPOINT)) expect(CHECKPOINTS[checkpoint], stage).toBe(stage);
    expect(definition.States.StopForStaff).toMatchObject({ Type: 'Fail', Error: 'JourneyNeedsStaff', CausePath: '$.cause' });
  });

  it('starts a run at the first stage, or at the decision of a known checkpoint, and fails on anything else', () => {
    const resume = definition.States.Resume;
    const start = resume?.Choices?.find((c) => c.StringEquals === 'START');

    expect(definition.States.InitialiseJourney?.Next).toBe('Resume');
    expect(start).toMatchObject({ Variable: '$.resume.action', Next: 'ScreenIntake' });
    expect(resume?.Choices?.length).toBe(checkpoints.length + 1);
    expect(resume?.Default).toBe('UnknownResume');
    expect(definition.States.UnknownResume?.Type).toBe('Fail');
  });

  it('gives the hold and the journey’s end no Catch, so a failure there fails the execution where it happened', () => {
    const holds = allTasks.filter(([, s]) => isPark(s));
    const finishes = tasks.filter(([, s]) => s.Resource === FINISH_PLACEHOLDER);

    expect(holds.map(([name]) => name)).toEqual(['HoldForStaff']);
    expect(finishes.map(([name]) => name).sort()).toEqual(['CancelJourney', 'CompleteJourney']);
    for (const [name, state] of [...holds, ...finishes]) expect(state.Catch, name).toBeUndefined();
  });

  it('has no state that records a journey’s failure itself: execution failures converge through the status-change rule', () => {
    const names = [...Object.keys(journey.States), ...Object.keys(definition.States)];

    expect(names).not.toContain('FailJourney');
    expect(names).not.toContain('JourneyFailed');
    expect(JSON.stringify([journey, definition])).not.toContain('"outcome":"FAILED"');
  });

  it('ends every staff decision it does not route in the UnknownStaffDecision Fail state', () => {
    const decisions = Object.entries(definition.States).filter(([name, s]) => s.Type === 'Choice' && name.endsWith('StaffDecision'));

    expect(decisions.length).toBe(6);
    for (const [name, decision] of decisions) expect(decision.Default, name).toBe('UnknownStaffDecision');
    expect(definition.States.UnknownStaffDecision).toMatchObject({ Type: 'Fail', Error: 'UnknownStaffDecision' });
  });

  it('retries AwsServiceUnavailable on every Lambda Task: 2 s, doubling, 8 attempts, at most 30 s apart, full jitter', () => {
    const stageTaskNames = new Set(stageTasks.map(([name]) => name));
    for (const [name, state] of allTasks.filter(([n]) => n !== 'RunStages')) {
      const retrier = state.Retry?.find((r) => r.ErrorEquals.includes('AwsServiceUnavailable'));
      // A stage call or the hold fenced out by a delayed older attempt claims the journey again on retry; the
      // journey's end is not fenced by attempts.
      const fenced = stageTaskNames.has(name) || name === 'HoldForStaff';
      expect(retrier, name).toEqual({
        ErrorEquals: fenced ? ['AwsServiceUnavailable', 'StaleAttempt'] : ['AwsServiceUnavailable'],
        IntervalSeconds: 2,
        MaxAttempts: 8,
        BackoffRate: 2,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      });
    }
  });

  it('retries a stage call that timed out, and only stage calls (the hold’s 14-day wait must not restart)', () => {
    const timeouts = (state: { Retry?: Retrier[] }) =>
      (state.Retry ?? []).filter((r) => r.ErrorEquals.includes('States.Timeout') || r.ErrorEquals.includes('Sandbox.Timedout'));

    expect(stageTasks.length).toBeGreaterThan(5);
    for (const [name, state] of stageTasks) {
      expect(
        timeouts(state).map((r) => r.ErrorEquals),
        name,
      ).toEqual([['States.Timeout', 'Sandbox.Timedout']]);
      expect(timeouts(state)[0]?.MaxAttempts, name).toBe(2);
    }
    for (const [name, state] of tasksOf(journey)) expect(timeouts(state), name).toEqual([]);
  });

  it('charges with mode CHARGE and, when staff PROCEED at payment, asks the same function with mode DEFER', () => {
    const collect = definition.States.CollectPayment;
    const defer = definition.States.DeferPayment;
    const proceed = definition.States.PaymentStaffDecision?.Choices?.find((c) => c.StringEquals === 'PROCEED');

    expect(collect?.Parameters?.mode).toBe('CHARGE');
    expect(defer).toMatchObject({ Type: 'Task', Resource: collect?.Resource, Next: 'SendConfirmation' });
    expect(defer?.Parameters?.mode).toBe('DEFER');
    expect(proceed?.Next).toBe('DeferPayment');
    expect(definition.States.MarkPaymentDeferred).toBeUndefined();
  });

  it('asks a patient to pay later for every payment outcome that leaves money due, DEFERRED included', () => {
    const outstanding = definition.States.IsPaymentOutstanding;
    const [unknown, ...byOutcome] = outstanding?.Choices ?? [];
    const routed = byOutcome.flatMap((c) => (c.Next === 'SendPaymentRequest' ? (c.Or ?? [c]).map((o) => o.StringEquals) : []));

    // A run resumed after payment has no $.payment: SendPaymentRequest decides from the journey.
    expect(unknown).toEqual({ Not: { Variable: '$.payment.outcome', IsPresent: true }, Next: 'SendPaymentRequest' });
    expect(routed.sort()).toEqual(['DECLINED', 'DEFERRED', 'NO_PAYMENT_METHOD']);
    expect(outstanding?.Default).toBe('CompleteJourney');
  });
});
