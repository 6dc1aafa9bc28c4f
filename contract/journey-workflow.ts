/**
 * The contract between the journey's state machines and their task handlers: PatientJourney
 * (workflows/patient-journey.asl.json, STANDARD), which holds a journey while it waits for a person, and
 * JourneyStages (workflows/journey-stages.asl.json, EXPRESS), which runs the automatic stages.
 * Everything here travels through Step Functions execution history, so it holds opaque IDs and outcomes only —
 * never names, birth dates, member IDs or answers (PHI discipline, see docs/decisions.md).
 */

import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';

/** The execution input, and what every task receives. Each task parses its input with its schema below. */
export const JourneyRefSchema = z.object({ clinicId: PathIdSchema, journeyId: PathIdSchema });
export type JourneyRef = z.infer<typeof JourneyRefSchema>;

export const StageNameSchema = z.enum(['INTAKE', 'ELIGIBILITY', 'SCHEDULING', 'PAYMENT', 'CONFIRMATION']);
export type StageName = z.infer<typeof StageNameSchema>;
export type StageStatus = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'WAITING_FOR_STAFF' | 'FAILED' | 'SKIPPED';
export type JourneyStatus = 'RUNNING' | 'WAITING_FOR_STAFF' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** VerifyEligibility → $.eligibility */
export interface EligibilityResult {
  /** ACTIVE and SELF_PAY (staff confirmed the patient pays themselves) go on to scheduling; the others park. */
  outcome: 'ACTIVE' | 'SELF_PAY' | 'INACTIVE' | 'MEMBER_NOT_FOUND' | 'NEEDS_REVIEW';
}

/** BookAppointment → $.booking */
export interface BookingResult {
  /**
   * BOOKED goes on to payment and the confirmation. NO_SLOT parks; so does AWAITING_AUTHORIZATION: the visit is booked
   * (its time held) but waits for the payer's prior authorization, and is not charged or confirmed until approved.
   */
  outcome: 'BOOKED' | 'NO_SLOT' | 'AWAITING_AUTHORIZATION';
  appointmentId?: string;
}

/** CollectPayment → $.payment */
export interface PaymentResult {
  /** DECLINED and NO_PAYMENT_METHOD keep the appointment and send the patient a payment request. */
  outcome: 'PAID' | 'DECLINED' | 'NOTHING_DUE' | 'NO_PAYMENT_METHOD' | 'DEFERRED';
}

/** SendCorrespondence input (Parameters of SendConfirmation / SendPaymentRequest). */
export const CorrespondenceRequestSchema = JourneyRefSchema.extend({ kind: z.enum(['APPOINTMENT_CONFIRMATION', 'PAYMENT_REQUEST']) });
export type CorrespondenceRequest = z.infer<typeof CorrespondenceRequestSchema>;
export type CorrespondenceKind = CorrespondenceRequest['kind'];

/**
 * CollectPayment input: CHARGE (CollectPayment) charges what is due unless the processor already holds a charge;
 * DEFER (DeferPayment, after staff PROCEED at a payment park) never charges.
 */
export const CollectPaymentRequestSchema = JourneyRefSchema.extend({ mode: z.enum(['CHARGE', 'DEFER']).default('CHARGE') });
export type CollectPaymentRequest = z.input<typeof CollectPaymentRequestSchema>;
export type CollectPaymentMode = z.output<typeof CollectPaymentRequestSchema>['mode'];

/** SendCorrespondence → $.correspondence (ResultPath); never read by a Choice, kept for the execution history. */
export interface CorrespondenceResult {
  outcome: 'SENT' | 'ALREADY_SENT' | 'NO_CONSENT' | 'NOT_NEEDED';
}

/**
 * Where a run of JourneyStages stops for a person, and the stage it stops at: each is a Pass state of
 * journey-stages.asl.json, routed back to its *StaffDecision Choice when the run resumes (a test holds them together).
 */
export const CHECKPOINTS = {
  IntakeNeedsStaff: 'INTAKE',
  EligibilityNeedsStaff: 'ELIGIBILITY',
  SchedulingNeedsStaff: 'SCHEDULING',
  PaymentNeedsStaff: 'PAYMENT',
  ConfirmationNeedsStaff: 'CONFIRMATION',
  PaymentRequestNeedsStaff: 'CONFIRMATION',
} as const satisfies Record<string, StageName>;
export type Checkpoint = keyof typeof CHECKPOINTS;
export const CheckpointSchema = z.enum(Object.keys(CHECKPOINTS) as [Checkpoint, ...Checkpoint[]]);

/** The checkpoint that retries a stage from its start, for a stop that named none (a time-out, a crash). */
export const STAGE_CHECKPOINT: Readonly<Record<StageName, Checkpoint>> = {
  INTAKE: 'IntakeNeedsStaff',
  ELIGIBILITY: 'EligibilityNeedsStaff',
  SCHEDULING: 'SchedulingNeedsStaff',
  PAYMENT: 'PaymentNeedsStaff',
  CONFIRMATION: 'ConfirmationNeedsStaff',
};

