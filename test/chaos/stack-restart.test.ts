import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyView } from '#functions/journey/journey-view.ts';
import type { FaultProxy } from '#local/fault-proxy.ts';
import { type ChaosStack, startChaosStack } from '#test/chaos/support/cloud.ts';
import {
  checkBookings,
  checkCharges,
  decidableTask,
  executionArnOf,
  paidMismatches,
  runningWithoutExecution,
  scanTable,
} from '#test/chaos/support/invariants.ts';
import {
  describeJourney,
  distinctSubmission,
  pollJourney,
  pollJourneys,
  type SubmissionBody,
  waitingStage,
  waitUntil,
} from '#test/chaos/support/journeys.ts';

/**
 * (e) The local stack is stopped (`cloud.stop()`) and started again with the same data directory while journeys wait
 * for staff and others are retrying a clearinghouse that answers 503. After the restart: the parked journeys resume
 * when staff decide (their task tokens survived), the retrying ones go on retrying and complete once the clearinghouse
 * answers, and resubmitting a finished (or parked) journey's body returns the same journey and starts no execution.
 */
const BACKING_OFF = 3;

let stack: ChaosStack;
const figures: Record<string, unknown> = {};
let finished: { body: SubmissionBody; journeyId: string };
const parked: Array<{ body: SubmissionBody; journeyId: string; action: 'PROCEED' | 'CANCEL'; ends: string }> = [];
const backingOff: string[] = [];
let executionsBeforeStop: Map<string, { status: string; startDate: number }>;

const clearinghouse = () => stack.cloud.faults.clearinghouse as FaultProxy;

beforeAll(async () => {
  stack = await startChaosStack({ faultProxies: { clearinghouse: true } });

  // A journey that has finished, two parked for staff (inactive coverage), with the clearinghouse answering.
  const completedBody = distinctSubmission('completes', 0);
  finished = { body: completedBody, journeyId: await stack.api.submitOk(completedBody) };
  for (const [n, action] of (['PROCEED', 'CANCEL'] as const).entries()) {
    const body = distinctSubmission('inactive-coverage', 1 + n);
    parked.push({ body, journeyId: await stack.api.submitOk(body), action, ends: action === 'PROCEED' ? 'COMPLETED' : 'CANCELLED' });
  }
  const before = await pollJourneys(stack.api, [finished.journeyId, ...parked.map((p) => p.journeyId)], { timeoutMs: 60_000 });
  if (before.get(finished.journeyId)?.status !== 'COMPLETED')
    throw new Error(`setup: ${describeJourney(finished.journeyId, before.get(finished.journeyId))}`);
  for (const p of parked) {
    if (waitingStage(before.get(p.journeyId) as JourneyView)?.name !== 'ELIGIBILITY')
      throw new Error(`setup: ${describeJourney(p.journeyId, before.get(p.journeyId))}`);
  }

  // Journeys retrying the clearinghouse: each call answered 503 (one per journey), later calls held unanswered, so
  // no journey can use up its retries before the stop — each is between two attempts or inside one.
  await clearinghouse().set([{ mode: 'unavailable', times: BACKING_OFF }, { mode: 'hang' }]);
  for (let n = 0; n < BACKING_OFF; n++) backingOff.push(await stack.api.submitOk(distinctSubmission('completes', 10 + n)));
  await waitUntil(
    'every retrying journey has called the clearinghouse and every 503 has been answered',
    () =>
      clearinghouse().count({ mode: 'unavailable' }) === BACKING_OFF &&
      backingOff.every((id) => stack.cloud.sfn.callCount(executionArnOf(stack.cloud, id), 'VerifyEligibility') >= 1),
    60_000,
  );
  figures.clearinghouseBeforeStop = { answered503: clearinghouse().count({ mode: 'unavailable' }), held: clearinghouse().hanging() };
  executionsBeforeStop = new Map(
    stack.cloud.sfn.listExecutions().map((e) => [e.name, { status: e.status, startDate: e.startDate.getTime() }]),
  );

  // The restart: the clearinghouse (behind a new proxy) still answers 503 once, then answers.
  await stack.restart({ faultProxies: { clearinghouse: { mode: 'unavailable', times: 1 } } });
});

afterAll(async () => {
  console.log(`[chaos stack-restart] ${JSON.stringify(figures)}`);
  await stack?.dispose();
});

