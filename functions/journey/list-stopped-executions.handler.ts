import { StoppedExecutionsQuerySchema } from '#contract/api/ops-schema.ts';
import { staffRolesOf } from '#contract/api-routes.ts';
import { sfn } from '#shared/aws/sfn-client.ts';
import { requireEnv } from '#shared/env.ts';
import { httpHandler } from '#shared/handler.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { dynamoStores, tableFromEnv } from '#shared/stores.ts';
import { type ListStoppedExecutionsDeps, listStoppedExecutions } from './list-stopped-executions.ts';
import { sfnJourneyExecutions } from './sfn-journey-engine-adapter.ts';

/** GET /v1/ops/executions: the deployment's stopped journey executions, for ops (list-stopped-executions.ts). */
const ROLES = staffRolesOf('listStoppedExecutions');

export function makeListStoppedExecutions(deps: ListStoppedExecutionsDeps) {
  return httpHandler(async (event) => {
    staffPrincipal(event, ROLES, { deploymentWide: true });
    const query = validateBody(StoppedExecutionsQuerySchema, event.queryStringParameters ?? {});
    return json(200, await listStoppedExecutions(deps, query));
  });
}

export const handler = makeListStoppedExecutions({
  ...dynamoStores(tableFromEnv()),
  executions: sfnJourneyExecutions(sfn, requireEnv('journeyStateMachineArn')),
});
