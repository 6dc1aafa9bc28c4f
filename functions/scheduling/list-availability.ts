import type { AvailabilityBody, AvailabilityQuery } from '#contract/api/appointment-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { HttpError } from '#shared/http/http-error.ts';
import type { SharedStores } from '#shared/stores.ts';
import { MAX_WINDOW_DAYS, requireCatalog, searchOpenSlots, slotOf, staffSearchOf } from './open-slots.ts';

export interface ListAvailabilityDeps extends Pick<SharedStores, 'catalog' | 'appointments'> {
  now: () => Date;
}

/**
 * The open slots of one appointment type, optionally at one location or with one provider, earliest first, a page at
 * a time: what a scheduler looks at with a patient on the phone. Reads the catalog and the department's busy time,
 * nobody's record, so it is not audited.
 */
export async function listAvailability(
  deps: ListAvailabilityDeps,
  person: StaffPrincipal,
  query: AvailabilityQuery,
): Promise<AvailabilityBody> {
  const now = deps.now();
  const catalog = requireCatalog(await deps.catalog.load(person.clinicId));
  const { type, preferences } = staffSearchOf(catalog, query);
  const from = new Date(Math.max(Date.parse(query.from ?? now.toISOString()), now.getTime()));
  const to = query.to ? new Date(query.to) : new Date(from.getTime() + MAX_WINDOW_DAYS * 86_400_000);
  if (to <= from) throw HttpError.badRequest([{ path: 'to', message: 'must be after `from` (now, unless given)' }]);
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    throw HttpError.badRequest([{ path: 'to', message: `must be at most ${MAX_WINDOW_DAYS} days after \`from\`` }]);
  }
  const start = query.cursor ? new Date(Math.max(Date.parse(query.cursor), from.getTime())) : from;
  const { candidates, nextStart } = await searchOpenSlots(deps.appointments, {
    clinicId: person.clinicId,
    catalog,
    type,
    preferences,
    within: { start, end: to },
    now,
    limit: query.limit,
  });
  return {
    appointmentType: type.code,
    slots: candidates.map((candidate) => slotOf(catalog, type, candidate)),
    ...(nextStart ? { next: nextStart.toISOString() } : {}),
  };
}
