import { describe, expect, it } from 'vitest';
import { stageStopOf } from '#functions/journey/stage-stop.ts';
import { currentStage, newJourneyRecord } from '#model/journey.ts';
import { stoppedAt } from '#test/support/fixtures/stage-stop.ts';

const journeyAtScheduling = () => {
  const journey = newJourneyRecord(
    { clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' },
    new Date('2026-12-01T09:00:00Z'),
  );
  journey.stages.INTAKE = { status: 'COMPLETED', at: '2026-12-01T09:00:01Z' };
  journey.stages.ELIGIBILITY = { status: 'COMPLETED', at: '2026-12-01T09:00:02Z' };
  journey.stages.SCHEDULING = { status: 'IN_PROGRESS', at: '2026-12-01T09:00:03Z' };
  return journey;
};
const stop = { checkpoint: 'PaymentRequestNeedsStaff', stage: 'CONFIRMATION', error: { Error: 'MessagingUnavailable' } };

describe('Domain: stageStopOf', () => {
  it('reads the checkpoint from the run’s description, as RunStages’ Catch hands it over', () => {
    // Act
    const read = stageStopOf(stoppedAt('PaymentRequestNeedsStaff', { Error: 'MessagingUnavailable' }), journeyAtScheduling());

    // Assess
    expect(read).toEqual(stop);
  });

  it('reads it from the run’s own failure, and from a description in lower case', () => {
    // Prepare
    const bare = { Error: 'JourneyNeedsStaff', Cause: JSON.stringify(stop) };
    const lower = {
      Error: 'States.TaskFailed',
      Cause: JSON.stringify({ status: 'FAILED', error: 'JourneyNeedsStaff', cause: JSON.stringify(stop) }),
    };

    // Act + assess
    expect(stageStopOf(bare, journeyAtScheduling())).toEqual(stop);
    expect(stageStopOf(lower, journeyAtScheduling())).toEqual(stop);
  });

  it('stops a run that timed out or crashed at the journey’s current stage, retried from its start, naming the error', () => {
    // Prepare
    const timedOut = { Error: 'States.TaskFailed', Cause: JSON.stringify({ Status: 'TIMED_OUT', Error: 'States.Timeout' }) };

    // Act + assess
    expect(stageStopOf(timedOut, journeyAtScheduling())).toEqual({
      checkpoint: 'SchedulingNeedsStaff',
      stage: 'SCHEDULING',
      error: { Error: 'States.Timeout' },
    });
    expect(stageStopOf({ Error: 'States.Timeout' }, journeyAtScheduling())).toMatchObject({
      stage: 'SCHEDULING',
      error: { Error: 'States.Timeout' },
    });
  });

  it('does not take a cause that only looks like a stop: the error must be JourneyNeedsStaff', () => {
    // Prepare
    const other = { Error: 'SomethingElse', Cause: JSON.stringify(stop) };

    // Act + assess
    expect(stageStopOf(other, journeyAtScheduling()).checkpoint).toBe('SchedulingNeedsStaff');
    expect(stageStopOf({ Error: 'JourneyNeedsStaff', Cause: 'not json' }, journeyAtScheduling()).checkpoint).toBe('SchedulingNeedsStaff');
  });
});

describe('Domain: currentStage (functions/model/journey.ts)', () => {
  it('is the first stage neither completed nor skipped, and the last once all are', () => {
    // Prepare
    const journey = journeyAtScheduling();
    const done = journeyAtScheduling();
    for (const stage of ['SCHEDULING', 'PAYMENT', 'CONFIRMATION'] as const) done.stages[stage] = { status: 'COMPLETED', at: 'x' };
    done.stages.CONFIRMATION = { status: 'SKIPPED', at: 'x' };

    // Act + assess
    expect(currentStage(journey)).toBe('SCHEDULING');
    expect(currentStage(done)).toBe('CONFIRMATION');
  });

  it('passes skipped stages, and names INTAKE for a journey that has not finished its first', () => {
    // Prepare
    const journey = journeyAtScheduling();
    journey.stages.ELIGIBILITY = { status: 'SKIPPED', at: 'x' };
    const fresh = newJourneyRecord({ clinicId: 'c1', journeyId: 'j2', submissionId: 's2', patientId: 'p2' }, new Date());

    // Act + assess
    expect(currentStage(journey)).toBe('SCHEDULING');
    expect(currentStage(fresh)).toBe('INTAKE');
  });
});
