import { describe, expect, it } from 'vitest';
import { busySpans, spanInterval, transactionSize } from '#shared/appointment-store.ts';

const interval = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });

describe('Function: busySpans', () => {
  it('gives each resource the span of the booking on its UTC day', () => {
    // Act
    const spans = busySpans(['prov', 'room'], interval('2041-03-04T14:30:00Z', '2041-03-04T15:15:00Z'));

    // Assess
    expect(spans).toEqual([
      { resourceId: 'prov', day: '2041-03-04', span: '1430+45' },
      { resourceId: 'room', day: '2041-03-04', span: '1430+45' },
    ]);
  });

  it('splits a booking at UTC midnight and aligns it to the granules it locks', () => {
    // Act: 23:32-00:31 touches the granules 23:30 … 00:30
    const spans = busySpans(['prov'], interval('2041-03-04T23:32:00Z', '2041-03-05T00:31:00Z'));

    // Assess
    expect(spans).toEqual([
      { resourceId: 'prov', day: '2041-03-04', span: '2330+30' },
      { resourceId: 'prov', day: '2041-03-05', span: '0000+35' },
    ]);
    expect(transactionSize(60, 1, 2)).toBe(1 + 12 + 2);
  });
});

describe('Function: spanInterval', () => {
  it('reads a span back as the instants it covers', () => {
    // Act
    const { start, end } = spanInterval('2041-03-05', '0000+35');

    // Assess
    expect([new Date(start).toISOString(), new Date(end).toISOString()]).toEqual(['2041-03-05T00:00:00.000Z', '2041-03-05T00:35:00.000Z']);
  });
});
