import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#infra/function-catalog.ts';
import { STAFF_ACTIONS_BY_STAGE, type StageName } from '#shared/journey-contract.ts';

type Choice = { Variable?: string; StringEquals?: string; Next: string };
type Retrier = { ErrorEquals: string[]; BackoffRate?: number; JitterStrategy?: string; MaxAttempts?: number };
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
      Choices?: Choice[];
      Parameters?: { Payload?: { stage?: StageName } };
    }
  >;
};
const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');

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
});
