import type { JourneyListQueryInput, JourneyPageBody, JourneySummary } from '#contract/api/journey-list-schema.ts';
import { JOURNEY_STATUSES } from '#contract/api/journey-view-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { currentStageOf, type JourneyRecord } from '#model/journey.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { SharedStores } from '#shared/stores.ts';

export interface ListJourneysDeps extends Pick<SharedStores, 'journeys'> {
  now: () => Date;
}

/** Without `from`, a list looks back this far. */
const DEFAULT_DAYS = 30;

/**
 * A page of the clinic's journeys by start, oldest first, of the statuses asked (all by default) and, when asked, at
 * one stage: for staff and ops to find what is waiting, failed or done. Summaries carry IDs, statuses, stage names and
 * times, nothing of the patient, so a list reads nobody's record (opening the journey or its timeline does).
 */
export async function listJourneys(deps: ListJourneysDeps, person: StaffPrincipal, query: JourneyListQueryInput): Promise<JourneyPageBody> {
  const to = query.to ?? deps.now().toISOString();
  const from = query.from ?? new Date(Date.parse(to) - DEFAULT_DAYS * 86_400_000).toISOString();
  if (from >= to) throw HttpError.badRequest([{ path: 'from', message: 'must be before `to` (now, unless given)' }]);
  const page = await deps.journeys.list({
    clinicId: person.clinicId,
    statuses: query.status ?? JOURNEY_STATUSES,
    from,
    to,
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit,
  });
  const journeys = page.journeys.map(journeySummary).filter((journey) => !query.stage || journey.stage === query.stage);
  return { journeys, ...(page.next ? { next: page.next } : {}) };
}

function journeySummary(journey: JourneyRecord): JourneySummary {
  const stage = currentStageOf(journey);
  const state = stage ? journey.stages[stage] : undefined;
  return {
    journeyId: journey.journeyId,
    status: journey.status,
    ...(stage && state ? { stage, stageStatus: state.status } : {}),
    ...(state?.staffTaskId && state.status === 'WAITING_FOR_STAFF' ? { staffTaskId: state.staffTaskId } : {}),
    createdAt: journey.createdAt,
    updatedAt: journey.updatedAt,
  };
}
