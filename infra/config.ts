import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { STAFF_QUEUES, type StaffQueue } from '#contract/staff-queues.ts';
import { INDEX_ARRIVAL_ORDER } from '#contract/table-schema.ts';

/** A JSON value, or the text itself when it is not JSON (the schema then says what is wrong with it). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * What a clinic sets before `cdk deploy`, read from CDK context (cdk.json "context" or `-c key=value`).
 * `senderEmail` has no default: patients would receive mail from whatever address a default named, so a synth or
 * deploy without it fails. `npm run synth` and the infra tests pass a reserved example.org address explicitly.
 * Every other key has a working default.
 *
 * | context key              | meaning                                                                   | default                          |
 * | ------------------------ | ------------------------------------------------------------------------- | -------------------------------- |
 * | `environment`            | `production` retains log groups on stack deletion; `development` deletes | `production`                     |
 * | `senderEmail`            | From: address of patient email (confirmations, payment requests)          | none: **required**               |
 * | `senderDomain`           | verify this whole domain in SES (DKIM) instead of the single address      | none: the address is verified    |
 * | `alarmEmail`             | subscribed to the operations alarm topic                                   | none: subscribe later            |
 * | `staffAlertsEmail`       | subscribed to the staff alerts topic (alerts carry IDs only, never PHI)    | none: subscribe later            |
 * | `queueLeadEmails`        | JSON `{"<queue>": "<email>"}`: each lead gets their queue's overdue alerts | none                             |
 * | `clearinghouseSecretArn` | Secrets Manager secret holding the clearinghouse API key                   | the stack creates an empty one   |
 * | `clearinghouseBaseUrl`   | clearinghouse API base URL                                                 | `https://healthcare.us.stedi.com` |
 * | `paymentsSecretArn`      | Secrets Manager secret holding the payment processor's secret key          | the stack creates an empty one   |
 * | `paymentsBaseUrl`        | payment processor API base URL                                             | `https://api.stripe.com`         |
 * | `logRetentionDays`       | retention of every log group                                               | `365`                            |
 * | `apiRateLimit`           | HTTP API steady-state requests per second (whole stage)                    | `50`                             |
 * | `apiBurstLimit`          | HTTP API burst                                                             | `100`                            |
 * | `tableIndexes`           | upgrades only: the table's indexes to deploy, comma-separated (runbook)    | every index of the table schema  |
 */
export interface PatientAccessConfig {
  environment: 'production' | 'development';
  senderEmail: string;
  senderDomain?: string;
  alarmEmail?: string;
  staffAlertsEmail?: string;
  /** Per work queue (contract/staff-queues.ts), the lead subscribed to its overdue-task alerts. */
  queueLeadEmails?: Partial<Record<StaffQueue, string>>;
  clearinghouseSecretArn?: string;
  clearinghouseBaseUrl: string;
  paymentsSecretArn?: string;
  paymentsBaseUrl: string;
  logRetentionDays: number;
  apiRateLimit: number;
  apiBurstLimit: number;
  /**
   * The global secondary indexes to deploy (contract/table-schema.ts), for upgrading a table that lacks more than one:
   * DynamoDB adds one index per update (docs/runbook.md, "Upgrading a deployment"). Unset: all of them.
   */
  tableIndexes?: string[];
}

const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a full Secrets Manager secret ARN');

/** `-c key=value` always yields strings, cdk.json may yield numbers: accept both. */
const positiveInt = z.coerce.number().int().positive();

/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_DAYS = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE);

const configSchema = z
  .object({
    environment: z.enum(['production', 'development']).default('production'),
    senderEmail: z.email({
      error: (issue) => (issue.input === undefined ? 'required (-c senderEmail=front-desk@your-clinic.org)' : 'must be an email address'),
    }),
    senderDomain: z
      .string()
      .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name')
      .optional(),
    alarmEmail: z.email().optional(),
    staffAlertsEmail: z.email().optional(),
    // `-c` gives a JSON string, cdk.json may give the object itself.
    queueLeadEmails: z
      .preprocess((value) => (typeof value === 'string' ? parseJson(value) : value), z.partialRecord(z.enum(STAFF_QUEUES), z.email()))
      .optional(),
    clearinghouseSecretArn: secretArn.optional(),
    clearinghouseBaseUrl: z.url({ protocol: /^https$/ }).default('https://healthcare.us.stedi.com'),
    paymentsSecretArn: secretArn.optional(),
    paymentsBaseUrl: z.url({ protocol: /^https$/ }).default('https://api.stripe.com'),
    logRetentionDays: positiveInt
      .refine((days) => RETENTION_DAYS.includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`)
      .default(365),
    apiRateLimit: positiveInt.default(50),
    apiBurstLimit: positiveInt.default(100),
    // A beginning of the order the indexes arrived in: leaving out an index the table has would delete it.
    tableIndexes: z
      .string()
      .transform((value) => value.split(',').map((name) => name.trim()))
      .refine((names) => names.length > 0 && names.every((name, i) => name === INDEX_ARRIVAL_ORDER[i]), {
        message: `must be a beginning of ${INDEX_ARRIVAL_ORDER.join(',')} (the indexes the table has, plus the next one)`,
      })
      .optional(),
  })
  .refine((c) => !c.senderDomain || c.senderEmail.toLowerCase().endsWith(`@${c.senderDomain.toLowerCase()}`), {
    message: 'senderEmail must be an address at senderDomain',
    path: ['senderEmail'],
  });

/** The context keys read by {@link readConfig}, in the order documented above. */
export const CONFIG_KEYS = [
  'environment',
  'senderEmail',
  'senderDomain',
  'alarmEmail',
  'staffAlertsEmail',
  'queueLeadEmails',
  'clearinghouseSecretArn',
  'clearinghouseBaseUrl',
  'paymentsSecretArn',
  'paymentsBaseUrl',
  'logRetentionDays',
  'apiRateLimit',
  'apiBurstLimit',
  'tableIndexes',
] as const satisfies ReadonlyArray<keyof PatientAccessConfig>;

/**
 * Reads and validates the deployment settings from CDK context, so a typo in a `-c` value fails the synth with the
 * key's name instead of deploying a broken stack. Empty strings count as unset.
 */
export function readConfig(node: Node): PatientAccessConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid Patient Access context: ${problems}`);
  }
  return parsed.data;
}
