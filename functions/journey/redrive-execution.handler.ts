import { staffRolesOf } from '#contract/api-routes.ts';
import { sfn } from '#shared/aws/sfn-client.ts';
import { requireEnv } from '#shared/env.ts';
import { escalationsFromEnv } from '#shared/escalation-schedule-adapter.ts';
import { httpHandler } from '#shared/handler.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { json } from '#shared/http/response.ts';
import { staffPrincipal } from '#shared/http/staff-principal.ts';
import { emfJourneyMetrics } from '#shared/journey-metrics.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import { type RedriveExecutionDeps, redriveExecution } from './redrive-execution.ts';
import { sfnJourneyEngine, sfnJourneyExecutions } from './sfn-journey-engine-adapter.ts';

/** POST /v1/ops/executions/{executionId}/redrive: ops redrive a stopped journey execution (redrive-execution.ts). */
const ROLES = staffRolesOf('redriveExecution');

export function makeRedriveExecution(deps: RedriveExecutionDeps) {
  return httpHandler(async (event) => {
    const person = staffPrincipal(event, ROLES, { deploymentWide: true });
    const { executionId } = pathIds(event, ['executionId']);
    return json(200, await redriveExecution(deps, person, executionId, event.routeKey));
  });
}

export const handler = makeRedriveExecution({
  ...dynamoStores(tableFromEnv()),
  engine: sfnJourneyEngine(sfn),
  executions: sfnJourneyExecutions(sfn, requireEnv('journeyStateMachineArn')),
  escalations: escalationsFromEnv(),
  metrics: emfJourneyMetrics(),
  now: systemClock,
});