describe('Chaos (e): the local stack stopped and started again', () => {
  it('kept every execution: the parked ones still wait for staff with a task that can be decided', async () => {
    // act
    const views = await pollJourneys(
      stack.api,
      parked.map((p) => p.journeyId),
    );
    const executions = new Map(stack.cloud.sfn.listExecutions().map((e) => [e.name, e.status]));

    // assess
    expect([...executionsBeforeStop.keys()].filter((name) => !executions.has(name))).toEqual([]);
    const problems: string[] = [];
    for (const p of parked) {
      const view = views.get(p.journeyId) as JourneyView;
      const decidable = await decidableTask(stack.cloud, p.journeyId, view);
      if (view.status !== 'WAITING_FOR_STAFF' || decidable.problem)
        problems.push(`${describeJourney(p.journeyId, view)} → ${decidable.problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('answers a resubmitted finished or parked journey with the same journey and starts no execution', async () => {
    // act
    const again = [await stack.api.submit(finished.body), await stack.api.submit(parked[0]?.body)];
    const executions = stack.cloud.sfn.listExecutions();
    const view = await pollJourney(stack.api, finished.journeyId);

    // assess
    expect(again.map((a) => [a.status, a.body?.journeyId])).toEqual([
      [202, finished.journeyId],
      [202, parked[0]?.journeyId],
    ]);
    expect(executions.filter((e) => !executionsBeforeStop.has(e.name)).map((e) => `${e.name} ${e.status}`)).toEqual([]);
    for (const name of [finished.journeyId, parked[0]?.journeyId as string]) {
      const e = executions.find((x) => x.name === name);
      expect({ name, startDate: e?.startDate.getTime(), redriveCount: e?.redriveCount }).toEqual({
        name,
        startDate: executionsBeforeStop.get(name)?.startDate,
        redriveCount: 0,
      });
    }
    expect(view.status).toBe('COMPLETED');
  });

  it('resumes each parked journey when staff decide, with the token issued before the restart', async () => {
    // act
    const answers = [];
    for (const p of parked) {
      const view = await pollJourney(stack.api, p.journeyId);
      answers.push(await stack.api.decide(waitingStage(view)?.staffTaskId as string, p.action));
    }
    const views = await pollJourneys(
      stack.api,
      parked.map((p) => p.journeyId),
      { timeoutMs: 60_000 },
    );

    // assess
    expect(answers.map((a) => a.status)).toEqual(parked.map(() => 200));
    expect(parked.map((p) => views.get(p.journeyId)?.status)).toEqual(parked.map((p) => p.ends));
  });

  it('goes on retrying the clearinghouse after the restart and completes each journey once it answers', async () => {
    // act
    const views = await pollJourneys(stack.api, backingOff, { timeoutMs: 90_000 });
    figures.clearinghouseAfterRestart = {
      answered503: clearinghouse().count({ mode: 'unavailable' }),
      passed: clearinghouse().count({ mode: 'pass' }),
    };
    figures.verifyEligibilityCalls = backingOff.map((id) =>
      stack.cloud.sfn.callCount(executionArnOf(stack.cloud, id), 'VerifyEligibility'),
    );
    // Resumed in RunStages, each ran its stages again from the start: screening twice, harmlessly.
    figures.screenIntakeCalls = backingOff.map((id) => stack.cloud.sfn.callCount(executionArnOf(stack.cloud, id), 'ScreenIntake'));

    // assess
    expect(backingOff.filter((id) => views.get(id)?.status !== 'COMPLETED').map((id) => describeJourney(id, views.get(id)))).toEqual([]);
    expect(clearinghouse().count({ mode: 'unavailable' })).toBe(1);
    expect(clearinghouse().count({ mode: 'pass' })).toBeGreaterThanOrEqual(BACKING_OFF);
  });

  it('leaves no journey RUNNING without an execution, no double charge or booking, and no 5xx', async () => {
    // act
    const all = [finished.journeyId, ...parked.map((p) => p.journeyId), ...backingOff];
    const views = await pollJourneys(stack.api, all);
    const charges = checkCharges(stack.cloud.payments);
    const bookings = checkBookings(await scanTable(stack.cloud.table));
    figures.outcomes = Object.fromEntries(all.map((id) => [id, views.get(id)?.status]));
    figures.charges = stack.cloud.payments.charges().length;

    // assess
    expect(runningWithoutExecution(stack.cloud, views)).toEqual([]);
    expect(charges.violations).toEqual([]);
    expect(paidMismatches(views, charges)).toEqual([]);
    expect(charges.chargesByJourney.get(finished.journeyId)).toHaveLength(1);
    expect(bookings.violations).toEqual([]);
    expect(stack.api.serverErrors()).toEqual([]);
  });
});
