import type { DayScheduleBody, DayScheduleQuery } from '#contract/api/appointment-schema.ts';
import type { StaffPrincipal } from '#contract/staff-roles.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { staffActor } from '#shared/http/staff-principal.ts';
import { keys } from '#shared/keys.ts';
import type { SharedStores } from '#shared/stores.ts';
import { appointmentView } from './appointment-view.ts';

export interface DayScheduleDeps extends Pick<SharedStores, 'appointments' | 'audit'> {
  now: () => Date;
}

/**
 * One local day's appointments (each location's own calendar), by start, cancelled ones included, optionally of one
 * location, department or provider: the desk's day sheet. Served by the day index (GSI1), a page at a time; the
 * filters apply to the page, so a filtered page may hold fewer than `limit` and still have a `next`. The page says
 * which patient has which visit, so each patient shown gets an audit record (`appointment.read`) in the person's name.
 */
export async function daySchedule(
  deps: DayScheduleDeps,
  person: StaffPrincipal,
  query: DayScheduleQuery,
  via: string,
): Promise<DayScheduleBody> {
  const now = deps.now();
  const page = await deps.appointments.listDay(person.clinicId, query.date, {
    limit: query.limit,
    ...(query.cursor ? { cursor: cursorKey(query.cursor, person.clinicId, query.date) } : {}),
  });
  const shown = page.appointments.filter(
    (a) =>
      (!query.locationId || a.location.id === query.locationId) &&
      (!query.departmentId || a.department.id === query.departmentId) &&
      (!query.providerId || a.provider.id === query.providerId || a.resourceIds.includes(query.providerId)),
  );
  const patients = new Set(shown.map((a) => a.patientId));
  await Promise.all(
    [...patients].map((patientId) =>
      deps.audit.append({ clinicId: person.clinicId, actor: staffActor(person), patientId, via, actions: ['appointment.read'] }, now),
    ),
  );
  return {
    date: query.date,
    appointments: shown.map(appointmentView),
    ...(page.cursor ? { next: Buffer.from(JSON.stringify(page.cursor)).toString('base64url') } : {}),
  };
}

/**
 * A `next` back into the index's key, which must be a position in this clinic's day: anything else is a bad request,
 * never a key of another clinic or day (which DynamoDB would refuse with a 500).
 */
function cursorKey(cursor: string, clinicId: string, date: string): Record<string, unknown> {
  const day = keys.appointmentsOfDayIndex(clinicId, date, '', '').GSI1PK;
  const partition = keys.appointment(clinicId, '').PK;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const fields = ['PK', 'SK', 'GSI1PK', 'GSI1SK'];
    if (
      Object.keys(key).sort().join() === [...fields].sort().join() &&
      fields.every((field) => typeof key[field] === 'string') &&
      key.GSI1PK === day &&
      String(key.PK).startsWith(partition)
    ) {
      return key;
    }
  } catch {
    // fall through
  }
  throw HttpError.badRequest([{ path: 'cursor', message: 'the `next` of the previous page' }]);
}
