import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HAPPY_PATH, HAPPY_SCRIPT, journeyHarness, ok, RUN, realPark, slow } from './journey-harness.ts';

/**
 * A run of JourneyStages that fails for no checkpoint of its own — here it outlasts its time limit — is caught by
 * PatientJourney's RunStages and held for staff like any stop: never lost, never a failed journey. JourneyStages'
 * TimeoutSeconds (300 as deployed) is 2 s here, and ScreenIntake answers after 4 s (its own TimeoutSeconds is 60).
 */
const STAGES_TIMEOUT_SECONDS = 2;

let harness: Awaited<ReturnType<typeof journeyHarness>>;

beforeAll(async () => {
  harness = await journeyHarness({ stagesTimeoutSeconds: STAGES_TIMEOUT_SECONDS });
});

afterAll(async () => {
  await harness?.stop();
});

describe('Workflow: a run of JourneyStages that times out', () => {
  it('is caught by RunStages and held for staff at the stage it was in, and RETRY runs that stage again to the end', async () => {
    // prepare
    const run = await harness.start({
      ...HAPPY_SCRIPT,
      ScreenIntake: [slow((STAGES_TIMEOUT_SECONDS + 2) * 1000, { outcome: 'NO_RISK' }), ok({ outcome: 'NO_RISK' })],
      HoldForStaff: [realPark],
    });
    const token = await harness.sfn.awaitTaskToken(run.executionArn, 'HoldForStaff', 10_000);
    const held = await vi.waitFor(
      async () => {
        const journey = await harness.journey(run.journeyId);
        const task = await harness.staffTask(journey?.stages.INTAKE?.staffTaskId ?? '');
        expect(task).toBeDefined();
        return { journey, task };
      },
      { timeout: 10_000, interval: 20 },
    );
    const waiting = harness.sfn.describeExecution(run.executionArn);

    // act
    const response = await harness.decide(held.task?.taskId, 'RETRY');
    const execution = await harness.sfn.awaitExecution(run.executionArn);
    await harness.sfn.awaitEventsDelivered();

    // assess
    expect(waiting.status).toBe('RUNNING');
    expect(run.holds()).toEqual([
      { error: 'States.TaskFailed', run: expect.objectContaining({ Status: 'TIMED_OUT', Error: 'States.Timeout' }) },
    ]);
    expect(held.journey).toMatchObject({ status: 'WAITING_FOR_STAFF', stages: { INTAKE: { status: 'WAITING_FOR_STAFF' } } });
    // No checkpoint named: the stage the journey is in, retried from its start; the reason names the run's own error.
    expect(held.task).toMatchObject({
      kind: 'STAGE_BLOCKED',
      status: 'OPEN',
      stage: 'INTAKE',
      checkpoint: 'IntakeNeedsStaff',
      taskToken: token,
      reason: expect.stringContaining('States.Timeout'),
    });
    expect(response.statusCode).toBe(200);
    expect(execution.status).toBe('SUCCEEDED');
    expect(harness.sfn.deadLetters()).toEqual([]);
    expect(harness.sfn.enteredStates(run.executionArn)).toEqual([
      ...RUN,
      'ScreenIntake',
      'HoldForStaff',
      ...RUN,
      'IntakeStaffDecision',
      ...HAPPY_PATH.slice(RUN.length),
    ]);
    expect(harness.sfn.callCount(run.executionArn, 'ScreenIntake')).toBe(2);
    expect(await harness.journeyStatus(run.journeyId)).toBe('COMPLETED');
  });
});
