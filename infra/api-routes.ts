import type { FunctionName } from './function-catalog.ts';

/**
 * The HTTP API's routes, declared once: the CDK stack creates them on API Gateway (HTTP API, payload format 2.0)
 * and the local API server serves them with the same event shape. All routes but the OpenAPI document go through
 * the API-key authorizer, which scopes the key to the {clinicId} in the path.
 */
export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  function: FunctionName;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/v1/clinics/{clinicId}/intake-submissions', function: 'submitIntake' },
  { method: 'GET', path: '/v1/clinics/{clinicId}/journeys/{journeyId}', function: 'getJourney' },
  { method: 'POST', path: '/v1/clinics/{clinicId}/staff-tasks/{taskId}/decision', function: 'decideStaffTask' },
];

export const API_AUTHORIZER: FunctionName = 'authorizeApiKey';
