import { describe, expect, it } from 'vitest';
import { APPOINTMENT_EVENTS_SOURCE, CALENDAR_CLOSED, CALENDAR_OPENED } from '#contract/appointment-events.ts';
import { makeRescheduleCollisions } from '#functions/scheduling/reschedule-collisions.handler.ts';
import type { RescheduleCollisionsDeps } from '#functions/scheduling/reschedule-collisions.ts';
import { lambdaContext } from '#test/support/api-event.ts';

/** A clinic without a catalog: each event stops at its catalog read, which says which use case it reached. */
function depsRecordingCatalogReads() {
  const reads: Array<{ clinicId: string; consistent: boolean }> = [];
  const deps = {
    catalog: {
      load: async (clinicId: string, options?: { consistent?: boolean }) => {
        reads.push({ clinicId, consistent: options?.consistent === true });
        return undefined;
      },
    },
    now: () => new Date('2026-12-07T12:00:00.000Z'),
  } as unknown as RescheduleCollisionsDeps;
  return { deps, reads };
}

/** An SQS record as the rule's queue delivers it: the EventBridge event as its body. */
const queued = (detailType: string, detail: unknown) => ({
  body: JSON.stringify({ source: APPOINTMENT_EVENTS_SOURCE, 'detail-type': detailType, detail }),
});

describe('Function: rescheduleCollisions, the events of its two queues', () => {
  it('takes a CalendarClosed to the collision check and a CalendarOpened to the withdrawal, each reading the calendar strongly consistent', async () => {
    // Prepare
    const { deps, reads } = depsRecordingCatalogReads();
    const handler = makeRescheduleCollisions(deps);
    const closed = { clinicId: 'c-closed', closingId: 'closing-1', closed: { kind: 'hours', resourceId: 'prov-1' }, by: 'user:admin' };
    const opened = { clinicId: 'c-opened', openingId: 'opening-1', resourceIds: ['prov-1'], windows: [] };

    // Act
    const answer = await handler({ Records: [queued(CALENDAR_CLOSED, closed), queued(CALENDAR_OPENED, opened)] }, lambdaContext);

    // Assess
    // One closing answered in `tasks`, one opening in `withdrawn`: each reached its own use case.
    expect(answer).toEqual({ tasks: [0], withdrawn: 0 });
    expect(reads).toEqual([
      { clinicId: 'c-closed', consistent: true },
      { clinicId: 'c-opened', consistent: true },
    ]);
  });

  it('refuses an event of another kind rather than reading it as either', async () => {
    // Prepare
    const { deps, reads } = depsRecordingCatalogReads();
    const handler = makeRescheduleCollisions(deps);

    // Act
    const refused = handler({ Records: [queued('AppointmentChanged', { clinicId: 'c1' })] }, lambdaContext);

    // Assess
    await expect(refused).rejects.toThrow();
    expect(reads).toEqual([]);
  });
});
