import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The process-wide logger. Log only the allow-listed fields below: IDs, stages, outcomes, error names and counts.
 * Never log names, birth dates, phone numbers, emails, member IDs or answers, and never log a whole event or item.
 */
export const logger = new Logger({ serviceName: 'patient-access' });

/**
 * The process-wide X-Ray tracer: functions/shared/aws-clients.ts wraps the SDK clients with it, so each DynamoDB,
 * SES, SNS and Step Functions call is a subsegment of the invocation's trace (the functions run with active tracing),
 * and outgoing HTTPS calls (clearinghouse, payment processor) are traced too. Subsegments carry the operation, table
 * or topic names, status and timing, never request or response bodies. It switches itself off outside Lambda
 * (no AWS_EXECUTION_ENV: tests, the local cloud) and with POWERTOOLS_TRACE_ENABLED=false, leaving clients untouched.
 */
export const tracer = new Tracer({ serviceName: 'patient-access' });

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
