import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeManageAppointmentSeries } from '#functions/scheduling/appointment-series.handler.ts';
import { makeBookChosenSlot } from '#functions/scheduling/book-chosen-slot.handler.ts';
import { makeChangeAppointment } from '#functions/scheduling/change-appointment.handler.ts';
import { makeGetDaySchedule } from '#functions/scheduling/day-schedule.handler.ts';
import { makeListAvailability } from '#functions/scheduling/list-availability.handler.ts';
import { dynamoSeriesStore } from '#functions/scheduling/series-store.ts';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { type AppointmentStore, dynamoAppointmentStore } from '#shared/appointment-store.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { type CatalogStore, dynamoCatalogStore } from '#shared/catalog-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { dynamoPriorAuthorizations } from '#shared/prior-authorization-store.ts';
import type { TableRef } from '#shared/table.ts';
import { lambdaContext, type StaffClaims, staffEvent } from './api-event.ts';

/**
 * The appointment routes' handlers over one DynamoDB Local table, for a clinic of their own with the demo catalog
 * (changed as a test needs), called as API Gateway calls them: the desk, as tests of scheduling use it.
 */
export interface Desk {
  clinicId: string;
  catalog: ClinicCatalog;
  catalogStore: CatalogStore;
  appointments: AppointmentStore;
  /** Sets the clock every handler reads. */
  setNow(now: Date): void;
  /** A patient of the clinic (only the item's key matters to scheduling). */
  patient(): Promise<string>;
  availability(query: Record<string, string>, person?: StaffClaims): Promise<Answer>;
  book(body: Record<string, unknown>, key?: string | null, person?: StaffClaims): Promise<Answer>;
  schedule(query: Record<string, string>, person?: StaffClaims): Promise<Answer>;
  change(appointmentId: string, verb: string, body?: unknown, headers?: Record<string, string>, person?: StaffClaims): Promise<Answer>;
  bookSeries(body: Record<string, unknown>, key?: string): Promise<Answer>;
  cancelSeries(seriesId: string, body: Record<string, unknown>): Promise<Answer>;
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a response body as the test reads it
  body: any;
}

/**
 * `catalogIn: 'table'` reads the catalog from the table (uncached), as an admin's calendar changes leave it: the test
 * puts `desk.catalog` there first (`desk.catalogStore.put`).
 */
export function openDesk(
  table: TableRef,
  now: Date,
  edit: (catalog: ClinicCatalog) => ClinicCatalog = (c) => c,
  catalogIn: 'memory' | 'table' = 'memory',
): Desk {
  const clinicId = `clinic-${randomUUID().slice(0, 8)}`;
  const catalog = edit({ ...demoClinicCatalog, profile: { ...demoClinicCatalog.profile, clinicId } });
  const catalogStore: CatalogStore =
    catalogIn === 'table'
      ? dynamoCatalogStore(table)
      : { load: async (id) => (id === clinicId ? catalog : undefined), put: async () => ({ calendarKept: false, hoursKept: [] }) };
  let clock = now;
  const deps = {
    catalog: catalogStore,
    appointments: dynamoAppointmentStore(table),
    patients: dynamoPatientStore(table),
    audit: dynamoAuditLog(table),
    series: dynamoSeriesStore(table),
    authorizations: dynamoPriorAuthorizations(table),
    now: () => clock,
  };
  const availability = makeListAvailability(deps);
  const book = makeBookChosenSlot(deps);
  const schedule = makeGetDaySchedule(deps);
  const change = makeChangeAppointment(deps);
  const series = makeManageAppointmentSeries(deps);
  const call = async (
    handler: (event: ReturnType<typeof staffEvent>, context: typeof lambdaContext) => Promise<{ statusCode?: number; body?: string }>,
    routeKey: string,
    options: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; params?: Record<string, string> },
    person?: StaffClaims,
  ): Promise<Answer> => {
    const response = await handler(
      staffEvent({
        routeKey,
        pathParameters: { clinicId, ...options.params },
        ...(options.query ? { queryStringParameters: options.query } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(person ? { person: { clinicId, ...person } } : {}),
      }),
      lambdaContext,
    );
    return { status: response.statusCode ?? 0, body: JSON.parse(response.body ?? '{}') };
  };
  return {
    clinicId,
    catalog,
    catalogStore,
    appointments: deps.appointments,
    setNow: (next) => {
      clock = next;
    },
    async patient() {
      const patientId = randomUUID();
      await table.client.send(
        new PutCommand({ TableName: table.tableName, Item: { ...keys.patient(clinicId, patientId), type: 'Patient' } }),
      );
      return patientId;
    },
    availability: (query, person) => call(availability, 'GET /v1/clinics/{clinicId}/availability', { query }, person),
    book: (body, key = randomUUID(), person) =>
      call(book, 'POST /v1/clinics/{clinicId}/appointments', { body, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) }, person),
    schedule: (query, person) => call(schedule, 'GET /v1/clinics/{clinicId}/appointments', { query }, person),
    change: (appointmentId, verb, body, headers, person) =>
      call(
        change,
        `POST /v1/clinics/{clinicId}/appointments/{appointmentId}/${verb}`,
        { params: { appointmentId }, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) },
        person,
      ),
    bookSeries: (body, key = randomUUID()) =>
      call(series, 'POST /v1/clinics/{clinicId}/appointment-series', { body, headers: { 'Idempotency-Key': key } }),
    cancelSeries: (seriesId, body) =>
      call(series, 'POST /v1/clinics/{clinicId}/appointment-series/{seriesId}/cancel', { body, params: { seriesId } }),
  };
}
