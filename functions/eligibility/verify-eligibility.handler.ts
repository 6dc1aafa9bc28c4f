import { z } from 'zod';
import type { EligibilityResult, JourneyRef } from '#contract/journey-workflow.ts';
import { estimatePatientResponsibility } from '#model/patient-share.ts';
import { dynamo } from '#shared/aws-clients.ts';
import { requireEnv } from '#shared/env.ts';
import { withTransientAwsErrors } from '#shared/errors.ts';
import { beginAttempt, updateStage } from '#shared/journey-store.ts';
import { log } from '#shared/observability.ts';
import type { TableRef } from '#shared/table.ts';
import type { EligibilityPort } from './eligibility-port.ts';
import { loadEligibilityContext, putEligibilityCheck } from './eligibility-store.ts';
import { interpretEligibility } from './interpret-eligibility.ts';
import { prepareEligibilityCheck } from './prepare-eligibility-check.ts';
import { stediEligibilityAdapterFromEnv } from './stedi-eligibility-adapter.ts';

export interface VerifyEligibilityDeps {
  table: TableRef;
  eligibility: EligibilityPort;
  now?: () => Date;
}

const journeyRefSchema = z.object({ clinicId: z.string().min(1), journeyId: z.string().min(1) });

/**
 * Journey task VerifyEligibility: asks the payer (through the clearinghouse) whether the patient's plan covers the
 * appointment type, records the result and the patient's estimated share, and returns only the outcome.
 * ACTIVE completes the stage; anything else leaves it WAITING_FOR_STAFF with a reason (ParkForStaff opens the task).
 * A clearinghouse outage throws ClearinghouseUnavailable for the workflow's Retry.
 */
export function makeHandler(deps: VerifyEligibilityDeps) {
  return async (event: JourneyRef): Promise<EligibilityResult> => {
    const ref = journeyRefSchema.parse(event);
    const now = deps.now?.() ?? new Date();
    const journey = await beginAttempt(deps.table, ref);

    const context = await loadEligibilityContext(deps.table, journey, now);
    const prepared = prepareEligibilityCheck(context);
    const summary =
      prepared.kind === 'inquire'
        ? interpretEligibility(await deps.eligibility.check(prepared.request), prepared.request)
        : prepared.summary;
    const dueCents =
      summary.coverageActive && prepared.appointmentType
        ? estimatePatientResponsibility(summary, prepared.appointmentType.allowedAmountCents)
        : undefined;

    await putEligibilityCheck(deps.table, {
      type: 'EligibilityCheck',
      clinicId: ref.clinicId,
      journeyId: ref.journeyId,
      appointmentTypeCode: context.appointmentTypeCode,
      serviceTypeCode: summary.serviceTypeCode,
      ...(prepared.kind === 'inquire' ? { payerId: prepared.request.payer.id, controlNumber: prepared.request.controlNumber } : {}),
      summary,
      ...(dueCents !== undefined ? { dueCents } : {}),
      checkedAt: now.toISOString(),
    });
    // The estimate is kept even when staff must review (e.g. prior authorisation), so PROCEED can still collect it.
    const amounts = dueCents !== undefined ? { amounts: { dueCents } } : {};
    await updateStage(
      deps.table,
      journey,
      'ELIGIBILITY',
      summary.outcome === 'ACTIVE'
        ? { status: 'COMPLETED', ...amounts }
        : { status: 'WAITING_FOR_STAFF', reason: summary.reason, ...amounts },
      now,
    );
    log.info('Eligibility checked', { clinicId: ref.clinicId, journeyId: ref.journeyId, stage: 'ELIGIBILITY', outcome: summary.outcome });
    return { outcome: summary.outcome };
  };
}

export const handler = withTransientAwsErrors(
  makeHandler({
    table: { client: dynamo, tableName: requireEnv('tableName') },
    eligibility: stediEligibilityAdapterFromEnv(),
  }),
);
