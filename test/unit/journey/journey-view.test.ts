import { describe, expect, it } from 'vitest';
import { toJourneyView } from '#functions/journey/journey-view.ts';
import { type JourneyRecord, newJourneyRecord } from '#model/journey.ts';

function bookedJourney(): JourneyRecord {
  const journey = newJourneyRecord(
    { clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' },
    new Date('2026-12-01T10:00:00Z'),
  );
  return {
    ...journey,
    appointment: {
      appointmentId: 'appt-j1',
      appointmentType: 'MRI_KNEE',
      start: '2026-12-03T09:00:00-05:00',
      end: '2026-12-03T09:45:00-05:00',
      timeZone: 'America/New_York',
      location: { id: 'bos', name: 'Boston', address: '1 Main St' },
      department: { id: 'rad', name: 'Radiology' },
      provider: { id: 'tech', name: 'Sam Tech' },
      resource: { id: 'mri', name: 'MRI Scanner 1' },
    },
    amounts: { currency: 'USD', dueCents: 2500, paidCents: 2500 },
  };
}

describe('Function: toJourneyView', () => {
  it('shows every stage in journey order with its status', () => {
    const view = toJourneyView(bookedJourney());
    expect(view.stages.map((s) => s.name)).toEqual(['INTAKE', 'ELIGIBILITY', 'SCHEDULING', 'PAYMENT', 'CONFIRMATION']);
    expect(view.stages[0]?.status).toBe('IN_PROGRESS');
  });

  it('shows when, where and with whom, and the amounts', () => {
    const view = toJourneyView(bookedJourney());
    expect(view.appointment).toMatchObject({
      start: '2026-12-03T09:00:00-05:00',
      department: 'Radiology',
      provider: 'Sam Tech',
      resource: 'MRI Scanner 1',
    });
    expect(view.amounts).toEqual({ currency: 'USD', dueCents: 2500, paidCents: 2500 });
  });

  it('copies only allow-listed fields, so extra record fields never leak', () => {
    const record = { ...bookedJourney(), birthDate: '1980-01-01', memberId: 'W123', screening: { chestPainNow: true } } as JourneyRecord;
    const text = JSON.stringify(toJourneyView(record));
    expect(text).not.toContain('1980-01-01');
    expect(text).not.toContain('W123');
    expect(text).not.toContain('chestPainNow');
    expect(text).not.toContain('MRI_KNEE');
  });

  it('shows a null appointment before scheduling', () => {
    const journey = newJourneyRecord({ clinicId: 'c1', journeyId: 'j1', submissionId: 's1', patientId: 'p1' }, new Date());
    expect(toJourneyView(journey).appointment).toBeNull();
  });
});
