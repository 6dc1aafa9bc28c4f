import * as z from 'zod';

/**
 * GET /v1/clinics/{clinicId}/journeys/{journeyId}: the journey as the front desk sees it (functions/journey/journey-view.ts
 * builds it). Strict, so a test can prove the view never carries a field the documentation does not list.
 */
export const JOURNEY_STATUSES = ['RUNNING', 'WAITING_FOR_STAFF', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;
export const STAGE_NAMES = ['INTAKE', 'ELIGIBILITY', 'SCHEDULING', 'PAYMENT', 'CONFIRMATION'] as const;
export const STAGE_STATUSES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'WAITING_FOR_STAFF', 'FAILED', 'SKIPPED'] as const;

export const StageViewSchema = z
  .strictObject({
    name: z.enum(STAGE_NAMES),
    status: z.enum(STAGE_STATUSES),
    at: z.iso.datetime().meta({ description: 'When the stage last changed.' }),
    reason: z.string().optional().meta({ description: 'Why the stage waits or failed, in words staff can act on.' }),
    staffTaskId: z
      .string()
      .optional()
      .meta({ description: 'The staff task to decide (POST staff-tasks/{taskId}/decision) while the stage waits.' }),
  })
  .meta({ id: 'StageView' });

export const AppointmentViewSchema = z
  .strictObject({
    appointmentId: z.string(),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    timeZone: z.string().meta({ description: 'IANA time zone of the location', example: 'America/New_York' }),
    location: z.strictObject({ name: z.string(), address: z.string() }),
    department: z.string().meta({ description: 'Department name' }),
    provider: z.string().meta({ description: 'Provider name' }),
    resource: z.string().optional().meta({ description: 'Room or device held for the visit, e.g. the MRI scanner' }),
    status: z.enum(['CANCELLED']).optional().meta({ description: 'Present when the clinic cancelled the appointment.' }),
  })
  .meta({ id: 'AppointmentView' });

export const JourneyViewSchema = z
  .strictObject({
    journeyId: z.string(),
    clinicId: z.string(),
    submissionId: z.string(),
    status: z.enum(JOURNEY_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    stages: z.array(StageViewSchema).meta({ description: 'Every stage, in workflow order.' }),
    appointment: AppointmentViewSchema.nullable().meta({ description: 'null until an appointment is booked.' }),
    amounts: z
      .strictObject({
        currency: z.literal('USD'),
        dueCents: z.int().min(0).optional().meta({ description: 'What the patient owes for this visit (copay or estimate).' }),
        paidCents: z.int().min(0).optional(),
      })
      .meta({ id: 'Amounts' }),
    coverage: z
      .strictObject({
        status: z.enum(['ACTIVE', 'INACTIVE', 'REJECTED', 'UNKNOWN']),
        network: z.enum(['IN', 'OUT']),
        copayCents: z.int().optional(),
        coinsurancePercent: z.number().optional(),
        deductibleRemainingCents: z.int().optional(),
        outOfPocketRemainingCents: z.int().optional(),
        priorAuthorization: z.enum(['REQUIRED', 'NOT_REQUIRED', 'UNKNOWN']),
        needsReview: z.boolean().meta({ description: 'The payer’s answer does not decide: staff look at it (the eligibility task).' }),
        payerId: z.string().optional().meta({ description: 'The payer whose terms these are: the plan that pays first.' }),
        otherPlan: z
          .strictObject({ payerId: z.string(), paysSecond: z.literal(true), active: z.boolean().optional(), basis: z.string() })
          .optional()
          .meta({ description: 'A second plan on file, checked too: it pays after `payerId`, for the reason given.' }),
        estimate: z
          .strictObject({
            allowedAmountCents: z.int(),
            allowedAmountFrom: z.enum(['payer-rate', 'clinic']),
            lines: z.array(z.strictObject({ term: z.string(), cents: z.int(), detail: z.string() })),
          })
          .optional()
          .meta({ description: 'How `amounts.dueCents` was reached, term by term.' }),
        checkedAt: z.string(),
      })
      .optional()
      .meta({
        id: 'CoverageReading',
        description: "The last eligibility check's terms for the visit's service (the payer's own words are shown to staff only).",
      }),
  })
  .meta({ id: 'JourneyView', description: 'Status, stages, appointment, amounts and coverage terms; no clinical details.' });

export type JourneyViewBody = z.output<typeof JourneyViewSchema>;
