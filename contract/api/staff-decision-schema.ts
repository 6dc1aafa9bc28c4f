import * as z from 'zod';

/** POST /v1/clinics/{clinicId}/staff-tasks/{taskId}/decision: what a person decides about a parked journey. */
export const StaffDecisionBodySchema = z
  .strictObject({
    action: z
      .enum(['RETRY', 'PROCEED', 'CANCEL'])
      .meta({ description: 'RETRY runs the stage again, PROCEED moves past it, CANCEL ends the journey.' }),
    note: z.string().trim().min(1).max(1000).optional().meta({ description: 'For the audit trail and colleagues.' }),
  })
  .meta({ id: 'StaffDecision' });

export type StaffDecisionBody = z.output<typeof StaffDecisionBodySchema>;

/** 200: the decision is recorded and the journey resumed (or, for a triage slip, the slip closed). */
export const StaffDecisionRecordedSchema = z
  .strictObject({
    taskId: z.string(),
    journeyId: z.string().optional(),
    action: z.enum(['RETRY', 'PROCEED', 'CANCEL']),
    status: z.literal('DECIDED'),
  })
  .meta({ id: 'StaffDecisionRecorded' });

export type StaffDecisionRecorded = z.output<typeof StaffDecisionRecordedSchema>;
