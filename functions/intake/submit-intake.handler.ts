import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { IntakeSubmissionSchema } from '#contract/api/submission-schema.ts';
import { dynamo, sfn } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { authorizedClinic, type ClinicAuthorization } from '#shared/http/authorized-clinic.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import { idempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { parseJsonBody } from '#shared/http/parse-json-body.ts';
import { type HttpResponse, json } from '#shared/http/response.ts';
import { dynamoIntakeStore } from './intake-store.ts';
import { sfnJourneyStarter } from './sfn-journey-starter-adapter.ts';
import { makeSubmitIntake } from './submit-intake.ts';

/** 64 KiB: a full intake is a few KiB; anything near this is not a form submission. */
export const MAX_INTAKE_BODY_BYTES = 64 * 1024;

const table = { client: dynamo, tableName: requireEnv('tableName') };
const submitIntake = makeSubmitIntake({
  store: dynamoIntakeStore(table),
  journeys: sfnJourneyStarter(sfn, requireEnv('journeyStateMachineArn')),
});

/** POST /v1/clinics/{clinicId}/intake-submissions: validate, record once, start the journey, answer 202. */
export const handler = middy<APIGatewayProxyEventV2WithLambdaAuthorizer<ClinicAuthorization>, HttpResponse>()
  .use(httpErrors())
  .handler(async (event) => {
    const { clinicId, keyId } = authorizedClinic(event);
    const body = parseJsonBody(event, IntakeSubmissionSchema, { maxBytes: MAX_INTAKE_BODY_BYTES });
    const idempotencyKey = idempotencyKeyHeader(event);
    const result = await submitIntake({ clinicId, actor: `api-key:${keyId}`, body, idempotencyKey });
    if (result.outcome === 'KEY_REUSED') throw HttpError.withMessage(409, 'This Idempotency-Key was used with a different body');
    return json(202, result.response);
  });
