import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeArchiveAuditRecords } from '#functions/audit/archive-audit-records.handler.ts';
import {
  type ArchiveObject,
  type AuditArchive,
  type AuditDayReader,
  archiveAuditRecords,
  planArchive,
  reArchiveDay,
} from '#functions/audit/archive-audit-records.ts';
import { keys } from '#shared/keys.ts';
import { lambdaContext } from '#test/support/api-event.ts';
import { auditInsert, streamRecord } from '#test/support/fixtures/stream-records.ts';

/** An archive that keeps what it is given, answers `alreadyArchived` for a key it holds, and fails the keys it is told to. */
function fakeArchive(failing: (object: ArchiveObject) => boolean = () => false) {
  const objects = new Map<string, ArchiveObject>();
  const puts: ArchiveObject[] = [];
  const archive: AuditArchive = {
    async put(object) {
      puts.push(object);
      if (failing(object)) throw Object.assign(new Error('S3 unavailable'), { name: 'ServiceUnavailable' });
      if (objects.has(object.key)) return 'alreadyArchived';
      objects.set(object.key, object);
      return 'archived';
    },
  };
  return { archive, objects, puts };
}

const a1 = auditInsert({ clinicId: 'clinic-a', patientId: 'p1', journeyId: 'j1' }, '2026-03-04T10:00:02.000Z');
const a2 = auditInsert({ clinicId: 'clinic-a', patientId: 'p1', journeyId: 'j1', outcome: 'failure' }, '2026-03-04T10:00:01.000Z');
const aNextDay = auditInsert({ clinicId: 'clinic-a', patientId: 'p2' }, '2026-03-05T00:00:01.000Z');
const b1 = auditInsert(
  { clinicId: 'clinic-b', patientId: 'p9', via: 'GET /v1/clinics/{clinicId}/journeys/{journeyId}' },
  '2026-03-04T11:00:00.000Z',
);
/** The table as the day reader sees it: the images of the inserts, by clinic and day. */
const tableOf = (...inserts: Array<typeof a1>): AuditDayReader => ({
  async recordsOf(clinicId, day) {
    return inserts.flatMap((r) => (r.dynamodb?.NewImage?.PK?.S === keys.audit(clinicId, day, '').PK ? [r.dynamodb.NewImage] : []));
  },
});
/** The operator's now: the test days are well within what the table keeps. */
const NOW = new Date('2026-03-10T12:00:00.000Z');
const sequenceOf = (record: typeof a1) => record.dynamodb?.SequenceNumber as string;
const skOf = (record: typeof a1) => record.dynamodb?.NewImage?.SK?.S as string;

