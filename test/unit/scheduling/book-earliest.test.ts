import { describe, expect, it } from 'vitest';
import { bookEarliestSlot, SPREAD_AFTER_LOSS } from '#functions/scheduling/book-earliest.ts';
import { findSlots, summarizeSlot } from '#functions/scheduling/find-slots.ts';
import { DEMO_APPOINTMENT_TYPES, demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { BusyCalendar } from '#model/busy-time.ts';
import type { AppointmentRecord, AppointmentStore } from '#shared/appointment-store.ts';

const catalog = demoClinicCatalog;
const followUp = catalog.appointmentTypes.find((t) => t.code === DEMO_APPOINTMENT_TYPES.primaryCareFollowUp);
if (!followUp) throw new Error('demo catalog has no follow-up');
/** Monday 7 December 2026, 07:00 in Boston: the earliest start is 09:00 (two hours' lead time). */
const now = new Date('2026-12-07T12:00:00.000Z');

/** A store whose calendar is empty and whose first `losses` bookings lose their race (another booking took the slot). */
function racingStore(losses: number): { store: AppointmentStore; tried: string[] } {
  const tried: string[] = [];
  const store = {
    loadBusy: async () => {},
    book: async (appointment: AppointmentRecord) => {
      tried.push(`${appointment.start} ${appointment.provider.id}`);
      if (tried.length <= losses) return { outcome: 'CONTENDED' as const };
      return { outcome: 'BOOKED' as const, appointment };
    },
  } as unknown as AppointmentStore;
  return { store, tried };
}

const book = (store: AppointmentStore, journeyId: string) =>
  bookEarliestSlot(store, {
    clinicId: 'c1',
    journeyId,
    patientId: 'p1',
    catalog,
    appointmentType: followUp,
    preferences: { locationId: 'boston-back-bay' },
    now,
    bookedBy: 'function:test',
  });

describe('Function: bookEarliestSlot, the herd', () => {
  it('books the earliest fitting slot for a journey that meets no one', async () => {
    const { store, tried } = racingStore(0);

    const result = await book(store, 'j-alone');

    expect(result.outcome).toBe('BOOKED');
    expect(tried).toEqual(['2026-12-07T09:00:00-05:00 prov-okafor']);
  });

  it('spreads journeys that lost the same race over the next few slots, each journey in an order of its own', async () => {
    const journeys = Array.from({ length: 20 }, (_, i) => `j-${i}`);
    const second = async (journeyId: string) => {
      const { store, tried } = racingStore(1);
      await book(store, journeyId);
      return tried[1];
    };
    // The candidates in the search's own order: the lost one first, then those a pick may come from.
    const candidates = findSlots({
      catalog,
      appointmentType: followUp,
      preferences: { locationId: 'boston-back-bay' },
      busy: new BusyCalendar(),
      now,
    });
    const following = [...candidates]
      .slice(1, 1 + SPREAD_AFTER_LOSS)
      .map((c) => `${summarizeSlot(catalog, followUp, c, 'x').start} ${c.resources[0]?.resourceId}`);

    const picks = await Promise.all(journeys.map(second));
    const again = await Promise.all(journeys.map(second));

    // Every pick is among the candidates that follow the lost one, never further than the spread.
    for (const pick of picks) expect(following).toContain(pick);
    expect(new Set(picks).size).toBeGreaterThan(1);
    expect(again).toEqual(picks);
  });
});
