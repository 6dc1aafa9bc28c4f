import { CoverageCorrectionSchema } from '#contract/api/correction-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { correctCoverage } from './correct-coverage.ts';
import type { CorrectionDeps } from './correction-context.ts';

/** PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/coverage: staff correct the insurance on file (correct-coverage.ts). */
const ROLES = staffRolesOf('correctCoverage');

export function makeCorrectCoverage(deps: CorrectionDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { journeyId } = pathIds(event, ['journeyId']);
    const body = parseJsonBody(event, CoverageCorrectionSchema, { maxBytes: 4096 });
    return json(200, await correctCoverage(deps, person, journeyId, body, event.routeKey));
  });
}

export const handler = makeCorrectCoverage({ ...dynamoStores(tableFromEnv()), now: systemClock });
