import { JoinWaitlistSchema, WaitlistQuerySchema } from '#contract/api/appointment-schema.ts';
import { IDEMPOTENCY_KEY_HEADER } from '#contract/api/idempotency-key.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import type { WaitlistEntry } from '#model/waitlist.ts';
import { httpHandler } from '#shared/handler.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { parseJsonBody, validateBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffActor, staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, type SharedStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type JoinWaitlistDeps, joinWaitlist, visitToMove } from './waitlist.ts';
import { dynamoWaitlistStore } from './waitlist-store.ts';

/**
 * POST /v1/clinics/{clinicId}/waitlist (put a patient in line), GET …/waitlist?appointmentType= (the line, in order),
 * POST …/waitlist/{entryId}/remove (take them off it). Each person's reading of the line is audited per patient shown.
 */
const ROLES = staffRolesOf('manageWaitlist');

export type ManageWaitlistDeps = JoinWaitlistDeps & Pick<SharedStores, 'appointments'>;

export function makeManageWaitlist(deps: ManageWaitlistDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const by = { clinicId: person.clinicId, actor: staffActor(person), via: event.routeKey };
    if (event.routeKey.startsWith('GET ')) {
      const { appointmentType } = validateBody(WaitlistQuerySchema, event.queryStringParameters ?? {});
      const line = [
        ...(await deps.waitlist.inLine(person.clinicId, appointmentType, 'OFFERED', 200)),
        ...(await deps.waitlist.inLine(person.clinicId, appointmentType, 'WAITING', 200)),
      ];
      const now = deps.now();
      await Promise.all(
        [...new Set(line.map((e) => e.patientId))].map((patientId) =>
          deps.audit.append({ ...by, patientId, actions: ['waitlist.read'] }, now),
        ),
      );
      return json(200, { appointmentType, entries: line.map(entryView) });
    }
    if (event.routeKey.endsWith('/remove')) {
      const { entryId } = pathIds(event, ['entryId']);
      const entry = await deps.waitlist.get(person.clinicId, entryId);
      if (!entry) throw HttpError.withMessage(404, 'Waitlist entry not found');
      await deps.audit.record({ ...by, patientId: entry.patientId, action: 'waitlist.remove', outcome: 'success' }, deps.now());
      if (!(await deps.waitlist.remove(person.clinicId, entryId)) && entry.status !== 'REMOVED') {
        throw HttpError.withMessage(409, 'The entry was booked already');
      }
      return json(200, entryView({ ...entry, status: 'REMOVED' }));
    }
    const requestKey = idempotencyKeyHeader(event);
    if (!requestKey) throw HttpError.badRequest([{ path: IDEMPOTENCY_KEY_HEADER, message: 'is required: a new key per entry' }]);
    const body = parseJsonBody(event, JoinWaitlistSchema, { maxBytes: 4096 });
    if (!(await deps.patients.exists(person.clinicId, body.patientId))) {
      throw HttpError.badRequest([{ path: 'patientId', message: 'is not a patient of this clinic' }]);
    }
    const { moveAppointmentId, ...wanted } = body;
    const moving = moveAppointmentId ? await visitToMove(deps, by, moveAppointmentId, body) : undefined;
    const { outcome, entry } = await joinWaitlist(deps, by, { ...wanted, ...moving, requestKey });
    return json(outcome === 'ADDED' ? 201 : 200, entryView(entry));
  });
}

function entryView(entry: WaitlistEntry) {
  const { type: _t, clinicId: _c, offerId: _o, passedSlots: _p, ...view } = entry;
  return view;
}

const table = tableFromEnv();
export const handler = makeManageWaitlist({ ...dynamoStores(table), waitlist: dynamoWaitlistStore(table), now: systemClock });