/** The error JourneyStages fails with at a checkpoint; its cause is a StageStop as JSON text (DescribeStop). */
export const STAGES_STOPPED_FOR_STAFF = 'JourneyNeedsStaff';

/**
 * parkForStaff's log message when a run of the stages ended without naming a checkpoint (a time-out, a crash, a
 * workflow bug): the stack's metric filter counts it and alarms (infra/constructs/monitoring.ts).
 */
export const UNEXPECTED_STOP_MESSAGE = 'Journey stages stopped without a checkpoint';

/**
 * The log message of a staff task whose overdue escalation could not be scheduled (functions/shared/staff-alerts.ts):
 * the task is open and listed, but its queue's lead will not hear of it when it is due. An alarm counts it.
 */
export const ESCALATION_NOT_SCHEDULED_MESSAGE = 'Escalation not scheduled';

/** What DescribeStop writes into the stop's cause. */
export const StageStopSchema = z.object({
  checkpoint: CheckpointSchema,
  stage: StageNameSchema,
  /** The Catch's output when a stage failed after its retries; `{}` for a business outcome (seeded by the workflow). */
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type StageStop = z.infer<typeof StageStopSchema>;

/** A caught failure: `Error` and `Cause` as Step Functions' Catch writes them (ResultPath). */
export const CaughtErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/** ParkForStaff input (HoldForStaff, sent with .waitForTaskToken): how RunStages ended; the journey resumes when staff decide. */
export const ParkForStaffRequestSchema = JourneyRefSchema.extend({
  taskToken: z.string().min(1),
  stopped: CaughtErrorSchema,
});
export type ParkForStaffRequest = z.infer<typeof ParkForStaffRequestSchema>;

/** What staff decide. */
export interface StaffDecision {
  /** RETRY runs the stage again, PROCEED moves past it, CANCEL ends the journey. */
  action: 'RETRY' | 'PROCEED' | 'CANCEL';
}

/**
 * Where JourneyStages starts ($.resume): the first stage, or a person's decision at the checkpoint where the last run
 * stopped (the task token's output, from decide-staff-task.ts).
 */
export type JourneyResume = { action: 'START' } | (StaffDecision & { checkpoint: Checkpoint });

/** PatientJourney's execution input. */
export interface JourneyExecutionInput extends JourneyRef {
  resume: JourneyResume;
}

/**
 * What staff may decide for a journey parked at each stage; the workflow's *StaffDecision Choice states handle
 * exactly these (a test holds the two together). No PROCEED without a booking. No CANCEL from payment on: a charge
 * may have gone through before the processor stopped answering (RETRY learns the outcome without charging twice),
 * and cancelling a charged visit is a cancellation with a refund, not a parked journey.
 */
export const STAFF_ACTIONS_BY_STAGE: Readonly<Record<StageName, readonly StaffDecision['action'][]>> = {
  INTAKE: ['RETRY', 'PROCEED', 'CANCEL'],
  ELIGIBILITY: ['RETRY', 'PROCEED', 'CANCEL'],
  SCHEDULING: ['RETRY', 'CANCEL'],
  PAYMENT: ['RETRY', 'PROCEED'],
  CONFIRMATION: ['RETRY', 'PROCEED'],
};

/**
 * A triage slip holds no journey, so no decision resumes anything: a clinician closes it with a clinical disposition
 * (POST …/staff-tasks/{taskId}/disposition, contract/staff-queues.ts TRIAGE_DISPOSITIONS).
 */
export const TRIAGE_ACTIONS: readonly StaffDecision['action'][] = [];

/** FinishJourney input: how the journey ended. */
export const FinishJourneyRequestSchema = JourneyRefSchema.extend({ outcome: z.enum(['COMPLETED', 'CANCELLED', 'FAILED']) });
export type FinishJourneyRequest = z.infer<typeof FinishJourneyRequestSchema>;

/**
 * Error names the handlers throw for Step Functions' Retry/Catch. A Lambda error's name becomes the state's error
 * name, so the workflow can retry transient failures and catch the rest.
 */
export const TRANSIENT_ERRORS = {
  clearinghouseUnavailable: 'ClearinghouseUnavailable',
  paymentProcessorUnavailable: 'PaymentProcessorUnavailable',
  messagingUnavailable: 'MessagingUnavailable',
  /** Every candidate slot was taken by concurrent bookings; a later attempt sees the new busy time. */
  schedulingContention: 'SchedulingContention',
  /** An AWS service (DynamoDB, SNS, SES, Step Functions) refused, dropped or throttled the request (errors.ts). */
  awsServiceUnavailable: 'AwsServiceUnavailable',
} as const;
