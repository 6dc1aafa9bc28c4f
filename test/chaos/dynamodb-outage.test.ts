import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyView } from '#functions/journey/journey-view.ts';
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
import { describeJourney, distinctSubmission, pollJourneys, tally, waitingStage, waitUntil } from '#test/chaos/support/journeys.ts';

/**
 * (d) DynamoDB Local is killed (SIGKILL, as a crash) while 20 journeys run, stays down until the outage has outlasted
 * at least one execution's whole retry budget, and comes back on the same port with the same data. Every journey then
 * ends COMPLETED or waits for staff with a task a person can decide — and one decision (RETRY) resumes the journey to
 * its end, even where the execution stopped in HoldForStaff (the redriven hold carries out that RETRY at the run's
 * checkpoint). None is left RUNNING without a running execution; no card is charged twice, no slot booked twice.
 */
const JOURNEYS = 20;
/** Rounds of decisions tried: one must do; a second only shows what a journey that parked again needed. */
const MAX_DECISION_ROUNDS = 2;

let stack: ChaosStack;
let journeyIds: string[] = [];
const figures: Record<string, unknown> = {};
let settled = new Map<string, JourneyView>();

beforeAll(async () => {
  stack = await startChaosStack();
});

afterAll(async () => {
  console.log(`[chaos dynamodb-outage] ${JSON.stringify(figures)}`);
  await stack?.dispose();
});

/**
 * Whether the journey's execution has called a stage's task. Calls count as they happen; the states of a run of
 * JourneyStages show in enteredStates() only once RunStages has ended, too late to catch journeys mid-way.
 */
const reached = (journeyId: string, task: string) => {
  try {
    return stack.cloud.sfn.callCount(executionArnOf(stack.cloud, journeyId), task) > 0;
  } catch {
    return false;
  }
};

