import type { FunctionName } from './function-catalog.ts';
import type { StaffRole } from './staff-roles.ts';

/**
 * Who may call a route:
 * - `clinic-key`: a machine (the clinic's form system) with the clinic's API key, checked by the API-key Lambda
 *   authorizer, which scopes the key to the {clinicId} in the path;
 * - `staff`: a signed-in person, with an ID token of the staff user pool checked by API Gateway's JWT authorizer
 *   (issuer, audience, signature, expiry); the route's function then requires the token's clinic to be the path's and
 *   one of `roles` (401/403, functions/shared/http/staff-principal.ts);
 * - `public`: no one in particular. Only for content that is the same for everyone and says nothing about any clinic
 *   or patient (the API's own description).
 * - `capability`: whoever holds the unguessable token in the path, which the route's function checks (a link sent to
 *   one patient: a waitlist offer). No authorizer; the token is good for one thing, and only until it is used up.
 */
export type RouteAuth =
  | { kind: 'clinic-key' }
  | { kind: 'staff'; roles: readonly StaffRole[] }
  | { kind: 'public' }
  | { kind: 'capability' };

/**
 * The HTTP API's routes, declared once: the CDK stack creates them on API Gateway (HTTP API, payload format 2.0)
 * and the local API server serves them with the same event shape and the same authorizers.
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  function: FunctionName;
  auth: RouteAuth;
}

const CLINIC_KEY: RouteAuth = { kind: 'clinic-key' };
/** Every staff role: the route's use case then limits each person to the queues their roles work (contract/staff-queues.ts). */
const ANY_STAFF: RouteAuth = { kind: 'staff', roles: ['front-desk', 'billing', 'clinical', 'radiology', 'ops', 'admin'] };
const STAFF_TASK = '/v1/clinics/{clinicId}/staff-tasks/{taskId}';
/** Who corrects a patient's record and insurance: the front desk and billing (and admins), not clinicians or ops. */
const CORRECTORS: RouteAuth = { kind: 'staff', roles: ['front-desk', 'billing', 'admin'] };
/**
 * Who books, moves and cancels appointments, and keeps the waitlist: the desk, radiology's schedulers and admins.
 * Clinicians see availability and mark visits arrived, missed or done (changeAppointment lets them do only those).
 */
