import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyView } from '#functions/journey/journey-view.ts';
import { dynamoStaffTaskStore } from '#shared/staff-task-store.ts';
import type { ApiAnswer, StaffAction } from '#test/chaos/support/api.ts';
import { type ChaosStack, startChaosStack } from '#test/chaos/support/cloud.ts';
import { checkBookings, checkCharges, runningWithoutExecution, scanTable } from '#test/chaos/support/invariants.ts';
import { describeJourney, distinctSubmission, pollJourneys, waitingStage } from '#test/chaos/support/journeys.ts';

/**
 * (a) Staff press the same button many times at once, and sometimes two people press different ones. Ten journeys
 * parked at eligibility (inactive coverage); on each, 12 identical decisions at once (PROCEED on half, CANCEL on the
 * other half) plus one different decision racing them. Whatever wins, every request carrying the winning decision
 * answers 200, every other one 409, the journey ends as the winner decided, and nothing answers 5xx.
 */
const JOURNEYS = 10;
const IDENTICAL = 12;
const ENDS_AS: Record<string, string> = { PROCEED: 'COMPLETED', CANCEL: 'CANCELLED' };

let stack: ChaosStack;
const parked: Array<{ journeyId: string; taskId: string; action: StaffAction; racer: StaffAction }> = [];

beforeAll(async () => {
  stack = await startChaosStack();
  const journeyIds = await Promise.all(
    Array.from({ length: JOURNEYS }, (_, n) => stack.api.submitOk(distinctSubmission('inactive-coverage', n))),
  );
  const views = await pollJourneys(stack.api, journeyIds, { timeoutMs: 60_000 });
  for (const [n, journeyId] of journeyIds.entries()) {
    const taskId = waitingStage(views.get(journeyId) as JourneyView)?.staffTaskId;
    if (!taskId) throw new Error(`Journey did not park for staff: ${describeJourney(journeyId, views.get(journeyId))}`);
    const action: StaffAction = n % 2 === 0 ? 'PROCEED' : 'CANCEL';
    parked.push({ journeyId, taskId, action, racer: action === 'PROCEED' ? 'CANCEL' : 'PROCEED' });
  }
});

afterAll(async () => {
  await stack?.dispose();
});

describe('Chaos (a): concurrent staff decisions', () => {
  it('answers every copy of the winning decision 200 and the racing one 409, and each journey ends as decided', async () => {
    // act: every decision on every journey at once
    const sent = await Promise.all(
      parked.flatMap((p) => [
        ...Array.from({ length: IDENTICAL }, () =>
          stack.api.decide(p.taskId, p.action).then((a) => ({ ...p, sentAction: p.action, answer: a })),
        ),
        stack.api.decide(p.taskId, p.racer).then((a) => ({ ...p, sentAction: p.racer, answer: a })),
      ]),
    );
    const views = await pollJourneys(
      stack.api,
      parked.map((p) => p.journeyId),
      { timeoutMs: 60_000 },
    );

    // assess
    const problems: string[] = [];
    for (const p of parked) {
      const task = await dynamoStaffTaskStore(stack.cloud.table).get(stack.cloud.clinicId, p.taskId);
      const winner = task?.decision?.action;
      const answers = sent.filter((s) => s.journeyId === p.journeyId);
      const wrong = answers.filter((s) => s.answer.status !== (s.sentAction === winner ? 200 : 409));
      if (!winner) problems.push(`${p.journeyId}: task ${p.taskId} records no decision (${task?.status})`);
      if (wrong.length > 0) {
        problems.push(
          `${p.journeyId}: winner ${winner}; ${wrong.map((s) => `${s.sentAction}→${s.answer.status} ${statusText(s.answer)}`).join(', ')}`,
        );
      }
      const view = views.get(p.journeyId);
      if (winner && view?.status !== ENDS_AS[winner]) problems.push(`${describeJourney(p.journeyId, view)} (decided ${winner})`);
    }
    expect(problems).toEqual([]);
    expect(stack.api.serverErrors()).toEqual([]);
  });

  it('answers a different decision after the fact 409 and a repeat of the same one 200, changing nothing', async () => {
    // act
    const late = await Promise.all(
      parked.map(async (p) => {
        const task = await dynamoStaffTaskStore(stack.cloud.table).get(stack.cloud.clinicId, p.taskId);
        const winner = task?.decision?.action as StaffAction;
        const other: StaffAction = winner === 'PROCEED' ? 'CANCEL' : 'PROCEED';
        return { p, winner, same: await stack.api.decide(p.taskId, winner), different: await stack.api.decide(p.taskId, other) };
      }),
    );
    const views = await pollJourneys(
      stack.api,
      parked.map((p) => p.journeyId),
    );

    // assess
    const problems = late.flatMap(({ p, winner, same, different }) => [
      ...(same.status === 200 ? [] : [`${p.journeyId}: repeated ${winner} → ${same.status} ${statusText(same)}`]),
      ...(different.status === 409 ? [] : [`${p.journeyId}: late different decision → ${different.status} ${statusText(different)}`]),
      ...(views.get(p.journeyId)?.status === ENDS_AS[winner]
        ? []
        : [`${describeJourney(p.journeyId, views.get(p.journeyId))} after late decisions`]),
    ]);
    expect(problems).toEqual([]);
    expect(stack.api.serverErrors()).toEqual([]);
  });

  it('leaves the system consistent: no journey RUNNING without an execution, no double booking, no charge', async () => {
    // act
    const views = await pollJourneys(
      stack.api,
      parked.map((p) => p.journeyId),
    );
    const bookings = checkBookings(await scanTable(stack.cloud.table));
    const charges = checkCharges(stack.cloud.payments);

    // assess
    expect(runningWithoutExecution(stack.cloud, views)).toEqual([]);
    expect(bookings.violations).toEqual([]);
    for (const p of parked) {
      const appointments = bookings.appointmentsByJourney.get(p.journeyId) ?? [];
      const winner = (await dynamoStaffTaskStore(stack.cloud.table).get(stack.cloud.clinicId, p.taskId))?.decision?.action;
      // A cancelled journey never reached booking; a completed one holds exactly one BOOKED appointment.
      expect(
        appointments.filter((a) => a.status === 'BOOKED'),
        p.journeyId,
      ).toHaveLength(winner === 'PROCEED' ? 1 : 0);
    }
    expect(charges.violations).toEqual([]);
  });
});

function statusText(answer: ApiAnswer): string {
  return answer.text.slice(0, 160);
}