describe('Chaos (d): DynamoDB Local killed during 20 journeys, then restarted', () => {
  it('takes the submissions, loses DynamoDB mid-way, and gets it back with its data', async () => {
    // prepare
    journeyIds = await Promise.all(
      Array.from({ length: JOURNEYS }, (_, n) =>
        stack.api.submitOk(
          distinctSubmission('completes', n, (body) => {
            body.visit.preferences = { ...body.visit.preferences, locationId: n % 2 ? 'denver-union-station' : 'boston-back-bay' };
          }),
        ),
      ),
    );
    // Journeys at different stages when it goes: some booking or paying, others still screening.
    await waitUntil(
      'a few journeys have reached payment',
      () => journeyIds.filter((id) => reached(id, 'CollectPayment')).length >= 2,
      90_000,
    );
    figures.stagesAtKill = tally(
      journeyIds,
      (id) =>
        ['SendConfirmation', 'CollectPayment', 'BookAppointment', 'VerifyEligibility', 'ScreenIntake'].find((s) => reached(id, s)) ??
        'not started',
    );

    // act
    await stack.cloud.dynamodbLocal.kill();
    const downAt = Date.now();
    // Down until at least one execution has run out of retries (its whole back-off spanned the outage).
    await waitUntil(
      'an execution has failed for want of DynamoDB',
      () => stack.cloud.sfn.listExecutions({ statusFilter: 'FAILED' }).length > 0,
      120_000,
      100,
    );
    figures.failedWhileDown = stack.cloud.sfn.listExecutions({ statusFilter: 'FAILED' }).length;
    await stack.cloud.dynamodbLocal.restart();
    figures.outageMs = Date.now() - downAt;

    // assess
    expect(stack.cloud.dynamodbLocal.running).toBe(true);
    const first = await stack.api.journey(journeyIds[0] as string);
    expect(first.status).toBe(200);
  });

  it('settles every journey: COMPLETED, or waiting for staff with a task that can be decided', async () => {
    // act
    const started = Date.now();
    settled = await pollJourneys(stack.api, journeyIds, { timeoutMs: 180_000, intervalMs: 300 });
    await stack.cloud.sfn.awaitEventsDelivered(60_000).catch(() => undefined);
    settled = await pollJourneys(stack.api, journeyIds);
    figures.settleAfterRestartMs = Date.now() - started;
    figures.outcomes = tally([...settled.values()], (v) =>
      v.status === 'WAITING_FOR_STAFF' ? `WAITING_FOR_STAFF at ${waitingStage(v)?.name}` : v.status,
    );
    figures.executions = tally(stack.cloud.sfn.listExecutions(), (e) => e.status);
    figures.deadLetters = stack.cloud.sfn.deadLetters().length;
    // RunStages catches every way a run of the stages ends badly: an execution can fail only where it holds for staff.
    const failedIn = stack.cloud.sfn
      .listExecutions({ statusFilter: 'FAILED' })
      .map((e) => ({ name: e.name, state: stack.cloud.sfn.enteredStates(e.executionArn).at(-1) }));
    figures.failedIn = tally(failedIn, (f) => f.state ?? 'nowhere');

    // assess
    const problems: string[] = [];
    for (const id of journeyIds) {
      const view = settled.get(id);
      if (view?.status === 'COMPLETED') continue;
      if (view?.status !== 'WAITING_FOR_STAFF') {
        problems.push(`${describeJourney(id, view)} (execution ${safeStatus(id)})`);
        continue;
      }
      const decidable = await decidableTask(stack.cloud, id, view);
      if (decidable.problem) problems.push(`${describeJourney(id, view)} → ${decidable.problem}`);
    }
    expect(problems).toEqual([]);
    expect(failedIn.filter((f) => f.state !== 'HoldForStaff')).toEqual([]);
    expect(runningWithoutExecution(stack.cloud, settled)).toEqual([]);
    expect(stack.cloud.sfn.deadLetters()).toEqual([]);
  });

  it('resumes every journey waiting for staff when staff decide RETRY, and each one then reaches COMPLETED', async () => {
    // act: RETRY whatever task a journey waits on, until it completes (bounded: a journey never completable fails here)
    const decisions: Record<string, number> = {};
    const refused: string[] = [];
    const stuck: string[] = [];
    let views = settled;
    for (let round = 1; round <= MAX_DECISION_ROUNDS; round++) {
      const waiting = journeyIds.filter((id) => views.get(id)?.status === 'WAITING_FOR_STAFF');
      if (waiting.length === 0) break;
      const decided = await Promise.all(
        waiting.map(async (id) => {
          const taskId = waitingStage(views.get(id) as JourneyView)?.staffTaskId as string;
          const answer = await stack.api.decide(taskId, 'RETRY');
          decisions[id] = (decisions[id] ?? 0) + 1;
          if (answer.status !== 200) refused.push(`${id} round ${round}: ${answer.status} ${answer.text}`);
          return { id, taskId };
        }),
      );
      // Resumed: the journey no longer waits on the task just decided (it ran on, and ended or parked anew).
      const moved = new Map(decided.map((d) => [d.id, d.taskId]));
      views = await pollJourneys(stack.api, journeyIds, {
        timeoutMs: 120_000,
        done: (view) => view.status !== 'RUNNING' && waitingStage(view)?.staffTaskId !== moved.get(view.journeyId),
      });
      for (const { id, taskId } of decided)
        if (waitingStage(views.get(id) as JourneyView)?.staffTaskId === taskId) stuck.push(`${id}: still waits on ${taskId}`);
      if (stuck.length > 0 || refused.length > 0) break;
    }
    figures.decisionsPerJourney = tally(Object.values(decisions), String);

    // assess
    expect(refused).toEqual([]);
    expect(stuck).toEqual([]);
    expect(Object.entries(decisions).filter(([, n]) => n > 1)).toEqual([]);
    expect(journeyIds.filter((id) => views.get(id)?.status !== 'COMPLETED').map((id) => describeJourney(id, views.get(id)))).toEqual([]);
    settled = views;
  });

  it('charged no card twice, booked no slot twice, and answered no request with 5xx', async () => {
    // act
    const charges = checkCharges(stack.cloud.payments);
    const bookings = checkBookings(await scanTable(stack.cloud.table));

    // assess
    expect(charges.violations).toEqual([]);
    expect(paidMismatches(settled, charges)).toEqual([]);
    expect(bookings.violations).toEqual([]);
    expect(journeyIds.filter((id) => bookings.appointmentsByJourney.get(id)?.filter((a) => a.status === 'BOOKED').length !== 1)).toEqual(
      [],
    );
    expect(stack.api.serverErrors()).toEqual([]);
  });
});

function safeStatus(journeyId: string): string {
  try {
    return stack.cloud.sfn.describeExecution(executionArnOf(stack.cloud, journeyId)).status;
  } catch {
    return 'none';
  }
}
