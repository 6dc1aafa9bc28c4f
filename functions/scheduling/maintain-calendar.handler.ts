import { AddClosureSchema, AddUnavailabilitySchema, WeeklyHoursSchema } from '#contract/api/calendar-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoCalendarStore } from './calendar-store.ts';
import {
  addClosure,
  addUnavailability,
  calendarOf,
  type MaintainCalendarDeps,
  removeClosure,
  removeUnavailability,
  setHours,
} from './maintain-calendar.ts';

/**
 * The clinic's calendar, maintained by its admins (maintain-calendar.ts): GET …/calendar, PATCH
 * …/resources/{resourceId}/hours, POST …/closures and …/closures/{closureId}/remove, POST …/unavailability and
 * …/unavailability/{entryId}/remove.
 */
const ROLES = staffRolesOf('maintainCalendar');

export function makeMaintainCalendar(deps: MaintainCalendarDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const route = event.routeKey;
    if (route.startsWith('GET ')) return json(200, await calendarOf(deps, person));
    if (route.endsWith('/hours')) {
      const { resourceId } = pathIds(event, ['resourceId']);
      return json(200, await setHours(deps, person, resourceId, parseJsonBody(event, WeeklyHoursSchema, { maxBytes: 8192 }), route));
    }
    if (route.endsWith('/closures/{closureId}/remove'))
      return json(200, await removeClosure(deps, person, pathIds(event, ['closureId']).closureId));
    if (route.endsWith('/unavailability/{entryId}/remove'))
      return json(200, await removeUnavailability(deps, person, pathIds(event, ['entryId']).entryId));
    if (route.endsWith('/closures')) {
      const { added, answer } = await addClosure(deps, person, parseJsonBody(event, AddClosureSchema, { maxBytes: 2048 }), route);
      return json(added ? 201 : 200, answer);
    }
    const { added, answer } = await addUnavailability(
      deps,
      person,
      parseJsonBody(event, AddUnavailabilitySchema, { maxBytes: 2048 }),
      route,
    );
    return json(added ? 201 : 200, answer);
  });
}

const table = tableFromEnv();
export const handler = makeMaintainCalendar({
  ...dynamoStores(table),
  // Admins read what they just wrote: the catalog uncached here.
  catalog: dynamoCatalogStore(table),
  calendar: dynamoCalendarStore(table),
  now: systemClock,
});
