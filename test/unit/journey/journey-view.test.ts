import { describe, expect, it } from 'vitest';
import { toJourneyView } from '#functions/journey/journey-view.ts';
import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import { journeyWithAppointment } from '#test/support/fixtures/records.ts';

/** A booked and paid journey: the fixture's appointment (an MRI of the knee), 25 USD due and paid. */
const bookedJourney = (): JourneyRecord => journeyWithAppointment({ amounts: { currency: 'USD', dueCents: 2500, paidCents: 2500 } });

describe('Function: toJourneyView', () => {
  it('shows every stage in journey order with its status', () => {
    // Act
    const view = toJourneyView(bookedJourney());

    // Assess
    expect(view.stages.map((s) => s.name)).toEqual(['INTAKE', 'ELIGIBILITY', 'SCHEDULING', 'PAYMENT', 'CONFIRMATION']);
    expect(view.stages[0]?.status).toBe('IN_PROGRESS');
  });

  it('shows when, where and with whom, and the amounts', () => {
    // Act
    const view = toJourneyView(bookedJourney());

    // Assess
    expect(view.appointment).toMatchObject({
      start: '2026-03-03T14:30:00.000Z',
      location: { name: 'Back Bay Clinic', address: '100 Boylston St, Boston, MA 02116' },
      department: 'Imaging',
      provider: 'Dana Lee, RT',
      resource: 'MRI Scanner 1',
    });
    expect(view.amounts).toEqual({ currency: 'USD', dueCents: 2500, paidCents: 2500 });
  });

  it('copies only allow-listed fields, so extra record fields never leak', () => {
    // Prepare
    const record = { ...bookedJourney(), birthDate: '1980-01-01', memberId: 'W123', screening: { chestPainNow: true } } as JourneyRecord;

    // Act
    const text = JSON.stringify(toJourneyView(record));

    // Assess
    expect(text).not.toContain('1980-01-01');
    expect(text).not.toContain('W123');
    expect(text).not.toContain('chestPainNow');
    expect(text).not.toContain('MRI_KNEE');
  });

  it('shows a null appointment before scheduling', () => {
    // Prepare
    const journey = newJourneyRecord({ clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' }, new Date());

    // Act
    const view = toJourneyView(journey);

    // Assess
    expect(view.appointment).toBeNull();
  });

  it('shows the terms of the plan that pays first, the other plan, and the estimate’s working, never the payer’s words', () => {
    // Prepare: an employer plan paying before Medicare, read from a check with a payer message.
    const check: EligibilityCheckRecord = {
      type: 'EligibilityCheck',
      clinicId: 'c1',
      journeyId: 'j1',
      appointmentTypeCode: 'OFFICE_VISIT',
      serviceTypeCode: '98',
      payerId: '87726',
      summary: {
        outcome: 'ACTIVE',
        serviceTypeCode: '98',
        coverageActive: true,
        priorAuthorizationRequired: false,
        copayCents: 3000,
        reason: 'Coverage is active for service type 98.',
        benefits: {
          serviceTypeCode: '98',
          status: 'ACTIVE',
          network: 'IN',
          notCovered: false,
          copayCents: 3000,
          priorAuthorization: 'NOT_REQUIRED',
          otherPayers: [],
          payerMessages: ['MEMBER HAS DIABETES PROGRAM'],
          uncertain: [],
        },
      },
      estimate: {
        allowedAmountCents: 15_000,
        allowedAmountFrom: 'payer-rate',
        lines: [{ term: 'copay', cents: 3000, detail: 'copay $30.00' }],
        dueCents: 3000,
      },
      coordination: { primaryPayerId: '87726', secondaryPayerId: 'CMSMA', basis: 'the group plan pays first.', secondaryActive: true },
      checkedAt: '2026-12-01T10:00:00.000Z',
    };

    // Act
    const view = toJourneyView(bookedJourney(), check);

    // Assess
    expect(view.coverage).toMatchObject({
      payerId: '87726',
      copayCents: 3000,
      otherPlan: { payerId: 'CMSMA', paysSecond: true, active: true, basis: 'the group plan pays first.' },
      estimate: { allowedAmountFrom: 'payer-rate', lines: [{ term: 'copay', cents: 3000 }] },
    });
    expect(JSON.stringify(view)).not.toContain('DIABETES');
  });
});
