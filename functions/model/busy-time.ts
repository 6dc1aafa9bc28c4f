/** Busy time: what a resource is booked for, in the granules a booking locks on its busy days (keys.busyDay). Pure. */

/** Busy time is tracked (and locked, see keys.busyDay) in granules of this many minutes, aligned to the epoch. */
export const GRANULE_MINUTES = 5;
const GRANULE_MS = GRANULE_MINUTES * 60_000;

/** Half-open [start, end). */
export interface Interval {
  start: Date;
  end: Date;
}

/** Every granule that [start, end) touches: what a booking must lock. */
export function granuleStarts(interval: Interval): Date[] {
  const starts: Date[] = [];
  for (let at = Math.floor(interval.start.getTime() / GRANULE_MS) * GRANULE_MS; at < interval.end.getTime(); at += GRANULE_MS) {
    starts.push(new Date(at));
  }
  return starts;
}

/**
 * What each resource is busy with, as a set of granules. Mutable on purpose: when a booking attempt loses a granule
 * to someone else, the caller marks it here and the running `findSlots` generator skips every candidate using it.
 */
export class BusyCalendar {
  readonly #granules = new Map<string, Set<number>>();

  /** Builds a calendar from busy intervals per resource ID. */
  static fromIntervals(busy: Record<string, Interval[]> = {}): BusyCalendar {
    const calendar = new BusyCalendar();
    for (const [resourceId, intervals] of Object.entries(busy)) {
      for (const interval of intervals) calendar.markBusy(resourceId, interval);
    }
    return calendar;
  }

  markBusy(resourceId: string, interval: Interval): void {
    this.markBusyBetween(resourceId, interval.start.getTime(), interval.end.getTime());
  }

  /** markBusy over [startMs, endMs) in epoch milliseconds. */
  markBusyBetween(resourceId: string, startMs: number, endMs: number): void {
    let set = this.#granules.get(resourceId);
    if (!set) {
      set = new Set();
      this.#granules.set(resourceId, set);
    }
    for (let at = Math.floor(startMs / GRANULE_MS) * GRANULE_MS; at < endMs; at += GRANULE_MS) set.add(at);
  }

  /** Frees [startMs, endMs): an appointment being moved gives its own time back in the same write that takes the new. */
  markFreeBetween(resourceId: string, startMs: number, endMs: number): void {
    const set = this.#granules.get(resourceId);
    if (!set) return;
    for (let at = Math.floor(startMs / GRANULE_MS) * GRANULE_MS; at < endMs; at += GRANULE_MS) set.delete(at);
  }

  /** The starts of the resource's busy granules, in order (epoch milliseconds). */
  busyStarts(resourceId: string): number[] {
    return [...(this.#granules.get(resourceId) ?? [])].sort((a, b) => a - b);
  }

  isFree(resourceId: string, interval: Interval): boolean {
    return this.isFreeBetween(resourceId, interval.start.getTime(), interval.end.getTime());
  }

  /** isFree over [startMs, endMs) in epoch milliseconds: the search's inner loop, so it allocates nothing. */
  isFreeBetween(resourceId: string, startMs: number, endMs: number): boolean {
    const set = this.#granules.get(resourceId);
    if (!set) return true;
    for (let at = Math.floor(startMs / GRANULE_MS) * GRANULE_MS; at < endMs; at += GRANULE_MS) if (set.has(at)) return false;
    return true;
  }
}
