import { describe, expect, it } from 'vitest';
import { BusyCalendar, granuleStarts } from '#model/busy-time.ts';

describe('Function: granuleStarts', () => {
  it('covers every 5-minute granule the interval touches', () => {
    // Act
    const granules = granuleStarts({ start: new Date('2026-03-02T14:03:00Z'), end: new Date('2026-03-02T14:15:00Z') });

    // Assess
    expect(granules.map((g) => g.toISOString().slice(11, 16))).toEqual(['14:00', '14:05', '14:10']);
  });
});

describe('Class: BusyCalendar', () => {
  const at = (hhmm: string) => Date.parse(`2026-03-02T${hhmm}:00Z`);

  it('answers in epoch milliseconds as it does for intervals', () => {
    // Prepare: busy 14:00-14:10
    const busy = new BusyCalendar();
    busy.markBusyBetween('r', at('14:00'), at('14:10'));

    // Act
    const answers = [
      busy.isFreeBetween('r', at('13:30'), at('14:00')),
      busy.isFreeBetween('r', at('14:05'), at('14:06')),
      busy.isFreeBetween('r', at('14:10'), at('15:00')),
      busy.isFreeBetween('other', at('14:00'), at('14:10')),
      busy.isFree('r', { start: new Date(at('13:58')), end: new Date(at('14:01')) }),
    ];

    // Assess: a partly covered granule is busy all through
    expect(answers).toEqual([true, false, true, true, false]);
  });

  it('marks every granule an interval touches, as granuleStarts lists them', () => {
    // Prepare
    const busy = new BusyCalendar();

    // Act: 14:03-14:15 touches 14:00, 14:05 and 14:10
    busy.markBusy('r', { start: new Date(at('14:03')), end: new Date(at('14:15')) });

    // Assess
    expect(busy.isFreeBetween('r', at('13:55'), at('14:00'))).toBe(true);
    expect(busy.isFreeBetween('r', at('14:00'), at('14:01'))).toBe(false);
    expect(busy.isFreeBetween('r', at('14:14'), at('14:15'))).toBe(false);
    expect(busy.isFreeBetween('r', at('14:15'), at('14:20'))).toBe(true);
  });
});
