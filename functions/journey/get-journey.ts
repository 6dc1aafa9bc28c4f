import type { JourneyRef } from '#contract/journey-workflow.ts';
import type { SharedStores } from '#shared/stores.ts';
import { type JourneyView, toJourneyView } from './journey-view.ts';

export interface GetJourneyDeps extends Pick<SharedStores, 'journeys' | 'audit' | 'eligibilityChecks'> {
  now: () => Date;
}

/**
 * The journey as the front desk sees it (journey-view.ts), each read audited under the caller. A journey that does not
 * exist throws JourneyNotFound; the key includes the caller's clinic, so another clinic's journey is not found either.
 */
export async function getJourney(deps: GetJourneyDeps, ref: JourneyRef, actor: string, via?: string): Promise<JourneyView> {
  const journey = await deps.journeys.require(ref);
  await deps.audit.record(
    {
      clinicId: ref.clinicId,
      actor,
      action: 'journey.read',
      journeyId: ref.journeyId,
      patientId: journey.patientId,
      outcome: 'success',
      ...(via ? { via } : {}),
    },
    deps.now(),
  );
  // The latest reading of the visit's coverage: its re-check before the visit when one ran, else the journey's check.
  const recheck = journey.appointment
    ? await deps.eligibilityChecks.getRecheck(ref.clinicId, journey.appointment.appointmentId)
    : undefined;
  return toJourneyView(journey, recheck ?? (await deps.eligibilityChecks.get(ref)));
}
