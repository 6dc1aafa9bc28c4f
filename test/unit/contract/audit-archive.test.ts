import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCHIVE_FILTER,
  AUDIT_ARCHIVE_RETENTION_DAYS,
  AUDIT_QUERY_DAYS,
  AUDIT_TABLE_RETENTION_DAYS,
  matchesEventFilter,
} from '#contract/audit-archive.ts';
import { keys } from '#shared/keys.ts';
import { auditInsert, streamRecord } from '#test/support/fixtures/stream-records.ts';

const audit = auditInsert({ clinicId: 'clinic-a', patientId: 'p1', journeyId: 'j1' }, '2026-03-04T10:00:00.000Z');
const auditImage = {
  ...keys.audit('clinic-a', '2026-03-04', '2026-03-04T10:00:00.000Z#abc'),
  type: 'AuditEvent',
  actor: 'x',
  actions: ['patient.read'],
};

describe('Contract: the audit archive stream filter', () => {
  it('lets an audit record insert through, as auditItem stores it, and a change to one (evidence of tampering)', () => {
    expect(matchesEventFilter(AUDIT_ARCHIVE_FILTER, audit)).toBe(true);
    expect(matchesEventFilter(AUDIT_ARCHIVE_FILTER, streamRecord(auditImage, 'MODIFY'))).toBe(true);
  });

  it.each([
    [
      'a REMOVE of an audit record (the TTL deleting it: no new image)',
      streamRecord(undefined, 'REMOVE', { PK: auditImage.PK, SK: auditImage.SK }),
    ],
    ['the insert of a journey', streamRecord({ ...keys.journey('clinic-a', 'j1'), status: 'RUNNING' })],
    ['the insert of an item of another type', streamRecord({ ...auditImage, type: 'Journey' })],
    ['an item without a type', streamRecord({ PK: 'CLINIC#clinic-a#AUDIT#2026-03-04', SK: 'x' })],
  ])('keeps out %s', (_case, record) => {
    expect(matchesEventFilter(AUDIT_ARCHIVE_FILTER, record)).toBe(false);
  });

  it('is the pattern the deployed mapping is given: lists of accepted strings under nested fields', () => {
    expect(JSON.parse(JSON.stringify(AUDIT_ARCHIVE_FILTER))).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: { NewImage: { type: { S: ['AuditEvent'] } } },
    });
  });

  it('refuses a rule it cannot evaluate as Lambda would, instead of matching differently', () => {
    const prefixRule = { dynamodb: { Keys: { PK: { S: [{ prefix: 'CLINIC#' }] } } } } as unknown as typeof AUDIT_ARCHIVE_FILTER;
    expect(() => matchesEventFilter(prefixRule, audit)).toThrow(/Unsupported filter rule/);
  });

  it("locks archive objects for HIPAA's six years, longer than the table keeps a record for the audit query", () => {
    expect(AUDIT_ARCHIVE_RETENTION_DAYS).toBe(6 * 365);
    expect(AUDIT_TABLE_RETENTION_DAYS).toBeLessThan(AUDIT_ARCHIVE_RETENTION_DAYS);
    // A year back from any day, and the month new archive objects are checked in before any leaves S3 Standard.
    expect(AUDIT_QUERY_DAYS).toBeGreaterThanOrEqual(366 + 30);
    // Nothing the query reads may have expired: the TTL runs at least a day past it.
    expect(AUDIT_TABLE_RETENTION_DAYS).toBeGreaterThanOrEqual(AUDIT_QUERY_DAYS + 1);
  });
});
