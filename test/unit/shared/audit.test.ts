import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemSize } from '#bench/billing.ts';
import { AUDIT_PARTITION_PATTERN } from '#infra/constructs/data.ts';
import {
  type AuditLog,
  type AuditRecord,
  auditItem,
  auditPut,
  auditRecordOfItem,
  auditSession,
  journeyAuditSession,
} from '#shared/audit.ts';
import { keys } from '#shared/keys.ts';

const now = new Date('2026-11-27T08:00:00.123Z');
const clinicId = 'demo-clinic';
const patientId = '994bbfe7-a081-4c31-bdaa-569e8a6fb660';
const journeyId = '58160300-4867-4f0b-809a-c69cfe65314d';

/** An audit log in memory; `failNext` makes the next append fail as DynamoDB would. */
function memoryLog() {
  const appended: AuditRecord[] = [];
  let failures = 0;
  const log: AuditLog = {
    async record(event, at) {
      await log.append({ ...event, actions: [event.action] }, at);
    },
    async append(record) {
      await Promise.resolve();
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      }
      appended.push(record);
    },
  };
  return { log, appended, failNext: () => void failures++ };
}

describe('Function: auditItem', () => {
  it('stores one record compactly: time in the sort key, clinic in the key, the patient as the index key, no success outcome', () => {
    // Act
    const item = auditItem(
      { clinicId, actor: 'function:bookAppointment', patientId, journeyId, actions: ['submission.read', 'appointment.create'] },
      now,
    );

    // Assess
    expect(item).toEqual({
      PK: 'CLINIC#demo-clinic#AUDIT#2026-11-27',
      SK: expect.stringMatching(/^2026-11-27T08:00:00\.123Z#[A-Za-z0-9_-]{16}$/),
      type: 'AuditEvent',
      actor: 'function:bookAppointment',
      actions: ['submission.read', 'appointment.create'],
      GSI2PK: keys.patient(clinicId, patientId).PK,
      journeyId,
      expiresAt: Math.floor(now.getTime() / 1000) + 401 * 86_400,
    });
    // Every byte is kept six years: a two-action record of UUID-keyed IDs stays under 300 bytes.
    expect(itemSize(marshall(item))).toBeLessThan(300);
  });

  it('keeps the actions in order, each once, and stores a failure and the route it came through', () => {
    // Act
    const item = auditItem(
      {
        clinicId,
        actor: 'api-key:k1',
        patientId,
        journeyId,
        actions: ['patient.read', 'message.send', 'patient.read'],
        outcome: 'failure',
        via: 'GET /v1/clinics/{clinicId}/journeys/{journeyId}',
      },
      now,
    );

    // Assess
    expect(item).toMatchObject({
      actions: ['patient.read', 'message.send'],
      outcome: 'failure',
      via: 'GET /v1/clinics/{clinicId}/journeys/{journeyId}',
    });
  });

  it('reads a stored record back as it was written, its outcome success when none was stored', () => {
    // Prepare
    const record = { clinicId, actor: 'api-key:k1', patientId, journeyId, action: 'journey.read', outcome: 'success' } as const;

    // Act
    const read = auditRecordOfItem(auditItem(record, now));

    // Assess
    expect(read).toEqual({
      clinicId,
      at: now.toISOString(),
      actor: 'api-key:k1',
      actions: ['journey.read'],
      patientId,
      journeyId,
      outcome: 'success',
    });
  });

  it('gives every record its own key, and appends it in a transaction only where no item is', () => {
    // Act
    const puts = Array.from({ length: 100 }, () => auditPut('t', { clinicId, actor: 'a', actions: ['journey.read'] }, now));

    // Assess
    expect(new Set(puts.map((put) => put.Put.Item.SK)).size).toBe(100);
    expect(puts[0]?.Put.ConditionExpression).toBe('attribute_not_exists(PK)');
  });

  it('refuses a record of no action', () => {
    expect(() => auditItem({ clinicId, actor: 'a', actions: [] }, now)).toThrow('at least one action');
  });
});

describe('Function: auditSession', () => {
  const subject = { clinicId, actor: 'function:collectPayment', patientId, journeyId };

  it('writes one record for the accesses a use case announces, and none when a store reads what it covered', async () => {
    // Prepare
    const { log, appended } = memoryLog();
    const audit = auditSession(log, subject, now);

    // Act
    await audit.before('submission.read', 'payment.charge');
    await audit.before('submission.read');
    await audit.before('payment.charge', 'submission.read');

    // Assess
    expect(appended).toEqual([{ ...subject, actions: ['submission.read', 'payment.charge'] }]);
  });

  it('adds a record for an access nobody announced, before it is made', async () => {
    // Prepare
    const { log, appended } = memoryLog();
    const audit = journeyAuditSession(log, 'function:verifyEligibility', { clinicId, journeyId, patientId }, now);
    await audit.before('submission.read', 'coverage.read');

    // Act
    await audit.before('patient.read', 'coverage.read');

    // Assess
    expect(appended.map((r) => r.actions)).toEqual([['submission.read', 'coverage.read'], ['patient.read']]);
  });

  it('writes one record for concurrent accesses of one kind, each waiting for it', async () => {
    // Prepare
    const { log, appended } = memoryLog();
    const audit = auditSession(log, subject, now);

    // Act
    await Promise.all([audit.before('coverage.read'), audit.before('coverage.read'), audit.before('coverage.read')]);

    // Assess
    expect(appended).toHaveLength(1);
  });

  it('fails the access whose record could not be written, and writes it again for the next access', async () => {
    // Prepare
    const { log, appended, failNext } = memoryLog();
    const audit = auditSession(log, subject, now);
    failNext();

    // Act
    const first = audit.before('submission.read');
    await expect(first).rejects.toThrow('throttled');
    await audit.before('submission.read');

    // Assess
    expect(appended).toEqual([{ ...subject, actions: ['submission.read'] }]);
  });

  it('appends a failure record for accesses that did not happen', async () => {
    // Prepare
    const { log, appended } = memoryLog();
    const audit = auditSession(log, subject, now);
    await audit.before('submission.read', 'payment.charge');

    // Act
    await audit.failed('payment.charge');

    // Assess
    expect(appended).toEqual([
      { ...subject, actions: ['submission.read', 'payment.charge'] },
      { ...subject, actions: ['payment.charge'], outcome: 'failure' },
    ]);
  });
});

describe('IAM: the audit partitions the functions may not update or delete', () => {
  // IAM's StringLike: `*` any run of characters, `?` any one character.
  const pattern = new RegExp(
    `^${[...AUDIT_PARTITION_PATTERN].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('')}$`,
  );

  it('matches every audit partition and no other item’s partition key', () => {
    const ids = ['demo-clinic', 'AUDIT', 'j-1', '2026-11-27'];
    const others = ids.flatMap((id) => [
      keys.clinic(id).PK,
      keys.apiKey(id, id).PK,
      keys.patient(id, id).PK,
      keys.submission(id, id).PK,
      keys.journey(id, id).PK,
      keys.departmentBusy(id, id),
      keys.resourceLock(id, id, '2026-11-27').PK,
      keys.staffTask(id, id).PK,
    ]);

    expect(pattern.test(keys.audit(clinicId, '2026-11-27', 'x').PK)).toBe(true);
    expect(others.filter((pk) => pattern.test(pk))).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