describe('Use case: planArchive', () => {
  it('makes one object per clinic and day, its records one JSON line each, in sort-key (time) order', () => {
    // act
    const plan = planArchive([a1, b1, aNextDay, a2]);

    // assess
    expect(plan.objects.map((o) => [o.object.clinicId, o.object.day, o.sequenceNumbers])).toEqual([
      ['clinic-a', '2026-03-04', [sequenceOf(a2), sequenceOf(a1)]],
      ['clinic-b', '2026-03-04', [sequenceOf(b1)]],
      ['clinic-a', '2026-03-05', [sequenceOf(aNextDay)]],
    ]);
    const [dayA] = plan.objects;
    const lines = dayA?.object.body.split('\n') ?? [];
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ PK: 'CLINIC#clinic-a#AUDIT#2026-03-04', SK: skOf(a2), outcome: 'failure', type: 'AuditEvent' }),
      expect.objectContaining({ PK: 'CLINIC#clinic-a#AUDIT#2026-03-04', SK: skOf(a1), journeyId: 'j1' }),
    ]);
  });

  it('writes each record as stored: PK and SK first, then every attribute by name, numbers as numbers', () => {
    // act
    const [object] = planArchive([b1]).objects;

    // assess
    const line = object?.object.body.trimEnd() ?? '';
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['PK', 'SK', 'GSI2PK', 'actions', 'actor', 'expiresAt', 'type', 'via']);
    expect(JSON.parse(line)).toEqual({
      PK: 'CLINIC#clinic-b#AUDIT#2026-03-04',
      SK: skOf(b1),
      GSI2PK: keys.auditByPatient('clinic-b', 'p9').GSI2PK,
      actions: ['appointment.create'],
      actor: 'bookAppointment',
      expiresAt: Math.floor(Date.parse('2026-03-04T11:00:00.000Z') / 1000) + 401 * 86_400, // the table's TTL, as stored: the archive's own lock is six years
      type: 'AuditEvent',
      via: 'GET /v1/clinics/{clinicId}/journeys/{journeyId}',
    });
  });

  it('names the object by clinic, day, first record and content hash, and carries the SHA-256 of exactly its bytes', () => {
    // act
    const [{ object } = { object: undefined }] = planArchive([a1, a2]).objects;

    // assess
    const digest = createHash('sha256')
      .update(object?.body ?? '', 'utf8')
      .digest();
    expect(object?.sha256Hex).toBe(digest.toString('hex'));
    expect(object?.sha256Base64).toBe(digest.toString('base64'));
    expect(object?.key).toBe(`audit/clinic-a/2026-03-04/${skOf(a2).replace(/[:#]/g, '_')}-${digest.toString('hex').slice(0, 16)}.jsonl`);
    expect(object?.key).toMatch(/^audit\/clinic-a\/2026-03-04\/2026-03-04T10_00_01\.000Z_[A-Za-z0-9_-]{16}-[0-9a-f]{16}\.jsonl$/);
  });

  it('gives the same records the same object, whatever their order in the batch (a retried batch finds its object)', () => {
    expect(planArchive([a2, a1]).objects[0]?.object).toEqual(planArchive([a1, a2]).objects[0]?.object);
    expect(planArchive([a1]).objects[0]?.object.key).not.toBe(planArchive([a1, a2]).objects[0]?.object.key);
  });

  it('ignores what the stream filter keeps out, and archives an audit insert without an audit key apart', () => {
    // prepare
    const image = { PK: 'CLINIC#clinic-a#AUDIT#2026-03-04', SK: '2026-03-04T10:00:00.000Z#x', type: 'AuditEvent', actions: [] };
    const remove = streamRecord(undefined, 'REMOVE', { PK: image.PK, SK: image.SK });
    const journey = streamRecord({ ...keys.journey('clinic-a', 'j1'), status: 'RUNNING' });
    const unreadable = streamRecord({ ...image, PK: 'CLINIC#clinic-a#AUDIT#yesterday' });

    // act
    const plan = planArchive([remove, journey, unreadable, a1]);

    // assess
    expect(plan.ignored).toBe(2);
    expect(plan.unreadable).toEqual([sequenceOf(unreadable)]);
    expect(plan.objects.flatMap((o) => o.sequenceNumbers).sort()).toEqual([sequenceOf(a1), sequenceOf(unreadable)].sort());
    const apart = plan.objects.find((o) => o.sequenceNumbers.includes(sequenceOf(unreadable)))?.object;
    expect(apart?.key).toMatch(/^audit\/_unrecognised\/\d{4}-\d{2}-\d{2}\//);
    expect(JSON.parse(apart?.body ?? '{}')).toEqual({
      PK: 'CLINIC#clinic-a#AUDIT#yesterday',
      SK: image.SK,
      type: 'AuditEvent',
      unrecognised: true,
    });
  });

  it('archives only the allowed attributes of an audit record, whatever else the item holds', () => {
    // prepare
    const withExtra = streamRecord({
      PK: 'CLINIC#clinic-a#AUDIT#2026-03-04',
      SK: '2026-03-04T10:00:00.000Z#y',
      type: 'AuditEvent',
      actor: 'user:u-1',
      actions: ['patient.read'],
      lastName: 'Quinlan',
    });

    // act
    const [object] = planArchive([withExtra]).objects;

    // assess
    const line = JSON.parse(object?.object.body ?? '{}');
    expect(line).toEqual({
      PK: 'CLINIC#clinic-a#AUDIT#2026-03-04',
      SK: '2026-03-04T10:00:00.000Z#y',
      type: 'AuditEvent',
      actor: 'user:u-1',
      actions: ['patient.read'],
    });
    expect(object?.object.body).not.toContain('Quinlan');
  });
});

describe('Use case: archiveAuditRecords', () => {
  it('writes every object and reports no failure', async () => {
    // prepare
    const { archive, objects } = fakeArchive();

    // act
    const response = await archiveAuditRecords({ archive }, [a1, a2, b1]);

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect([...objects.values()].map((o) => o.sortKeys)).toEqual([[skOf(a2), skOf(a1)], [skOf(b1)]]);
  });

  it('counts an object already in the archive (412 on the retried batch) as archived', async () => {
    // prepare
    const { archive, objects, puts } = fakeArchive();
    await archiveAuditRecords({ archive }, [a1, b1]);

    // act
    const response = await archiveAuditRecords({ archive }, [a1, b1]);

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(puts).toHaveLength(4);
    expect(objects.size).toBe(2);
  });

  it("reports only the failed object's records as batch item failures", async () => {
    // prepare
    const { archive, objects } = fakeArchive((object) => object.clinicId === 'clinic-a' && object.day === '2026-03-04');

    // act
    const response = await archiveAuditRecords({ archive }, [a1, b1, a2, aNextDay]);

    // assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([sequenceOf(a1), sequenceOf(a2)].sort());
    expect([...objects.values()].map((o) => [o.clinicId, o.day])).toEqual([
      ['clinic-b', '2026-03-04'],
      ['clinic-a', '2026-03-05'],
    ]);
  });

  it('never fails a batch for an audit insert without an audit key: it is archived apart, the shard moves on', async () => {
    // prepare
    const { archive, objects } = fakeArchive();
    const unreadable = streamRecord({ PK: 'CLINIC#x#AUDIT#not-a-date', SK: 's', type: 'AuditEvent' });

    // act
    const response = await archiveAuditRecords({ archive }, [unreadable, a1]);

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect([...objects.keys()].map((key) => key.split('/')[1]).sort()).toEqual(['_unrecognised', 'clinic-a']);
  });
});

