import type { JourneyRecord } from '#model/journey.ts';
import { STAGES } from '#model/journey.ts';

/**
 * The journey as an API client sees it. Built field by field from an allow-list, never by spreading the record, so
 * nothing clinical, no birth date and no member ID can leak into it when the record grows.
 */
export function toJourneyView(journey: JourneyRecord) {
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
  };
}

export type JourneyView = ReturnType<typeof toJourneyView>;
