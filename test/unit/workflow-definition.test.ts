import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#infra/function-catalog.ts';

const definition = JSON.parse(readFileSync('workflows/patient-journey.asl.json', 'utf8')) as {
  States: Record<string, { Type: string; Resource?: string; TimeoutSeconds?: number; Parameters?: Record<string, unknown> }>;
};

describe('Workflow: PatientJourney definition', () => {
  it('gives every Task a timeout', () => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(5);
    for (const [name, state] of tasks) expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
  });

  it('uses only placeholders the function catalog provides', () => {
    const known = new Set<string>([
      'TableName',
      ...Object.values(FUNCTIONS).flatMap((f) => ('aslPlaceholder' in f ? [f.aslPlaceholder] : [])),
    ]);
    const used = [...JSON.stringify(definition).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const placeholder of used) expect(known, placeholder).toContain(placeholder);
  });
});
