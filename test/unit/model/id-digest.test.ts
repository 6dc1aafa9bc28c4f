import { describe, expect, it } from 'vitest';
import { staffAppointmentIdOf } from '#functions/scheduling/book-chosen-slot.ts';
import { unavailabilityIdOf } from '#functions/scheduling/calendar-changes.ts';
import { idDigest } from '#model/id-digest.ts';
import { staffTaskId } from '#model/staff-task.ts';

/**
 * Stored items carry these IDs, and a retry finds its first attempt's item only by computing the same one: the values
 * are pinned as they were before the helper existed (computed then with node:crypto), so a change to how an ID is made
 * fails here rather than in a deployed table.
 */
describe('IDs by digest', () => {
  it('makes the same IDs as before: a staff booking, a staff task, a time off', () => {
    expect(staffAppointmentIdOf('clinic-a', 'key-1')).toBe('appt-c602377ac145f431c3c65d47e4b65e21');
    expect(staffTaskId('token-xyz')).toBe('st-0f55333bafabf7977430');
    expect(unavailabilityIdOf({ resourceId: 'prov-1', kind: 'time-off', start: '2027-01-04T00:00:00Z', end: '2027-01-09T00:00:00Z' })).toBe(
      'un-207aaab0fcefe85f126b',
    );
  });

  it('joins the parts with newlines, so parts that run together do not collide', () => {
    expect(idDigest(32, 'ab', 'c')).not.toBe(idDigest(32, 'a', 'bc'));
    expect(idDigest(12, 'x')).toHaveLength(12);
  });
});
