/**
 * `npm run demo`: posts every examples/*.json to the running local stack (`npm start`), waits for each journey to
 * leave RUNNING (bounded) and prints one line per example. PORT and DEMO_API_KEY as for `npm start`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEMO_CLINIC_ID } from '#local/seed/demo-clinic.ts';
import { readPersistedDemoApiKey } from './demo-key.ts';

const EXAMPLES_DIR = resolve(import.meta.dirname, '..', 'examples');
const POLL_INTERVAL_MS = 250;
/** Retries back off for a few seconds each (clearinghouse-retry, payment-retry): allow for them. */
const POLL_LIMIT_MS = 60_000;

interface JourneyView {
  status: string;
  stages: Array<{ name: string; status: string; reason?: string }>;
  appointment: { start: string; provider: string; location: { name: string } } | null;
  amounts: { currency: string; dueCents?: number; paidCents?: number };
}

const apiUrl = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const apiKey = process.env.DEMO_API_KEY ?? readPersistedDemoApiKey();
if (!apiKey) {
  console.error('No demo API key: start the stack with `npm start` first (or set DEMO_API_KEY).');
  process.exit(1);
}
const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };

const files = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

async function submit(file: string): Promise<{ name: string; journeyId?: string; problem?: string }> {
  const name = basename(file, '.json');
  try {
    const response = await fetch(`${apiUrl}/v1/clinics/${DEMO_CLINIC_ID}/intake-submissions`, {
      method: 'POST',
      headers,
      body: readFileSync(resolve(EXAMPLES_DIR, file), 'utf8'),
    });
    const body = (await response.json()) as { journeyId?: string; message?: string };
    if (response.status !== 202 || !body.journeyId) return { name, problem: `HTTP ${response.status} ${JSON.stringify(body)}` };
    return { name, journeyId: body.journeyId };
  } catch (error) {
    return { name, problem: `cannot reach ${apiUrl} (${(error as Error).message}); is \`npm start\` running?` };
  }
}

async function settle(journeyId: string): Promise<JourneyView> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  for (;;) {
    const response = await fetch(`${apiUrl}/v1/clinics/${DEMO_CLINIC_ID}/journeys/${journeyId}`, { headers });
    const view = (await response.json()) as JourneyView;
    if (view.status !== 'RUNNING' || Date.now() > deadline) return view;
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

const money = (cents: number | undefined) => (cents === undefined ? '-' : `$${(cents / 100).toFixed(2)}`);

function describe(view: JourneyView): string {
  const stages = view.stages.map((s) => `${s.name.toLowerCase()}:${s.status.toLowerCase()}`).join(' ');
  const appointment = view.appointment
    ? `${view.appointment.start} ${view.appointment.provider} @ ${view.appointment.location.name}`
    : 'no appointment';
  const waiting = view.stages.find((s) => s.status === 'WAITING_FOR_STAFF' && s.reason);
  return [
    view.status,
    stages,
    appointment,
    `due ${money(view.amounts.dueCents)} paid ${money(view.amounts.paidCents)}`,
    ...(waiting ? [`staff: ${waiting.reason}`] : []),
  ].join(' | ');
}

const submitted = [];
for (const file of files) submitted.push(await submit(file));
const width = Math.max(...submitted.map((s) => s.name.length));
const lines = await Promise.all(
  submitted.map(
    async (s) => `${s.name.padEnd(width)} → ${s.journeyId ? describe(await settle(s.journeyId)) : `not submitted: ${s.problem}`}`,
  ),
);
for (const line of lines) console.log(line);
process.exit(submitted.some((s) => !s.journeyId) ? 1 : 0);
