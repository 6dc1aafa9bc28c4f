import { PatientCorrectionSchema } from '#contract/api/correction-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { httpHandler } from '#shared/handler.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { secretProvider } from '#shared/secrets.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type CorrectPatientDeps, correctPatient } from './correct-patient.ts';

/** PATCH /v1/clinics/{clinicId}/journeys/{journeyId}/patient: staff correct demographics and contact details (correct-patient.ts). */
const ROLES = staffRolesOf('correctPatient');

export function makeCorrectPatient(deps: CorrectPatientDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES);
    const { journeyId } = pathIds(event, ['journeyId']);
    const body = parseJsonBody(event, PatientCorrectionSchema, { maxBytes: 8192 });
    return json(200, await correctPatient(deps, person, journeyId, body, event.routeKey));
  });
}

export const handler = makeCorrectPatient({
  ...dynamoStores(tableFromEnv()),
  identityKey: secretProvider('patientIdentityKey'),
  now: systemClock,
});
