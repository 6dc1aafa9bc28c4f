import { describe, expect, it } from 'vitest';
import { type AuditEvent, journeyAuditSession } from '#shared/audit.ts';
import { dynamoAuditLog } from '#shared/audit-store.ts';
import { keys } from '#shared/keys.ts';
import { auditRecords } from '#test/support/audit-trail.ts';
import { journeyWithAppointment, patient } from '#test/support/fixtures/records.ts';
import { journeyAudits, localTable } from '#test/support/local-table.ts';

/** 401 days in seconds: how long the table keeps a record, a day past what the audit query reads (the archive: six years). */
const TABLE_RETENTION_S = 401 * 24 * 60 * 60;

const table = await localTable('audit-store');
const audit = dynamoAuditLog(table);
const journey = journeyWithAppointment();
const at = new Date('2026-12-01T10:00:00.000Z');

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  clinicId: journey.clinicId,
  actor: 'bookAppointment',
  action: 'appointment.create',
  patientId: patient.patientId,
  journeyId: journey.journeyId,
  outcome: 'success',
  ...overrides,
});

describe('Audit log: dynamoAuditLog on DynamoDB Local', () => {
  it('records an event under its day, the time leading its sort key, the patient as the index key and an expiry 401 days on (the archive keeps it six years)', async () => {
    // Prepare
    const recorded = event();

    // Act
    await audit.record(recorded, at);

    // Assess
    const [item, ...others] = await journeyAudits(table, journey, at);
    expect(others).toEqual([]);
    expect(item).toEqual({
      PK: `CLINIC#${journey.clinicId}#AUDIT#2026-12-01`,
      SK: expect.stringMatching(/^2026-12-01T10:00:00\.000Z#[A-Za-z0-9_-]{16}$/),
      type: 'AuditEvent',
      actor: 'bookAppointment',
      actions: ['appointment.create'],
      GSI2PK: keys.patient(journey.clinicId, patient.patientId).PK,
      journeyId: journey.journeyId,
      expiresAt: at.getTime() / 1000 + TABLE_RETENTION_S,
    });
    expect(new Date(Number(item?.expiresAt) * 1000).toISOString()).toBe('2028-01-06T10:00:00.000Z');
  });

  it('keeps every record, the same event twice included, and each in the partition of its own day', async () => {
    // Prepare
    const nextDay = new Date('2026-12-02T08:00:00.000Z');
    const ref = { clinicId: journey.clinicId, journeyId: 'j-audit-days' };
    const read = event({ journeyId: ref.journeyId, action: 'journey.read', actor: 'key-1' });
    const stored = { actions: ['journey.read'], actor: 'key-1', journeyId: ref.journeyId, outcome: 'success' };

    // Act
    await audit.record(read, at);
    await audit.record(read, at);
    await audit.record(read, nextDay);

    // Assess
    expect(auditRecords(await journeyAudits(table, ref, at))).toEqual([expect.objectContaining(stored), expect.objectContaining(stored)]);
    expect(auditRecords(await journeyAudits(table, ref, nextDay))).toEqual([
      expect.objectContaining({ ...stored, at: nextDay.toISOString() }),
    ]);
  });

  it('records one invocation’s reads and writes of a patient as one record, and what failed as another', async () => {
    // Prepare
    const ref = { clinicId: journey.clinicId, journeyId: 'j-audit-session', patientId: patient.patientId };
    const session = journeyAuditSession(audit, 'function:bookAppointment', ref, at);

    // Act
    await session.before('submission.read', 'appointment.create');
    await session.before('submission.read');
    await session.failed('appointment.create');

    // Assess
    const records = auditRecords(await journeyAudits(table, ref, at));
    expect(records).toHaveLength(2);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actions: ['submission.read', 'appointment.create'], outcome: 'success' }),
        expect.objectContaining({ actions: ['appointment.create'], outcome: 'failure' }),
      ]),
    );
  });
});
