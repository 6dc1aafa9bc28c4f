import { describe, expect, it } from 'vitest';
import type { JourneyStatus, StageStatus } from '#contract/journey-workflow.ts';
import { currentStageOf, STAGES, timeInStages } from '#model/journey.ts';

/** A journey of this status whose stages have these statuses, in workflow order. */
const journey = (status: JourneyStatus, stages: StageStatus[]) => ({
  status,
  stages: Object.fromEntries(STAGES.map((name, i) => [name, { status: stages[i] ?? 'PENDING', at: '2026-12-01T00:00:00.000Z' }])) as never,
});

describe('Function: currentStageOf', () => {
  it.each([
    ['RUNNING', ['COMPLETED', 'IN_PROGRESS'], 'ELIGIBILITY'],
    ['RUNNING', ['COMPLETED', 'COMPLETED'], 'SCHEDULING'],
    ['WAITING_FOR_STAFF', ['IN_PROGRESS', 'COMPLETED', 'WAITING_FOR_STAFF'], 'SCHEDULING'],
    ['WAITING_FOR_STAFF', ['COMPLETED', 'FAILED', 'IN_PROGRESS'], 'ELIGIBILITY'],
    ['FAILED', ['COMPLETED', 'COMPLETED', 'FAILED', 'SKIPPED', 'SKIPPED'], 'SCHEDULING'],
    ['COMPLETED', ['COMPLETED', 'COMPLETED', 'COMPLETED', 'SKIPPED', 'COMPLETED'], undefined],
    ['CANCELLED', ['COMPLETED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'PENDING'], undefined],
  ] as const)('a %s journey with stages %j is at %s', (status, stages, expected) => {
    // Act
    const stage = currentStageOf(journey(status, [...stages]));

    // Assess
    expect(stage).toBe(expected);
  });
});

describe('Function: timeInStages', () => {
  it('times each completed stage from the end of the one before it (or the start), a skipped stage taking none', () => {
    // Prepare
    const at = (time: string) => `2026-12-01T${time}.000Z`;
    const journey = {
      createdAt: at('10:00:00'),
      stages: {
        INTAKE: { status: 'COMPLETED', at: at('10:00:02') },
        ELIGIBILITY: { status: 'COMPLETED', at: at('10:45:02') }, // parked 45 minutes for staff
        SCHEDULING: { status: 'COMPLETED', at: at('10:45:03') },
        PAYMENT: { status: 'SKIPPED', at: at('10:45:04') },
        CONFIRMATION: { status: 'COMPLETED', at: at('10:45:05') },
      },
    } as const;

    // Act
    const times = timeInStages(journey);

    // Assess
    expect(times).toEqual({ INTAKE: 2000, ELIGIBILITY: 45 * 60_000, SCHEDULING: 1000, CONFIRMATION: 1000 });
  });
});