export const BOOKING_ROLES = ['front-desk', 'radiology', 'admin'] as const satisfies readonly StaffRole[];
const BOOKERS: RouteAuth = { kind: 'staff', roles: BOOKING_ROLES };
/** Who looks up open time and changes a visit's status: the bookers and clinicians. */
const SCHEDULERS: RouteAuth = { kind: 'staff', roles: [...BOOKING_ROLES, 'clinical'] };
const APPOINTMENT = '/v1/clinics/{clinicId}/appointments/{appointmentId}';
const ADMINS: RouteAuth = { kind: 'staff', roles: ['admin'] };
const ORDER_TAKERS: RouteAuth = { kind: 'staff', roles: ['front-desk', 'radiology', 'admin'] };
/** Who works prior authorizations: radiology (the authorization queue) and admins; the cases carry diagnosis codes. */
const AUTHORIZERS: RouteAuth = { kind: 'staff', roles: ['radiology', 'admin'] };

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/v1/clinics/{clinicId}/intake-submissions', function: 'submitIntake', auth: CLINIC_KEY },
  { method: 'GET', path: '/v1/clinics/{clinicId}/journeys/{journeyId}', function: 'getJourney', auth: CLINIC_KEY },
  // Whoever takes calls and questions logs them; the task goes to the queue the clinic routes the category to.
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/contacts',
    function: 'logContact',
    auth: { kind: 'staff', roles: ['front-desk', 'clinical', 'billing', 'radiology', 'admin'] },
  },
  { method: 'GET', path: '/v1/clinics/{clinicId}/staff-tasks', function: 'listStaffTasks', auth: ANY_STAFF },
  { method: 'GET', path: STAFF_TASK, function: 'getStaffTask', auth: ANY_STAFF },
  { method: 'POST', path: `${STAFF_TASK}/claim`, function: 'workStaffTask', auth: ANY_STAFF },
  { method: 'POST', path: `${STAFF_TASK}/release`, function: 'workStaffTask', auth: ANY_STAFF },
  { method: 'POST', path: `${STAFF_TASK}/notes`, function: 'workStaffTask', auth: ANY_STAFF },
  // Only clinicians dispose a triage slip.
  { method: 'POST', path: `${STAFF_TASK}/disposition`, function: 'disposeTriageSlip', auth: { kind: 'staff', roles: ['clinical'] } },
  // Whoever works the task's queue (decide-staff-task.ts, rolesForTask); ops may decide a stopped execution's task too.
  { method: 'POST', path: `${STAFF_TASK}/decision`, function: 'decideStaffTask', auth: ANY_STAFF },
  // Journeys by status and stage, for staff and ops alike: IDs, statuses and times, nothing of the patient.
  { method: 'GET', path: '/v1/clinics/{clinicId}/journeys', function: 'listJourneys', auth: ANY_STAFF },
  { method: 'GET', path: '/v1/clinics/{clinicId}/journeys/{journeyId}/timeline', function: 'getJourneyTimeline', auth: ANY_STAFF },
  // Corrections of what made a stage fail (the journey's patient and their insurance), before a RETRY.
  { method: 'PATCH', path: '/v1/clinics/{clinicId}/journeys/{journeyId}/coverage', function: 'correctCoverage', auth: CORRECTORS },
  { method: 'PATCH', path: '/v1/clinics/{clinicId}/journeys/{journeyId}/patient', function: 'correctPatient', auth: CORRECTORS },
  // The physician's order a journey parked at scheduling waits for: whoever obtains orders (the desk, radiology).
  { method: 'PATCH', path: '/v1/clinics/{clinicId}/journeys/{journeyId}/order', function: 'attachOrder', auth: ORDER_TAKERS },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/journeys/{journeyId}/duplicate-resolution',
    function: 'resolveDuplicate',
    auth: CORRECTORS,
  },
  // Scheduling: availability, staff bookings, the day schedule (billing reads it for completed visits) and changes.
  { method: 'GET', path: '/v1/clinics/{clinicId}/availability', function: 'listAvailability', auth: SCHEDULERS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/appointments', function: 'bookChosenSlot', auth: BOOKERS },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments',
    function: 'getDaySchedule',
    auth: { kind: 'staff', roles: ['front-desk', 'radiology', 'clinical', 'billing', 'admin'] },
  },
  // Moving and cancelling are booking work; clinicians mark arrivals, no-shows and completed visits.
  { method: 'POST', path: `${APPOINTMENT}/reschedule`, function: 'changeAppointment', auth: BOOKERS },
  { method: 'POST', path: `${APPOINTMENT}/cancel`, function: 'changeAppointment', auth: BOOKERS },
  { method: 'POST', path: `${APPOINTMENT}/check-in`, function: 'changeAppointment', auth: SCHEDULERS },
  { method: 'POST', path: `${APPOINTMENT}/no-show`, function: 'changeAppointment', auth: SCHEDULERS },
  { method: 'POST', path: `${APPOINTMENT}/complete`, function: 'changeAppointment', auth: SCHEDULERS },
  // A visit's prior authorization: what the payer needs, and what it did (an approval confirms the visit).
  { method: 'GET', path: `${APPOINTMENT}/authorization`, function: 'managePriorAuthorization', auth: AUTHORIZERS },
  { method: 'POST', path: `${APPOINTMENT}/authorization`, function: 'managePriorAuthorization', auth: AUTHORIZERS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/appointment-series', function: 'manageAppointmentSeries', auth: BOOKERS },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/appointment-series/{seriesId}/cancel',
    function: 'manageAppointmentSeries',
    auth: BOOKERS,
  },
  // The waitlist: schedulers put patients in line and read it; a patient accepts an offer through its emailed link.
  { method: 'POST', path: '/v1/clinics/{clinicId}/waitlist', function: 'manageWaitlist', auth: BOOKERS },
  { method: 'GET', path: '/v1/clinics/{clinicId}/waitlist', function: 'manageWaitlist', auth: BOOKERS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/waitlist/{entryId}/remove', function: 'manageWaitlist', auth: BOOKERS },
  { method: 'GET', path: '/v1/clinics/{clinicId}/waitlist-offers/{token}', function: 'waitlistOffer', auth: { kind: 'capability' } },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/waitlist-offers/{token}/accept',
    function: 'waitlistOffer',
    auth: { kind: 'capability' },
  },
  // When the clinic works: weekly hours, closures, time off and blocks, maintained by its admins.
  { method: 'GET', path: '/v1/clinics/{clinicId}/calendar', function: 'maintainCalendar', auth: ADMINS },
  { method: 'PATCH', path: '/v1/clinics/{clinicId}/resources/{resourceId}/hours', function: 'maintainCalendar', auth: ADMINS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/closures', function: 'maintainCalendar', auth: ADMINS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/closures/{closureId}/remove', function: 'maintainCalendar', auth: ADMINS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/unavailability', function: 'maintainCalendar', auth: ADMINS },
  { method: 'POST', path: '/v1/clinics/{clinicId}/unavailability/{entryId}/remove', function: 'maintainCalendar', auth: ADMINS },
  // Who touched a patient's data: admins only (the trail holds IDs, but says whose records each person opened).
  { method: 'GET', path: '/v1/clinics/{clinicId}/audit-events', function: 'listAuditEvents', auth: ADMINS },
  // The ops view, about the whole deployment (no clinic in the path): ops people only.
  { method: 'GET', path: '/v1/ops/executions', function: 'listStoppedExecutions', auth: { kind: 'staff', roles: ['ops'] } },
  {
    method: 'POST',
    path: '/v1/ops/executions/{executionId}/redrive',
    function: 'redriveExecution',
    auth: { kind: 'staff', roles: ['ops'] },
  },
  { method: 'GET', path: '/openapi.json', function: 'getOpenApiDocument', auth: { kind: 'public' } },
];

export const API_AUTHORIZER: FunctionName = 'authorizeApiKey';

/**
 * The roles that may call one staff route, by its API Gateway route key (`POST /v1/…`): for a function whose routes
 * differ in who may call them (changeAppointment: clinicians check in, only bookers move or cancel).
 */
export function staffRolesOfRoute(routeKey: string): readonly StaffRole[] {
  const route = API_ROUTES.find((r) => `${r.method} ${r.path}` === routeKey);
  if (route?.auth.kind !== 'staff') throw new Error(`${routeKey} is not a staff route`);
  return route.auth.roles;
}

/** The roles that may call the staff routes a function serves (all of them alike: one function, one set of roles). */
export function staffRolesOf(functionName: FunctionName): readonly StaffRole[] {
  const auths = API_ROUTES.filter((route) => route.function === functionName).map((route) => route.auth);
  const [auth] = auths;
  if (auth?.kind !== 'staff' || auths.some((other) => JSON.stringify(other) !== JSON.stringify(auth)))
    throw new Error(`${functionName} serves no staff route, or staff routes with different roles`);
  return auth.roles;
}
