import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#contract/function-catalog.ts';
import { STAFF_ACTIONS_BY_STAGE, type StageName } from '#contract/journey-workflow.ts';

type Choice = { Variable?: string; StringEquals?: string; Next: string; Or?: Array<{ Variable?: string; StringEquals?: string }> };
type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  JitterStrategy?: string;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
};
type Catcher = { ErrorEquals: string[]; ResultPath?: string };
const definition = JSON.parse(readFileSync('workflows/patient-journey.asl.json', 'utf8')) as {
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
      Parameters?: { Payload?: { stage?: StageName }; mode?: string };
    }
  >;
};
const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
const isPark = (state: { Resource?: string }) => state.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const FINISH_PLACEHOLDER = `\${FinishJourneyFunctionArn}`;
/** The stage calls: every Task that is neither a park nor the journey's end. */
const stageTasks = tasks.filter(([, s]) => !isPark(s) && s.Resource !== FINISH_PLACEHOLDER);

describe('Workflow: PatientJourney definition', () => {
  it('gives every Task a timeout', () => {
    expect(tasks.length).toBeGreaterThan(5);
    for (const [name, state] of tasks) expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
  });

  it('uses only placeholders the function catalog provides', () => {
    const known = new Set<string>(Object.values(FUNCTIONS).flatMap((f) => ('aslPlaceholder' in f ? [f.aslPlaceholder] : [])));
    const used = [...JSON.stringify(definition).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const placeholder of used) expect(known, placeholder).toContain(placeholder);
  });

  it('retries transient errors only, with back-off and jitter', () => {
    for (const [name, state] of tasks) {
      expect(state.Retry?.length, name).toBeGreaterThan(0);
      for (const retrier of state.Retry ?? []) {
        expect(retrier.ErrorEquals, name).not.toContain('States.ALL');
        expect(retrier.ErrorEquals, name).not.toContain('States.TaskFailed');
        expect(retrier.BackoffRate, name).toBeGreaterThan(1);
        expect(retrier.JitterStrategy, name).toBe('FULL');
      }
    }
  });

  it('keeps the input in every Catch, so a parked journey still knows its IDs', () => {
    const catchers = tasks.flatMap(([, s]) => s.Catch ?? []);
    expect(catchers.length).toBeGreaterThan(5);
    for (const catcher of catchers) expect(catcher.ResultPath).toBe('$.error');
  });

  it('parks every stage for staff and routes exactly the decisions staff may take there', () => {
    const parks = tasks.filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken');
    const parkedStages = new Set(parks.map(([, s]) => s.Parameters?.Payload?.stage));
    expect(parkedStages).toEqual(new Set(Object.keys(STAFF_ACTIONS_BY_STAGE)));
    for (const [name, park] of parks) {
      const stage = park.Parameters?.Payload?.stage as StageName;
      const resume = definition.States[park.Next ?? ''];
      const decision = definition.States[resume?.Next ?? ''];
      expect(resume?.Type, name).toBe('Pass');
      const routed = (decision?.Choices ?? []).map((c) => c.StringEquals).sort();
      expect(routed, name).toEqual([...STAFF_ACTIONS_BY_STAGE[stage]].sort());
    }
  });

  it('gives parks and the journey’s end no Catch, so a failure there fails the execution where it happened', () => {
    const parks = tasks.filter(([, s]) => isPark(s));
    const finishes = tasks.filter(([, s]) => s.Resource === FINISH_PLACEHOLDER);

    expect(parks.length).toBe(6);
    expect(finishes.map(([name]) => name).sort()).toEqual(['CancelJourney', 'CompleteJourney']);
    for (const [name, state] of [...parks, ...finishes]) expect(state.Catch, name).toBeUndefined();
  });

  it('has no state that records a journey’s failure itself: execution failures converge through the status-change rule', () => {
    const names = Object.keys(definition.States);

    expect(names).not.toContain('FailJourney');
    expect(names).not.toContain('JourneyFailed');
    expect(JSON.stringify(definition)).not.toContain('"outcome":"FAILED"');
  });

  it('ends every staff decision it does not route in the UnknownStaffDecision Fail state', () => {
    const decisions = Object.entries(definition.States).filter(([name, s]) => s.Type === 'Choice' && name.endsWith('StaffDecision'));

    expect(decisions.length).toBe(6);
    for (const [name, decision] of decisions) expect(decision.Default, name).toBe('UnknownStaffDecision');
    expect(definition.States.UnknownStaffDecision).toMatchObject({ Type: 'Fail', Error: 'UnknownStaffDecision' });
  });

  it('retries AwsServiceUnavailable on every Task: 2 s, doubling, 8 attempts, at most 30 s apart, full jitter', () => {
    const stageTaskNames = new Set(stageTasks.map(([name]) => name));
    for (const [name, state] of tasks) {
      const retrier = state.Retry?.find((r) => r.ErrorEquals.includes('AwsServiceUnavailable'));
      // A stage call or park fenced out by a delayed older attempt claims the journey again on retry; the journey's
      // end is not fenced by attempts.
      const fenced = stageTaskNames.has(name) || name.startsWith('Park');
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

  it('retries a stage call that timed out, and only stage calls (a park’s 14-day wait must not restart)', () => {
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
    for (const [name, state] of tasks.filter(([, s]) => isPark(s))) expect(timeouts(state), name).toEqual([]);
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
    const routed = (outstanding?.Choices ?? []).flatMap((c) =>
      c.Next === 'SendPaymentRequest' ? (c.Or ?? [c]).map((o) => o.StringEquals) : [],
    );

    expect(routed.sort()).toEqual(['DECLINED', 'DEFERRED', 'NO_PAYMENT_METHOD']);
    expect(outstanding?.Default).toBe('CompleteJourney');
  });
});
