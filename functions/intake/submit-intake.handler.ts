import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { IntakeSubmissionSchema } from '#contract/api/submission-schema.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { sfn } from '#shared/aws/sfn-client.ts';
import { requireEnv } from '#shared/env.ts';
import { httpHandler } from '#shared/handler.ts';
import { authorizedClinic } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { dynamoJourneyStore } from '#shared/journey-store.ts';
import { dynamoPatientStore } from '#shared/patient-store.ts';
import { secretProvider } from '#shared/secrets.ts';
import { systemClock, tableFromEnv } from '#shared/stores.ts';
import { dynamoIntakeStore } from './intake-store.ts';
import { sfnJourneyStarter } from './sfn-journey-starter-adapter.ts';
import type { SubmitIntakeDeps } from './submit-intake.ts';
import { submitIntake } from './submit-intake.ts';

/** 64 KiB: a full intake is a few KiB; anything near this is not a form submission. */
export const MAX_INTAKE_BODY_BYTES = 64 * 1024;

/** POST /v1/clinics/{clinicId}/intake-submissions: validates, records once, starts the journey (submit-intake.ts), answers 202. */
export function makeSubmitIntake(deps: SubmitIntakeDeps) {
  return httpHandler(async (event) => {
    const { clinicId, keyId } = authorizedClinic(event);
    const body = parseJsonBody(event, IntakeSubmissionSchema, { maxBytes: MAX_INTAKE_BODY_BYTES });
    const idempotencyKey = idempotencyKeyHeader(event);
    const result = await submitIntake(deps, { clinicId, actor: `api-key:${keyId}`, body, idempotencyKey, via: event.routeKey });
    if (result.outcome === 'KEY_REUSED') throw HttpError.withMessage(409, 'This Idempotency-Key was used with a different body');
    return json(202, result.response);
  });
}

const table = tableFromEnv();
export const handler = makeSubmitIntake({
  intakes: dynamoIntakeStore(table),
  journeys: dynamoJourneyStore(table),
  patients: dynamoPatientStore(table),
  audit: dynamoAuditLog(table),
  workflow: sfnJourneyStarter(sfn, requireEnv('journeyStateMachineArn')),
  now: systemClock,
  newId: randomUUID,
  sleep: (ms) => setTimeout(ms),
  identityKey: secretProvider('patientIdentityKey'),
});
