import { DateTime, type Zone } from 'luxon';
import type { Resource } from '#model/clinic-catalog.ts';
import type { DayOfWeek } from '#model/patient-records.ts';

/**
 * Local days as epoch milliseconds, so the slot search can step candidates and check opening hours with arithmetic
 * and ask luxon (time-zone arithmetic, the costly part) once per day instead of once per candidate × resource. Pure.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Luxon's weekday is 1 (Monday) … 7 (Sunday). */
export const WEEKDAYS: readonly DayOfWeek[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

export interface LocalDay {
  /** The day's first instant (local midnight), as the search has always counted it: `startOf('day')`, then `plus({ days: 1 })`. */
  local: DateTime;
  start: number;
  /** The next day's first instant. */
  end: number;
  /** ISO date (yyyy-mm-dd) and weekday of the day. */
  date: string;
  weekday: DayOfWeek;
  /**
   * The wall clock reads `start` + elapsed time all day: the day starts at 00:00, lasts 24 hours and keeps one UTC
   * offset. False on a daylight-saving change (23 or 25 hours) or any other change of offset: there, whatever depends
   * on the wall clock is computed with luxon (see `openingWindows`, and the search's per-candidate fallback).
   */
  uniform: boolean;
}

/** The local days of `zone` that overlap [from, until), in order; luxon once per day. */
export function* localDays(zone: string, from: number, until: number): Generator<LocalDay> {
  for (let day = DateTime.fromMillis(from, { zone }).startOf('day'); day.toMillis() < until; ) {
    const next = day.plus({ days: 1 });
    yield localDay(day, next);
    day = next;
  }
}

function localDay(local: DateTime, next: DateTime): LocalDay {
  const start = local.toMillis();
  const end = next.toMillis();
  const midnight = local.hour === 0 && local.minute === 0 && local.second === 0 && local.millisecond === 0;
  const uniform = midnight && end - start === DAY_MS && local.offset === DateTime.fromMillis(end - 1, { zone: local.zone }).offset;
  return { local, start, end, date: local.toISODate() ?? '', weekday: WEEKDAYS[local.weekday - 1] as DayOfWeek, uniform };
}

/** Opening ranges as [opens, closes) in epoch milliseconds. */
export type Window = readonly [number, number];

/**
 * The instants a resource opens and closes on a local day, from its weekly hours ("HH:MM" wall clock; "24:00" is the
 * next midnight). Wall-clock times, not offsets from midnight: 09:00 is 09:00 on a day of 23 or 25 hours. On a
 * uniform day that is arithmetic; on any other day luxon sets the wall clock, as the search always did.
 */
export function openingWindows(resource: Resource, day: LocalDay): Window[] {
  const ranges = resource.weeklyHours[day.weekday] ?? [];
  return ranges.map((range) => [atLocalTime(day, range.start), atLocalTime(day, range.end)] as const);
}

/** The instant of "HH:MM" on the day; "24:00" is the next midnight. */
export function atLocalTime(day: Pick<LocalDay, 'local' | 'start' | 'end' | 'uniform'>, hhmm: string): number {
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  const wellFormed = Number.isInteger(hour) && hour >= 0 && hour < 24 && Number.isInteger(minute) && minute >= 0 && minute < 60;
  if (day.uniform && hour === 24) return day.end;
  if (day.uniform && wellFormed) return day.start + hour * HOUR_MS + minute * MINUTE_MS;
  const midnight = day.local.startOf('day');
  return hour === 24 ? midnight.plus({ days: 1 }).toMillis() : midnight.set({ hour, minute }).toMillis();
}

/**
 * The day an instant falls on, for the instants of a non-uniform day: from the instant's own wall clock, exactly as
 * the search computed every candidate before issue 7 (never uniform, so `atLocalTime` goes through luxon).
 */
export function dayOfInstant(local: DateTime): LocalDay {
  const midnight = local.startOf('day');
  const start = midnight.toMillis();
  return {
    local: midnight,
    start,
    end: Number.NaN,
    date: local.toISODate() ?? '',
    weekday: WEEKDAYS[local.weekday - 1] as DayOfWeek,
    uniform: false,
  };
}

/** The local hour (0–23) of an instant within a uniform day. */
export function hourOf(day: Pick<LocalDay, 'start'>, at: number): number {
  return Math.floor((at - day.start) / HOUR_MS);
}

/** What the wall clock of `zone` reads at an instant. */
export interface WallClock {
  date: string;
  weekday: DayOfWeek;
  hour: number;
  /** UTC offset in minutes at the instant. */
  offset: number;
}

/**
 * The wall clock at an instant from one offset lookup (luxon's zone, one Intl call) and date arithmetic: the same
 * fields luxon's DateTime gives, which it computes the same way, without building one. For non-uniform days.
 */
export function wallClock(zone: Zone, at: number): WallClock {
  const offset = zone.offset(at);
  const wall = new Date(at + offset * MINUTE_MS);
  return {
    date: wall.toISOString().slice(0, 10),
    weekday: WEEKDAYS[(wall.getUTCDay() + 6) % 7] as DayOfWeek,
    hour: wall.getUTCHours(),
    offset,
  };
}

/** The end of a local date (YYYY-MM-DD) where it ends first among the zones: no start on a later day anywhere. */
export function lastInstantOf(date: string, zones: readonly string[]): Date {
  const ends = (zones.length > 0 ? zones : ['UTC']).map((zone) =>
    DateTime.fromISO(date, { zone }).plus({ days: 1 }).startOf('day').toMillis(),
  );
  return new Date(Math.min(...ends));
}

/**
 * Today's date (YYYY-MM-DD) where it is earliest among the zones: an order valid "until today" is valid until today
 * ends everywhere the visit could be (UTC's date is tomorrow's in the evening across the Americas).
 */
export function localToday(now: Date, zones: readonly string[]): string {
  return (zones.length > 0 ? zones : ['UTC']).map((zone) => DateTime.fromJSDate(now, { zone }).toISODate() ?? '').sort()[0] ?? '';
}
