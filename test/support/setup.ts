import { expect, inject } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { TEST_IDENTITY_KEY } from './identity-key.ts';
import { logMatchers } from './log-lines.ts';

// expect(lines).toHaveLogged({ message, ...fields }) and expect(text).toContainNoneOf(values): see log-lines.ts.
expect.extend(logMatchers);

// The Lambda environment every handler expects; emulator endpoints come from global-setup when a project has one.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.TABLE_NAME ??= 'patient-access-test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.SENDER_EMAIL ??= 'front-desk@demo-clinic.example';
process.env.JOURNEY_STATE_MACHINE_ARN ??= 'arn:aws:states:us-east-1:000000000000:stateMachine:PatientJourney';
process.env.STAFF_ALERTS_TOPIC_ARN ??= 'arn:aws:sns:us-east-1:000000000000:staff-alerts';
process.env.CLEARINGHOUSE_BASE_URL ??= 'http://127.0.0.1:9';
process.env.CLEARINGHOUSE_API_KEY ??= 'test-clearinghouse-key';
process.env.PAYMENTS_BASE_URL ??= 'http://127.0.0.1:9';
process.env.PAYMENTS_API_KEY ??= 'sk_test_local';
process.env.AUDIT_ARCHIVE_BUCKET ??= 'patient-access-audit-archive-test';
process.env.EVENT_BUS_NAME ??= 'patient-access-events-test';
process.env.APPOINTMENT_TIMER_GROUP ??= 'appointment-timers-test';
process.env.APPOINTMENT_TIMER_ROLE_ARN ??= 'arn:aws:iam::000000000000:role/appointment-timers';
process.env.NO_SHOW_TARGET_ARN ??= 'arn:aws:lambda:us-east-1:000000000000:function:markNoShow';
process.env.OFFER_EXPIRY_TARGET_ARN ??= 'arn:aws:lambda:us-east-1:000000000000:function:expireWaitlistOffer';
process.env.PUBLIC_API_URL ??= 'http://127.0.0.1:3000';
process.env.ESCALATION_SCHEDULE_GROUP ??= 'staff-task-escalations-test';
process.env.ESCALATION_TARGET_ARN ??= 'arn:aws:lambda:us-east-1:000000000000:function:escalateStaffTask';
process.env.PATIENT_IDENTITY_KEY ??= TEST_IDENTITY_KEY;
process.env.ESCALATION_SCHEDULER_ROLE_ARN ??= 'arn:aws:iam::000000000000:role/escalation-scheduler';

const endpoints = inject('emulators');
if (endpoints) {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  process.env.AWS_ENDPOINT_URL_SESV2 = endpoints.ses;
  process.env.AWS_ENDPOINT_URL_SES = endpoints.ses;
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: { dynamodb: string; ses: string } | undefined;
  }
}
