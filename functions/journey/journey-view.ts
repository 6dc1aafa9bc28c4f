import type { EligibilityCheckRecord } from '#model/benefits-reading.ts';
import type { JourneyRecord } from '#model/journey.ts';
import { STAGES } from '#model/journey.ts';

/**
 * The journey as an API client sees it. Built field by field from an allow-list, never by spreading the record, so
 * nothing clinical, no birth date and no member ID can leak into it when the record grows. The coverage terms come from
 * the last eligibility check, without the payer's free text (staff read it in the eligibility task).
 */
export function toJourneyView(journey: JourneyRecord, check?: EligibilityCheckRecord) {
  const reading = check?.summary.benefits;
  const appointment = journey.appointment;
  return {
    journeyId: journey.journeyId,
    clinicId: journey.clinicId,
    submissionId: journey.submissionId,
    status: journey.status,
    createdAt: journey.createdAt,
    updatedAt: journey.updatedAt,
    stages: STAGES.map((name) => {
      const stage = journey.stages[name];
      return {
        name,
        status: stage.status,
        at: stage.at,
        ...(stage.reason ? { reason: stage.reason } : {}),
        ...(stage.staffTaskId ? { staffTaskId: stage.staffTaskId } : {}),
      };
    }),
    appointment: appointment
      ? {
          appointmentId: appointment.appointmentId,
          start: appointment.start,
          end: appointment.end,
          timeZone: appointment.timeZone,
          location: { name: appointment.location.name, address: appointment.location.address },
          department: appointment.department.name,
          provider: appointment.provider.name,
          ...(appointment.resource ? { resource: appointment.resource.name } : {}),
          ...(appointment.status ? { status: appointment.status } : {}),
        }
      : null,
    amounts: {
      currency: journey.amounts.currency,
      ...(journey.amounts.dueCents !== undefined ? { dueCents: journey.amounts.dueCents } : {}),
      ...(journey.amounts.paidCents !== undefined ? { paidCents: journey.amounts.paidCents } : {}),
    },
    ...(check && reading
      ? {
          coverage: {
            status: reading.status,
            network: reading.network,
            ...(check.summary.copayCents !== undefined ? { copayCents: check.summary.copayCents } : {}),
            ...(check.summary.coinsurancePercent !== undefined ? { coinsurancePercent: check.summary.coinsurancePercent } : {}),
            ...(check.summary.deductibleRemainingCents !== undefined
              ? { deductibleRemainingCents: check.summary.deductibleRemainingCents }
              : {}),
            ...(check.summary.outOfPocketRemainingCents !== undefined
              ? { outOfPocketRemainingCents: check.summary.outOfPocketRemainingCents }
              : {}),
            priorAuthorization: reading.priorAuthorization,
            needsReview: check.summary.outcome !== 'ACTIVE',
            ...(check.payerId ? { payerId: check.payerId } : {}),
            ...(check.coordination?.secondaryPayerId
              ? {
                  otherPlan: {
                    payerId: check.coordination.secondaryPayerId,
                    paysSecond: true as const,
                    ...(check.coordination.secondaryActive !== undefined ? { active: check.coordination.secondaryActive } : {}),
                    basis: check.coordination.basis,
                  },
                }
              : {}),
            ...(check.estimate
              ? {
                  estimate: {
                    allowedAmountCents: check.estimate.allowedAmountCents,
                    allowedAmountFrom: check.estimate.allowedAmountFrom,
                    lines: check.estimate.lines,
                  },
                }
              : {}),
            checkedAt: check.checkedAt,
          },
        }
      : {}),
  };
}

export type JourneyView = ReturnType<typeof toJourneyView>;
