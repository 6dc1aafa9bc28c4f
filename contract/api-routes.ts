import type { FunctionName } from './function-catalog.ts';

/**
 * The HTTP API's routes, declared once: the CDK stack creates them on API Gateway (HTTP API, payload format 2.0)
 * and the local API server serves them with the same event shape. Every route goes through the API-key authorizer,
 * which scopes the key to the {clinicId} in the path, unless it is marked `public`.
 */
export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  function: FunctionName;
  /**
   * Served without the authorizer. Only for content that is the same for everyone and says nothing about any clinic
   * or patient (the API's own description). @default false
   */
  public?: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/v1/clinics/{clinicId}/intake-submissions', function: 'submitIntake' },
  { method: 'GET', path: '/v1/clinics/{clinicId}/journeys/{journeyId}', function: 'getJourney' },
  { method: 'POST', path: '/v1/clinics/{clinicId}/staff-tasks/{taskId}/decision', function: 'decideStaffTask' },
  { method: 'GET', path: '/openapi.json', function: 'getOpenApiDocument', public: true },
];

export const API_AUTHORIZER: FunctionName = 'authorizeApiKey';
