import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultProxy, FaultRule } from '#local/fault-proxy.ts';
import type { StaffAction } from '#test/chaos/support/api.ts';
import { type ChaosStack, startChaosStack } from '#test/chaos/support/cloud.ts';
import { checkBookings, checkCharges, runningWithoutExecution, scanTable, sentEmails } from '#test/chaos/support/invariants.ts';
import {
  describeJourney,
  distinctSubmission,
  pollJourney,
  pollJourneys,
  type SubmissionBody,
  waitingStage,
} from '#test/chaos/support/journeys.ts';

/**
 * (b) The processor charges the card but its answer never reaches us (a reset, or a 502 from something in between).
 * Whatever happens next — the workflow's own retry, or the journey parked at PAYMENT (lookups failing too) and then
 * staff's PROCEED, or RETRY at once, or RETRY a day later when the processor has forgotten the idempotency key —
 * the ledger holds exactly one charge, the journey shows it paid, and the patient is never asked to pay.
 */
const CHARGE = { method: 'POST', path: '/v1/payment_intents' } as const;
const LOOKUPS = { method: 'GET', path: /^\/v1\/payment_intents/ } as const;

let stack: ChaosStack;
let proxy: FaultProxy;

interface Case {
  name: string;
  body: SubmissionBody;
  journeyId: string;
  /** What staff decide once it is parked; none: the workflow's retry must settle it alone. */
  action?: StaffAction;
  /** Staff decide after the processor forgot every idempotency key (Stripe: 24 h). */
  afterKeysForgotten?: boolean;
}
const cases: Case[] = [];

/** The first lookup passes (nothing to find yet), the charge goes through and its answer is lost, then every lookup fails. */
const lostAnswerThenLookupsDown = (dropAs: 'reset' | '502'): FaultRule[] => [
  { ...LOOKUPS, mode: 'pass', times: 1 },
  { ...CHARGE, mode: 'drop-response', dropAs },
  { ...LOOKUPS, mode: 'unavailable' },
];

beforeAll(async () => {
  stack = await startChaosStack({ faultProxies: { payments: true } });
  proxy = stack.cloud.faults.payments as FaultProxy;

  // One journey at a time: the proxy's rules are global, and each case needs them from its first request.
  const setups: Array<Omit<Case, 'body' | 'journeyId'> & { rules: FaultRule[] }> = [
    { name: 'answer lost once, the workflow retries', rules: [{ ...CHARGE, mode: 'drop-response', times: 1 }] },
    { name: 'parked, then PROCEED', rules: lostAnswerThenLookupsDown('reset'), action: 'PROCEED' },
    { name: 'parked, then RETRY at once', rules: lostAnswerThenLookupsDown('502'), action: 'RETRY' },
    {
      name: 'parked, then RETRY after the keys expired',
      rules: lostAnswerThenLookupsDown('reset'),
      action: 'RETRY',
      afterKeysForgotten: true,
    },
    {
      name: 'parked, then PROCEED after the keys expired',
      rules: lostAnswerThenLookupsDown('502'),
      action: 'PROCEED',
      afterKeysForgotten: true,
    },
  ];
  for (const [n, setup] of setups.entries()) {
    await proxy.set(setup.rules);
    const body = distinctSubmission('completes', n);
    const journeyId = await stack.api.submitOk(body);
    const view = await pollJourney(stack.api, journeyId, { timeoutMs: 60_000 });
    const expected = setup.action ? 'WAITING_FOR_STAFF' : 'COMPLETED';
    if (view.status !== expected || (setup.action && waitingStage(view)?.name !== 'PAYMENT')) {
      throw new Error(`${setup.name}: expected ${expected}${setup.action ? ' at PAYMENT' : ''}: ${describeJourney(journeyId, view)}`);
    }
    cases.push({ ...setup, body, journeyId });
  }
  await proxy.pass();
});

afterAll(async () => {
  await stack?.dispose();
});

