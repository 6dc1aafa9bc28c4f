import { installClockSource } from '#contract/clock.ts';

/**
 * The local cloud's clock: the system's time plus an offset that only moves forward, shared by the local cloud's own
 * thread and every execution environment (worker threads, through a SharedArrayBuffer), so advancing it moves time for
 * the handlers, the local scheduler and the tests at once.
 */
export class LocalClock {
  readonly buffer = new SharedArrayBuffer(8);
  private readonly offset = new BigInt64Array(this.buffer);

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  get offsetMs(): number {
    return Number(Atomics.load(this.offset, 0));
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`The local clock moves forward only (asked ${ms} ms)`);
    Atomics.add(this.offset, 0, BigInt(Math.round(ms)));
  }
}

/** The clock source of a thread that shares `buffer` (an execution environment). */
export function clockSourceOf(buffer: SharedArrayBuffer): () => number {
  const offset = new BigInt64Array(buffer);
  return () => Date.now() + Number(Atomics.load(offset, 0));
}

/** The process's local clock: the local cloud makes its own thread (installLocalClock) and every environment read it. */
export const localClock = new LocalClock();

/** This thread reads the local clock from now on (the local cloud's thread: its scheduler and in-process code). */
export function installLocalClock(): void {
  installClockSource(clockSourceOf(localClock.buffer));
}
