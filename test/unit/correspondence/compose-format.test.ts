import { describe, expect, it } from 'vitest';
import { formatClock, formatDay, formatWhen } from '#shared/mail/compose-format.ts';

// Every expected string below is what the luxon implementation produced before compose-format moved to Intl
// (docs/decisions.md, "Correspondence formats dates with Intl"); the one exception is marked.

describe('Function: formatWhen, across daylight saving time', () => {
  it.each([
    ['the first hour after spring forward', '2026-03-08T07:30:00.000Z', 'Sunday, March 8, 2026 at 3:30 AM EDT (Eastern Daylight Time)'],
    ['the last hour before spring forward', '2026-03-08T06:30:00.000Z', 'Sunday, March 8, 2026 at 1:30 AM EST (Eastern Standard Time)'],
    ['the first 1:30 AM of fall back', '2026-11-01T05:30:00.000Z', 'Sunday, November 1, 2026 at 1:30 AM EDT (Eastern Daylight Time)'],
    ['the second 1:30 AM of fall back', '2026-11-01T06:30:00.000Z', 'Sunday, November 1, 2026 at 1:30 AM EST (Eastern Standard Time)'],
  ])('names the offset in force: %s', (_case, iso, expected) => {
    expect(formatWhen(iso, 'America/New_York')).toBe(expected);
  });
});

describe('Function: formatWhen, in the zones of US clinics and beyond', () => {
  it.each([
    ['America/Chicago', '2026-06-01T16:00:00.000Z', 'Monday, June 1, 2026 at 11:00 AM CDT (Central Daylight Time)'],
    ['America/Phoenix', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 6:30 AM MST (Mountain Standard Time)'],
    ['America/Anchorage', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 5:30 AM AKDT (Alaska Daylight Time)'],
    ['Pacific/Honolulu', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 3:30 AM HST (Hawaii-Aleutian Standard Time)'],
    ['America/Puerto_Rico', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 9:30 AM AST (Atlantic Standard Time)'],
    ['Pacific/Guam', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 11:30 PM GMT+10 (Chamorro Standard Time)'],
    ['Pacific/Pago_Pago', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 2:30 AM GMT-11 (American Samoa Standard Time)'],
    ['America/Toronto', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 9:30 AM EDT (Eastern Daylight Time)'],
    ['Europe/London', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 2:30 PM GMT+1 (British Summer Time)'],
    ['Europe/London', '2026-01-07T13:30:00.000Z', 'Wednesday, January 7, 2026 at 1:30 PM GMT (Greenwich Mean Time)'],
    ['Asia/Kolkata', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 7:00 PM GMT+5:30 (India Standard Time)'],
    // Changed: luxon named its own UTC zone "UTC (UTC)"; Intl names it as it names Etc/UTC.
    ['UTC', '2026-07-07T13:30:00.000Z', 'Tuesday, July 7, 2026 at 1:30 PM UTC (Coordinated Universal Time)'],
  ])('%s: %s', (timeZone, iso, expected) => {
    expect(formatWhen(iso, timeZone)).toBe(expected);
  });

  it('writes noon and the minutes after midnight on a 12-hour clock', () => {
    expect(formatWhen('2026-06-01T12:00:00-04:00', 'America/New_York')).toBe(
      'Monday, June 1, 2026 at 12:00 PM EDT (Eastern Daylight Time)',
    );
    expect(formatWhen('2026-06-01T04:05:00.000Z', 'America/New_York')).toBe('Monday, June 1, 2026 at 12:05 AM EDT (Eastern Daylight Time)');
  });

  it('reads minutes-only and sub-millisecond ISO times', () => {
    expect(formatWhen('2026-03-03T14:30Z', 'America/New_York')).toBe('Tuesday, March 3, 2026 at 9:30 AM EST (Eastern Standard Time)');
    expect(formatWhen('2026-03-03T14:30:00.123456Z', 'America/New_York')).toBe(
      'Tuesday, March 3, 2026 at 9:30 AM EST (Eastern Standard Time)',
    );
  });

  it.each([
    ['not a date', 'nonsense', 'America/New_York'],
    ['a day its month does not have', '2026-02-30T09:30:00Z', 'America/New_York'],
    // Changed: luxon read a time without an offset in the given zone; scheduling always writes the offset.
    ['a time without an offset', '2026-03-03T09:30:00', 'America/Los_Angeles'],
    ['an unknown zone', '2026-03-03T14:30:00Z', 'Mars/Base'],
  ])('refuses %s', (_case, iso, timeZone) => {
    expect(() => formatWhen(iso, timeZone)).toThrow(/^Invalid appointment time or zone: /);
  });
});

describe('Function: formatDay', () => {
  it('names the local day, which may differ from the UTC day', () => {
    expect(formatDay('2026-07-07T13:30:00.000Z', 'Pacific/Pago_Pago')).toBe('Tuesday, July 7');
    expect(formatDay('2026-06-01T04:05:00.000Z', 'America/New_York')).toBe('Monday, June 1');
    expect(formatDay('2026-06-01T03:05:00.000Z', 'America/New_York')).toBe('Sunday, May 31');
  });
});

describe('Function: formatClock', () => {
  it('subtracts minutes of elapsed time, across a daylight saving change and across midnight', () => {
    expect(formatClock('2026-03-08T07:05:00.000Z', 'America/New_York', 15)).toBe('1:50 AM');
    expect(formatClock('2026-06-01T00:10:00-04:00', 'America/New_York', 15)).toBe('11:55 PM');
    expect(formatClock('2026-06-01T12:00:00-04:00', 'America/New_York', 15)).toBe('11:45 AM');
    expect(formatClock('2026-11-27T08:00:00-05:00', 'America/New_York')).toBe('8:00 AM');
  });
});
