import { describe, expect, it } from 'vitest';
import { stageAtStop, stoppedReason } from '#functions/journey/stopped-execution.ts';
import { newJourneyRecord } from '#model/journey.ts';

const journey = () =>
  newJourneyRecord({ clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' }, new Date('2026-12-01T10:00:00Z'));
const at = '2026-12-01T10:00:00Z';

describe('Function: stageAtStop', () => {
  it('names the first stage that had not finished', () => {
    // Prepare
    const stopped = journey();
    stopped.stages.INTAKE = { status: 'COMPLETED', at };
    stopped.stages.ELIGIBILITY = { status: 'SKIPPED', at };
    stopped.stages.SCHEDULING = { status: 'WAITING_FOR_STAFF', at };

    // Act
    const stage = stageAtStop(stopped);

    // Assess
    expect(stage).toBe('SCHEDULING');
  });

  it('names INTAKE for a journey that stopped before its first stage finished', () => {
    // Act
    const stage = stageAtStop(journey());

    // Assess
    expect(stage).toBe('INTAKE');
  });

  it('names CONFIRMATION for a journey whose every stage finished (it stopped at its end)', () => {
    // Prepare
    const stopped = journey();
    for (const state of Object.values(stopped.stages)) Object.assign(state, { status: 'COMPLETED' });

    // Act
    const stage = stageAtStop(stopped);

    // Assess
    expect(stage).toBe('CONFIRMATION');
  });
});

describe('Function: stoppedReason', () => {
  it('says where and how the workflow stopped, naming the error, and what RETRY and CANCEL do', () => {
    // Act
    const reason = stoppedReason('FAILED', 'ELIGIBILITY', 'AwsServiceUnavailable', true);

    // Assess
    expect(reason).toBe(
      "Eligibility verification: the journey's workflow failed (AwsServiceUnavailable). RETRY resumes it where it stopped; CANCEL ends the journey.",
    );
  });

  it.each([
    ['TIMED_OUT', 'timed out'],
    ['ABORTED', 'was stopped'],
  ] as const)('says a %s workflow %s, and offers no CANCEL where the stage allows none', (status, words) => {
    // Act
    const reason = stoppedReason(status, 'PAYMENT', undefined, false);

    // Assess
    expect(reason).toContain(`workflow ${words}.`);
    expect(reason).not.toContain('CANCEL');
    expect(reason).not.toContain('(');
  });
});