describe('Function: archiveAuditRecords', () => {
  it('answers the stream event with its batch item failures', async () => {
    // prepare
    const { archive } = fakeArchive((object) => object.clinicId === 'clinic-b');
    const handler = makeArchiveAuditRecords({ archive, auditDay: tableOf(), now: () => NOW });

    // act
    const response = await handler({ Records: [a1, b1] }, lambdaContext);

    // assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(b1) }] });
  });

  it("archives an operator's day again from the table, and refuses a request it cannot read without archiving", async () => {
    // prepare
    const { archive, puts } = fakeArchive();
    const handler = makeArchiveAuditRecords({ archive, auditDay: tableOf(a1, a2, b1), now: () => NOW });

    // act
    const response = await handler({ reArchive: { clinicId: 'clinic-a', day: '2026-03-04' } }, lambdaContext);
    const refused = handler({ reArchive: { clinicId: 'clinic-a', day: '4 March' } }, lambdaContext);

    // assess
    expect(response).toEqual({
      records: 2,
      ignored: 0,
      objects: [{ key: planArchive([a1, a2]).objects[0]?.object.key, outcome: 'archived' }],
    });
    await expect(refused).rejects.toThrow(/reArchive/);
    expect(puts).toHaveLength(1);
  });

  it('refuses an event that is neither a stream batch nor a re-archive, rather than answering it as an empty batch', async () => {
    // prepare
    const { archive, puts } = fakeArchive();
    const handler = makeArchiveAuditRecords({ archive, auditDay: tableOf(a1), now: () => NOW });

    // act
    const misspelt = handler({ rearchive: { clinicId: 'clinic-a', day: '2026-03-04' } }, lambdaContext);

    // assess
    await expect(misspelt).rejects.toThrow(/Not a stream batch/);
    expect(puts).toEqual([]);
  });
});

describe('Use case: reArchiveDay', () => {
  it("writes the day's records as the stream would have: the same lines, so the same object for the same records", async () => {
    // prepare
    const { archive, objects } = fakeArchive();
    const fromStream = planArchive([a2, a1]).objects[0]?.object;

    // act
    const first = await reArchiveDay(
      { archive, auditDay: tableOf(a1, a2, aNextDay, b1) },
      { clinicId: 'clinic-a', day: '2026-03-04' },
      NOW,
    );
    const again = await reArchiveDay(
      { archive, auditDay: tableOf(a1, a2, aNextDay, b1) },
      { clinicId: 'clinic-a', day: '2026-03-04' },
      NOW,
    );

    // assess
    expect([...objects.values()]).toEqual([fromStream]);
    expect(first).toEqual({ records: 2, ignored: 0, objects: [{ key: fromStream?.key, outcome: 'archived' }] });
    expect(again.objects).toEqual([{ key: fromStream?.key, outcome: 'alreadyArchived' }]);
  });

  it('writes nothing for a day without records', async () => {
    // prepare
    const { archive, puts } = fakeArchive();

    // act
    const outcome = await reArchiveDay({ archive, auditDay: tableOf(a1) }, { clinicId: 'clinic-a', day: '2026-03-06' }, NOW);

    // assess
    expect(outcome).toEqual({ records: 0, ignored: 0, objects: [] });
    expect(puts).toEqual([]);
  });

  it('counts what it archived, not what it read, and says when the day is older than the table keeps', async () => {
    // prepare: the day's partition also holds an item that is not an audit record
    const { archive } = fakeArchive();
    const stray = streamRecord({ ...keys.audit('clinic-a', '2026-03-04', '2026-03-04T10:00:03.000Z#x'), type: 'Note' });
    const laterNow = new Date('2027-04-10T12:00:00.000Z'); // 402 days after the day

    // act
    const counted = await reArchiveDay({ archive, auditDay: tableOf(a1, stray) }, { clinicId: 'clinic-a', day: '2026-03-04' }, NOW);
    const tooOld = await reArchiveDay({ archive, auditDay: tableOf() }, { clinicId: 'clinic-a', day: '2026-03-04' }, laterNow);

    // assess
    expect(counted).toMatchObject({ records: 1, ignored: 1 });
    expect(counted.olderThanTable).toBeUndefined();
    expect(tooOld).toEqual({ records: 0, ignored: 0, objects: [], olderThanTable: true });
    // The edge: the day the audit query no longer reads (400 days back) is flagged, the day after it is not.
    const day = { clinicId: 'clinic-a', day: '2026-03-04' };
    const atEdge = await reArchiveDay({ archive, auditDay: tableOf() }, day, new Date('2027-04-08T12:00:00.000Z'));
    const inside = await reArchiveDay({ archive, auditDay: tableOf() }, day, new Date('2027-04-07T12:00:00.000Z'));
    expect([atEdge.olderThanTable, inside.olderThanTable]).toEqual([true, undefined]);
  });
});
