import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The process-wide logger. Log only the allow-listed fields below: IDs, stages, outcomes, error names and counts.
 * Never log names, birth dates, phone numbers, emails, member IDs or answers, and never log a whole event or item.
 */
export const logger = new Logger({ serviceName: 'patient-access' });

/*
 * No tracer in the bundle: each function runs with Lambda's active tracing (infra/constructs/patient-access-function.ts),
 * which records every invocation (init, invoke, overhead) in X-Ray without code. Downstream calls (DynamoDB, Step
 * Functions, SES, SNS, the clearinghouse, the processor) are not subsegments until OpenTelemetry instruments them
 * from a layer (docs/decisions.md, "Tracing without the X-Ray SDK").
 */

export type LogFields = {
  clinicId?: string;
  journeyId?: string;
  submissionId?: string;
  patientId?: string;
  taskId?: string;
  stage?: string;
  outcome?: string;
  errorName?: string;
  count?: number;
};

/** Logs with an allow-listed field set, so an accidental PHI field is a type error rather than a leak. */
export const log = {
  info: (message: string, fields: LogFields = {}) => logger.info(message, fields),
  warn: (message: string, fields: LogFields = {}) => logger.warn(message, fields),
  error: (message: string, fields: LogFields = {}) => logger.error(message, fields),
};
