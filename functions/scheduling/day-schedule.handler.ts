import { DayScheduleQuerySchema } from '#contract/api/appointment-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { httpHandler } from '#shared/handler.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { systemClock, tableFromEnv } from '#shared/stores.ts';
import { type DayScheduleDeps, daySchedule } from './day-schedule.ts';

/** GET /v1/clinics/{clinicId}/appointments?date=…: one local day's schedule (day-schedule.ts). */
const ROLES = staffRolesOf('getDaySchedule');

export function makeGetDaySchedule(deps: DayScheduleDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const query = validateBody(DayScheduleQuerySchema, event.queryStringParameters ?? {});
    return json(200, await daySchedule(deps, person, query, event.routeKey));
  });
}

const table = tableFromEnv();
export const handler = makeGetDaySchedule({ appointments: dynamoAppointmentStore(table), audit: dynamoAuditLog(table), now: systemClock });
