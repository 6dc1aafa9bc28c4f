import { describe, expect, it } from 'vitest';
import { type JourneyViewBody, JourneyViewSchema } from '#contract/api/journey-view-schema.ts';
import { StaffDecisionBodySchema } from '#contract/api/staff-decision-schema.ts';
import { toJourneyView } from '#functions/journey/journey-view.ts';
import { newJourneyRecord } from '#model/journey.ts';
import { appointment } from '#test/support/fixtures/records.ts';

const journey = newJourneyRecord(
  { clinicId: 'clinic-1', journeyId: '3f1b7c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e', submissionId: 's-1', patientId: 'p-1' },
  new Date('2026-11-27T10:00:00.000Z'),
);

describe('Schema: JourneyView', () => {
  it('describes the view of a journey that has just started', () => {
    // Compile-time too: the view built by the journey handler is assignable to the documented type.
    const view: JourneyViewBody = toJourneyView(journey);

    expect(JourneyViewSchema.safeParse(view).error).toBeUndefined();
    expect(view.appointment).toBeNull();
  });

  it('describes the view of a booked, paid journey waiting for staff', () => {
    const record = {
      ...journey,
      status: 'WAITING_FOR_STAFF' as const,
      stages: {
        ...journey.stages,
        PAYMENT: { status: 'WAITING_FOR_STAFF' as const, at: journey.updatedAt, reason: 'Card declined', staffTaskId: 'st-1' },
      },
      appointment,
      amounts: { currency: 'USD' as const, dueCents: 5000, paidCents: 0 },
    };

    const view = toJourneyView(record);

    expect(JourneyViewSchema.safeParse(view).error).toBeUndefined();
  });

  it('rejects a field the documentation does not list', () => {
    const view = { ...toJourneyView(journey), patientId: 'p-1' };

    expect(JourneyViewSchema.safeParse(view).success).toBe(false);
  });
});

describe('Schema: StaffDecision', () => {
  it('accepts each action with an optional note', () => {
    for (const action of ['RETRY', 'PROCEED', 'CANCEL']) expect(StaffDecisionBodySchema.safeParse({ action }).success).toBe(true);
    expect(StaffDecisionBodySchema.parse({ action: 'CANCEL', note: ' Patient called to cancel ' })).toEqual({
      action: 'CANCEL',
      note: 'Patient called to cancel',
    });
  });

  it('rejects an unknown action, an overlong note and unknown fields', () => {
    expect(StaffDecisionBodySchema.safeParse({ action: 'APPROVE' }).success).toBe(false);
    expect(StaffDecisionBodySchema.safeParse({ action: 'RETRY', note: 'x'.repeat(1001) }).success).toBe(false);
    expect(StaffDecisionBodySchema.safeParse({ action: 'RETRY', by: 'me' }).success).toBe(false);
  });
});
