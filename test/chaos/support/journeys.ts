import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JourneyView } from '#functions/journey/journey-view.ts';
import type { ChaosApi } from './api.ts';

export type ExampleName =
  | 'completes'
  | 'inactive-coverage'
  | 'member-not-found'
  | 'no-payment-method'
  | 'no-slot'
  | 'payment-declined'
  | 'payment-retry'
  | 'clearinghouse-retry';

/** The fields of an example submission the suite changes; the rest travels as it is. */
export interface SubmissionBody {
  patient: { firstName: string; lastName: string; birthDate: string; [field: string]: unknown };
  contact: { email: string; [field: string]: unknown };
  insurance: { memberId: string; [field: string]: unknown };
  visit: { appointmentTypeCode: string; preferences: Record<string, unknown>; [field: string]: unknown };
  paymentMethodToken?: string;
  [field: string]: unknown;
}

const EXAMPLES_DIR = resolve(import.meta.dirname, '..', '..', '..', 'examples');
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A name made of letters only (names refuse digits), distinct per number. */
function letters(n: number, width = 4): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = LETTERS[n % 26] + out;
    n = Math.floor(n / 26);
  }
  return out;
}

/** Distinct per test run too, so two runs against one data directory never share a patient. */
const RUN = randomBytes(4).readUInt32BE(0);

/**
 * An examples/<name>.json submission made distinct: its own patient (name, birth date, email), so its body hash — the
 * submission's idempotency key — is its own and it starts its own journey. `n` numbers it within the scenario.
 */
export function distinctSubmission(name: ExampleName, n: number, patch: (body: SubmissionBody) => void = () => undefined): SubmissionBody {
  const body = JSON.parse(readFileSync(resolve(EXAMPLES_DIR, `${name}.json`), 'utf8')) as SubmissionBody;
  const tag = letters(RUN + n * 7919, 6);
  body.patient.firstName = `Chaos ${tag.charAt(0).toUpperCase()}${tag.slice(1)}`;
  body.patient.lastName = `Tester ${letters(n)}`;
  const day = 1 + (n % 28);
  const month = 1 + (Math.floor(n / 28) % 12);
  body.patient.birthDate = `19${50 + (Math.floor(n / 336) % 50)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  body.contact.email = `chaos.${tag}.${n}@example.com`;
  patch(body);
  return body;
}

export const FINAL = ['COMPLETED', 'CANCELLED', 'FAILED'] as const;
/** A journey has settled when it has ended or waits for a person: nothing more happens without one. */
export const isSettled = (view: JourneyView | undefined) => !!view && view.status !== 'RUNNING';

export interface PollOptions {
  /** Bound on the whole wait (default 120 s). */
  timeoutMs?: number;
  /** Pause between rounds (default 250 ms). */
  intervalMs?: number;
  /** Concurrent GETs per round (default 8), so polling a load does not become the load. */
  concurrency?: number;
  /** What counts as done (default: not RUNNING). */
  done?: (view: JourneyView) => boolean;
}

/**
 * Polls GET /journeys/{id} for every journey until each is done or the bound passes; returns the last view of each
 * (a journey still not done at the bound is returned as it was: the caller's assertions report it). The GETs are part
 * of the recorded exchanges (a 5xx here fails the scenario like any other).
 */
export async function pollJourneys(
  api: ChaosApi,
  journeyIds: readonly string[],
  options: PollOptions = {},
): Promise<Map<string, JourneyView>> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const done = options.done ?? ((view: JourneyView) => view.status !== 'RUNNING');
  const concurrency = options.concurrency ?? 8;
  const views = new Map<string, JourneyView>();
  let open = [...journeyIds];
  while (open.length > 0) {
    const still: string[] = [];
    for (let i = 0; i < open.length; i += concurrency) {
      const batch = open.slice(i, i + concurrency);
      await Promise.all(
        batch.map(async (journeyId) => {
          const answer = await api.journey(journeyId);
          if (answer.status === 200 && answer.body) views.set(journeyId, answer.body);
          const view = views.get(journeyId);
          if (!view || !done(view)) still.push(journeyId);
        }),
      );
    }
    open = still;
    if (open.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  return views;
}

export async function pollJourney(api: ChaosApi, journeyId: string, options: PollOptions = {}): Promise<JourneyView> {
  const view = (await pollJourneys(api, [journeyId], options)).get(journeyId);
  if (!view) throw new Error(`Journey ${journeyId} never answered 200`);
  return view;
}

/** The stage that waits for staff, and its task, as the journey view shows them. */
export function waitingStage(view: JourneyView): { name: string; staffTaskId?: string; reason?: string } | undefined {
  return view.stages.find((s) => s.status === 'WAITING_FOR_STAFF');
}

/** Waits (bounded, polling) for a condition the test cannot be told about; returns its last value. */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** One line per journey for failure messages and reports: ID, status, the stage that waits and why. */
export function describeJourney(journeyId: string, view: JourneyView | undefined): string {
  if (!view) return `${journeyId}: no view`;
  const stages = view.stages.map((s) => `${s.name}:${s.status}${s.staffTaskId ? `(${s.staffTaskId})` : ''}`).join(' ');
  const waiting = waitingStage(view);
  return `${journeyId}: ${view.status} | ${stages}${waiting?.reason ? ` | ${waiting.reason}` : ''} | paid ${view.amounts.paidCents ?? '-'}`;
}

/** Counts by a key, for printing. */
export function tally<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
