/**
 * The one clock of the product's code: every function, schema and store reads the time here (through the handlers'
 * `now` deps, which default to it). Deployed, it is the system's clock. The local cloud installs an advanceable source
 * in each execution environment (local/clock.ts), so schedules and escalations are tested by moving its time instead of
 * waiting.
 */
const SOURCE = Symbol.for('patient-access.clock');

type ClockSource = () => number;
type WithClock = typeof globalThis & { [SOURCE]?: ClockSource };

export function clockNow(): Date {
  const source = (globalThis as WithClock)[SOURCE];
  return new Date(source ? source() : Date.now());
}

/** Replaces this thread's clock source (epoch milliseconds). Only the local cloud does this. */
export function installClockSource(source: ClockSource): void {
  (globalThis as WithClock)[SOURCE] = source;
}