describe('Chaos (b): a charge whose answer was lost', () => {
  it('sent each charge once and lost its answer (the setup did what it says)', () => {
    // assess
    const dropped = proxy.requests().filter((r) => r.mode === 'drop-response');
    expect(dropped).toHaveLength(cases.length);
    expect(dropped.every((r) => r.upstreamStatus === 200)).toBe(true);
    expect(stack.cloud.payments.charges()).toHaveLength(cases.length);
  });

  it('resumes each parked journey as staff decide, and every journey ends COMPLETED', async () => {
    // act
    const now = cases.filter((c) => c.action && !c.afterKeysForgotten);
    const later = cases.filter((c) => c.action && c.afterKeysForgotten);
    const decided = [];
    for (const c of now) decided.push({ c, answer: await decide(c) });
    await pollJourneys(
      stack.api,
      now.map((c) => c.journeyId),
      { timeoutMs: 60_000 },
    );
    stack.cloud.payments.forgetIdempotencyKeys();
    for (const c of later) decided.push({ c, answer: await decide(c) });
    const views = await pollJourneys(
      stack.api,
      cases.map((c) => c.journeyId),
      { timeoutMs: 60_000 },
    );

    // assess
    expect(decided.filter((d) => d.answer.status !== 200).map((d) => `${d.c.name}: ${d.answer.status} ${d.answer.text}`)).toEqual([]);
    expect(
      cases
        .filter((c) => views.get(c.journeyId)?.status !== 'COMPLETED')
        .map((c) => `${c.name}: ${describeJourney(c.journeyId, views.get(c.journeyId))}`),
    ).toEqual([]);
  });

  it('holds exactly one charge per journey in the ledger, and each journey shows it paid', async () => {
    // act
    const charges = checkCharges(stack.cloud.payments);
    const views = await pollJourneys(
      stack.api,
      cases.map((c) => c.journeyId),
    );

    // assess
    const problems = cases.flatMap((c) => {
      const ledger = charges.chargesByJourney.get(c.journeyId) ?? [];
      const view = views.get(c.journeyId);
      return [
        ...(ledger.length === 1 ? [] : [`${c.name} (${c.journeyId}): ${ledger.length} charges in the ledger`]),
        ...(view?.amounts.paidCents === ledger[0]?.amount && view?.amounts.paidCents === view?.amounts.dueCents
          ? []
          : [
              `${c.name}: journey shows due ${view?.amounts.dueCents} paid ${view?.amounts.paidCents}, ledger ${ledger.map((l) => l.amount).join('+') || 'nothing'}`,
            ]),
      ];
    });
    expect(problems).toEqual([]);
    expect(charges.violations).toEqual([]);
  });

  it('never asks a patient who paid to pay, and confirms each appointment once', async () => {
    // act
    const emails = await sentEmails(stack.cloud);

    // assess
    const problems = cases.flatMap((c) => {
      const mine = emails.filter((e) => e.destination.to.some((to) => to.includes(c.body.contact.email)));
      const requests = mine.filter((e) => e.subject.startsWith('Payment due'));
      const confirmations = mine.filter((e) => e.subject.startsWith('Appointment confirmed'));
      return [
        ...(requests.length === 0
          ? []
          : [`${c.name} (${c.journeyId}): ${requests.length} payment request(s): ${requests.map((e) => e.subject).join('; ')}`]),
        ...(confirmations.length === 1 ? [] : [`${c.name} (${c.journeyId}): ${confirmations.length} confirmations`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('leaves no double booking, no journey RUNNING without an execution, and no 5xx', async () => {
    // act
    const views = await pollJourneys(
      stack.api,
      cases.map((c) => c.journeyId),
    );
    const bookings = checkBookings(await scanTable(stack.cloud.table));

    // assess
    expect(bookings.violations).toEqual([]);
    expect(runningWithoutExecution(stack.cloud, views)).toEqual([]);
    expect(stack.api.serverErrors()).toEqual([]);
  });
});

async function decide(c: Case) {
  const view = await pollJourney(stack.api, c.journeyId);
  const taskId = waitingStage(view)?.staffTaskId;
  if (!taskId || !c.action) throw new Error(`${c.name}: nothing to decide: ${describeJourney(c.journeyId, view)}`);
  return stack.api.decide(taskId, c.action);
}
