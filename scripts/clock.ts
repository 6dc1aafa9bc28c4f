/**
 * `npm run clock -- <duration>` (e.g. `90m`, `2h`, `1d`): moves the running local stack's clock forward, which every
 * handler reads, and runs the schedules that come due (overdue task escalations), printing the new time. The clock
 * starts at the real time on each `npm start` and only moves forward.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DATA_DIR } from '#local/demo-key.ts';
import { CLOCK_PATH, SCHEDULER_FILE } from '#local/scheduler.ts';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(process.argv[2] ?? '');
if (!match?.[1] || !match[2]) {
  console.error('Usage: npm run clock -- <duration>   e.g. 90m, 2h, 1d');
  process.exit(2);
}
const file = join(LOCAL_DATA_DIR, SCHEDULER_FILE);
if (!existsSync(file)) {
  console.error('No local stack found: start it first (npm start).');
  process.exit(1);
}
const { endpoint } = JSON.parse(readFileSync(file, 'utf8')) as { endpoint: string };
try {
  const response = await fetch(`${endpoint}${CLOCK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs: Number(match[1]) * (UNITS[match[2]] ?? 0) }),
  });
  const result = (await response.json()) as { now: string; fired: number };
  console.log(`Local clock: ${result.now} (${result.fired} schedule(s) ran)`);
} catch (error) {
  console.error(`Could not reach the local stack: ${(error as Error).message} (is npm start running?)`);
  process.exit(1);
}
