import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { AuthorizedEvent } from '#shared/http/authorized-clinic.ts';
import { httpErrors } from '#shared/http/http-errors.ts';
import type { HttpResponse } from '#shared/http/response.ts';
import { withTransientAwsErrors } from './errors.ts';
import type { StaffEvent } from './http/staff-principal.ts';
import { logger } from './observability.ts';

/**
 * The handler shapes of the product. Every handler module reads the same way:
 *
 *   (<Name>Deps: declared by the use case module — the ports it needs, and a clock)
 *   export function make<Name>(deps: <Name>Deps) {          the handler, built from its deps (tests pass fakes)
 *     return taskHandler(<Input>Schema, (input) => <useCase>(deps, input));
 *   }
 *   export const handler = make<Name>({ …adapters… });      the wiring, last: the only place that reads env vars
 *
 * All of them put the Lambda context (request ID, cold start) on every log line of the invocation.
 */
/** An API Gateway (HTTP API, payload 2.0) event that passed the clinic's authorizer. */
/** An HTTP API event, as the API-key authorizer (machines) or the JWT authorizer (staff) hands it over. */
export type ApiEvent = APIGatewayProxyEventV2 & AuthorizedEvent & StaffEvent;

/** Any other Lambda (e.g. the API's authorizer): the Lambda context on every log line, as the two shapes below add. */
export function lambdaHandler<E, R>(run: (event: E) => Promise<R>) {
  return middy<E, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(run);
}

/**
 * A Step Functions task: its input parsed with its contract schema (contract/journey-workflow.ts) before anything
 * runs, and an AWS outage surfacing as AwsServiceUnavailable for the workflow's Retry.
 */
export function taskHandler<S extends z.ZodType, R>(schema: S, run: (input: z.output<S>) => Promise<R>) {
  return middy<unknown, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(withTransientAwsErrors(async (event: unknown) => run(schema.parse(event))));
}

/** An HTTP route: an HttpError answers as itself, an AWS outage 503, anything else a bare 500 (http-errors.ts). */
export function httpHandler(run: (event: ApiEvent) => Promise<HttpResponse>) {
  return middy<ApiEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrors())
    .handler(run);
}
