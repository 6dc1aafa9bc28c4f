import type { Weekday } from 'rrule';
import * as rrule from 'rrule';
import type { DayOfWeek } from './patient-records.ts';

/**
 * A plan of care's recurrence (e.g. "twice a week, Tuesday and Thursday, 12 visits"), as the local dates it falls on.
 * The rule is evaluated on dates only, in rrule's "floating" UTC convention (a date's midnight as a UTC instant), so no
 * time zone or DST change can move a visit to another day; the time of day is the slot search's business, in the
 * location's zone. Pure: no AWS.
 */
export interface Recurrence {
  frequency: 'WEEKLY';
  /** Every `interval` weeks (1: every week). */
  interval?: number;
  byDay: DayOfWeek[];
  /** How many visits; or `until`. */
  count?: number;
  /** YYYY-MM-DD: the last date a visit may fall on. */
  until?: string;
}

/**
 * rrule ships CommonJS as `main` and ESM without a default export as `module`: Node's ESM loader (the local cloud) sees
 * only `default`, bundlers and vitest the named exports.
 */
const { RRule } = ((rrule as unknown as { default?: typeof rrule }).default ?? rrule) as typeof rrule;

const WEEKDAYS: Record<DayOfWeek, Weekday> = {
  MON: RRule.MO,
  TUE: RRule.TU,
  WED: RRule.WE,
  THU: RRule.TH,
  FRI: RRule.FR,
  SAT: RRule.SA,
  SUN: RRule.SU,
};

/** The most visits one series may hold (a year of twice-weekly visits). */
export const MAX_SERIES_VISITS = 104;

/** The local dates (YYYY-MM-DD) a recurrence falls on, from `startDate` on, at most MAX_SERIES_VISITS. */
export function recurrenceDates(recurrence: Recurrence, startDate: string): string[] {
  const floating = (date: string) => new Date(`${date}T00:00:00.000Z`);
  const rule = new RRule({
    freq: RRule.WEEKLY,
    interval: recurrence.interval ?? 1,
    byweekday: recurrence.byDay.map((day) => WEEKDAYS[day]),
    dtstart: floating(startDate),
    ...(recurrence.count ? { count: Math.min(recurrence.count, MAX_SERIES_VISITS) } : {}),
    ...(recurrence.until ? { until: floating(recurrence.until) } : {}),
  });
  return rule.all((_, i) => i < MAX_SERIES_VISITS).map((date) => date.toISOString().slice(0, 10));
}
