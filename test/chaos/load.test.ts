import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JourneyView } from '#functions/journey/journey-view.ts';
import { type ChaosStack, chaosProfile, startChaosStack } from '#test/chaos/support/cloud.ts';
import {
  checkBookings,
  checkCharges,
  decidableTask,
  paidMismatches,
  runningWithoutExecution,
  scanTable,
} from '#test/chaos/support/invariants.ts';
import {
  describeJourney,
  distinctSubmission,
  type ExampleName,
  pollJourneys,
  type SubmissionBody,
  tally,
  waitingStage,
} from '#test/chaos/support/journeys.ts';

/**
 * (f) Load: N distinct submissions at once (200 with `npm run chaos`, 30 in `npm test`), a front desk's mix — most
 * complete, some have inactive coverage (parked for staff), some cards decline, some have none — over two sites and
 * two visit types, all wanting the earliest slot. Every journey settles (COMPLETED, or WAITING_FOR_STAFF with a task a
 * person can decide and a reason), none stays RUNNING, no slot is booked twice, no card is charged twice, no request
 * answers 5xx. The figures are printed, not asserted.
 */
const { loadJourneys: N } = chaosProfile();
const SETTLE_BOUND_MS = Math.max(120_000, N * 2_000);

function mix(n: number): SubmissionBody {
  const kind: ExampleName =
    n % 10 === 8 ? 'inactive-coverage' : n % 20 === 9 ? 'payment-declined' : n % 20 === 19 ? 'no-payment-method' : 'completes';
  return distinctSubmission(kind, n, (body) => {
    body.visit.preferences = { ...body.visit.preferences, locationId: n % 2 === 0 ? 'boston-back-bay' : 'denver-union-station' };
    body.visit.appointmentTypeCode = n % 3 === 0 ? 'PRIMARY_CARE_FOLLOW_UP' : 'PRIMARY_CARE_NEW';
  });
}

let stack: ChaosStack;
const figures: Record<string, unknown> = {};
let views = new Map<string, JourneyView>();
let journeyIds: string[] = [];

beforeAll(async () => {
  stack = await startChaosStack();
});

afterAll(async () => {
  console.log(`[chaos load] ${JSON.stringify(figures)}`);
  await stack?.dispose();
});

describe(`Chaos (f): ${N} concurrent submissions`, () => {
  it('accepts every submission with 202', async () => {
    // act
    const started = Date.now();
    const bodies = Array.from({ length: N }, (_, n) => mix(n));
    const answers = await Promise.all(bodies.map((body) => stack.api.submit(body)));
    figures.journeys = N;
    figures.submitAllMs = Date.now() - started;
    figures.submitStatuses = tally(answers, (a) => String(a.status));
    // A client resubmits what was not accepted (same body: the same journey if one was created); so the journeys
    // behind a lost answer are settled and checked too. Bounded: one resubmission each, four at a time.
    const retried = [...answers.entries()].filter(([, a]) => a.status !== 202);
    for (let i = 0; i < retried.length; i += 4) {
      await Promise.all(
        retried.slice(i, i + 4).map(async ([n]) => {
          answers[n] = await stack.api.submit(bodies[n]);
        }),
      );
    }
    figures.resubmitStatuses = tally(retried, ([n]) => String(answers[n]?.status));
    journeyIds = answers.flatMap((a) => (a.body?.journeyId ? [a.body.journeyId] : []));

    // assess
    expect(figures.submitStatuses).toEqual({ 202: N });
    expect(new Set(journeyIds).size).toBe(N);
  });

  it('settles every journey: none RUNNING, each COMPLETED or waiting for staff with a decidable task and a reason', async () => {
    // act
    const started = Date.now();
    views = await pollJourneys(stack.api, journeyIds, { timeoutMs: SETTLE_BOUND_MS, intervalMs: 500 });
    figures.settleMs = Date.now() - started;
    figures.outcomes = tally([...views.values()], (v) =>
      v.status === 'WAITING_FOR_STAFF' ? `WAITING_FOR_STAFF at ${waitingStage(v)?.name}` : v.status,
    );
    figures.staffReasons = tally(
      [...views.values()].filter((v) => v.status === 'WAITING_FOR_STAFF'),
      (v) => waitingStage(v)?.reason ?? '(no reason)',
    );
    figures.paymentOutcomes = tally(
      [...views.values()],
      (v) =>
        v.stages.find((s) => s.name === 'PAYMENT')?.reason ??
        (v.amounts.paidCents ? 'paid' : (v.stages.find((s) => s.name === 'PAYMENT')?.status ?? '-')),
    );

    // assess
    const unsettled = journeyIds.filter((id) => !['COMPLETED', 'WAITING_FOR_STAFF'].includes(views.get(id)?.status ?? 'none'));
    const undecidable: string[] = [];
    for (const id of journeyIds) {
      const view = views.get(id);
      if (view?.status !== 'WAITING_FOR_STAFF') continue;
      const decidable = await decidableTask(stack.cloud, id, view);
      if (decidable.problem) undecidable.push(`${describeJourney(id, view)} → ${decidable.problem}`);
    }
    figures.unsettled = unsettled.length;
    figures.undecidable = undecidable.length;
    expect(unsettled.map((id) => describeJourney(id, views.get(id)))).toEqual([]);
    expect(undecidable).toEqual([]);
    expect(runningWithoutExecution(stack.cloud, views)).toEqual([]);
  });

  it('books no slot twice and at most one appointment per journey', async () => {
    // act
    const bookings = checkBookings(await scanTable(stack.cloud.table));
    figures.appointmentsBooked = [...bookings.appointmentsByJourney.values()].flat().filter((a) => a.status === 'BOOKED').length;

    // assess
    figures.doubleBookings = bookings.violations.length;
    expect(bookings.violations).toEqual([]);
    const completedWithout = journeyIds.filter(
      (id) => views.get(id)?.status === 'COMPLETED' && !bookings.appointmentsByJourney.get(id)?.length,
    );
    expect(completedWithout).toEqual([]);
  });

  it('charges no card twice, and each completed journey shows what the ledger holds', () => {
    // act
    const charges = checkCharges(stack.cloud.payments);
    figures.charges = stack.cloud.payments.charges().length;

    // assess
    figures.doubleCharges = charges.violations.length;
    expect(charges.violations).toEqual([]);
    expect(paidMismatches(views, charges)).toEqual([]);
  });

  it('answered no request with 5xx', () => {
    // assess
    figures.requests = stack.api.exchanges.length;
    figures.serverErrors = tally(
      stack.api.serverErrors(),
      (e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}|st-[0-9a-f]+/g, '{id}')} → ${e.status}`,
    );
    expect(stack.api.serverErrors()).toEqual([]);
  });
});
