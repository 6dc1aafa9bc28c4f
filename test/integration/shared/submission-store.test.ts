import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { SubmissionRecord } from '#model/patient-records.ts';
import { journeyAuditSession } from '#shared/audit.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import { dynamoSubmissionStore } from '#shared/submission-store.ts';
import { auditLines, auditRecords } from '#test/support/audit-trail.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

const clinicId = 'clinic-submissions';
const now = new Date('2026-12-01T10:00:00.000Z');

const table = await localTable('submissions');
const submissions = dynamoSubmissionStore(table);

async function storeSubmission(paymentMethodToken?: string) {
  const journeyId = randomUUID();
  const submission: SubmissionRecord = {
    type: 'Submission',
    clinicId,
    submissionId: `s-${journeyId}`,
    journeyId,
    patientId: `p-${journeyId}`,
    receivedAt: now.toISOString(),
    source: 'web-form',
    visit: { appointmentTypeCode: 'OFFICE_VISIT', reasonForVisit: 'Knee pain', preferences: {} },
    screening: { chestPainNow: false },
    consents: { treatment: true, privacyNotice: true, financialResponsibility: true },
    ...(paymentMethodToken ? { paymentMethodToken } : {}),
  };
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: { ...keys.submission(clinicId, submission.submissionId), ...submission } }),
  );
  return submission;
}

const submissionAudits = (journeyId: string) => journeyAudits(table, { clinicId, journeyId }, now);
/** One invocation's audit session for the submission's journey. */
const session = (ref: { clinicId: string; patientId: string; journeyId: string }) =>
  journeyAuditSession(dynamoAuditLog(table), 'function:test', ref, now);

describe('Store: dynamoSubmissionStore on DynamoDB Local', () => {
  it('returns the stored submission as written, and records one audit event', async () => {
    // Prepare
    const stored = await storeSubmission('pm_card_visa');

    // Act
    const read = await submissions.read(stored, session(stored));

    // Assess
    expect(read).toEqual(stored);
    expect(auditRecords(await submissionAudits(stored.journeyId))).toEqual([
      expect.objectContaining({ actions: ['submission.read'], actor: 'function:test', patientId: stored.patientId, outcome: 'success' }),
    ]);
  });

  it('returns only the projected attributes, nested ones included', async () => {
    // Prepare
    const stored = await storeSubmission('pm_card_visa');

    // Act
    const read = await submissions.read(stored, session(stored), ['visit.appointmentTypeCode', 'paymentMethodToken']);

    // Assess
    expect(read).toEqual({ visit: { appointmentTypeCode: 'OFFICE_VISIT' }, paymentMethodToken: 'pm_card_visa' });
  });

  it('tells a submission without the projected attribute from a missing one', async () => {
    // Prepare
    const stored = await storeSubmission();
    const missing = { ...stored, submissionId: `${stored.submissionId}-missing` };

    // Act
    const read = await submissions.read(stored, session(stored), ['paymentMethodToken']);
    const reading = submissions.read(missing, session(missing), ['paymentMethodToken']);

    // Assess
    expect(read).toEqual({});
    await expect(reading).rejects.toThrow(`Submission ${missing.submissionId} of journey ${stored.journeyId} not found`);
    expect(auditLines(await submissionAudits(stored.journeyId)).sort()).toEqual([
      'submission.read:failure',
      'submission.read:success',
      'submission.read:success',
    ]);
  });

  it('refuses a projection path it cannot name safely, reading nothing and auditing nothing', async () => {
    // Prepare
    const stored = await storeSubmission('pm_card_visa');

    // Act
    const reading = submissions.read(stored, session(stored), ['visit[0]']);

    // Assess
    await expect(reading).rejects.toThrow('Unsupported projection path: visit[0]');
    expect(await submissionAudits(stored.journeyId)).toEqual([]);
  });
});
