import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { planArchive } from '#functions/audit/archive-audit-records.ts';
import { s3AuditArchive } from '#functions/audit/s3-audit-archive-adapter.ts';
import { auditInsert } from '#test/support/fixtures/stream-records.ts';

const s3 = new S3Client({});
const s3Mock = mockClient(s3);
const archive = s3AuditArchive(s3, 'audit-archive-bucket');
const object = planArchive([auditInsert({ clinicId: 'clinic-a', patientId: 'p1' }, '2026-03-04T10:00:00.000Z')]).objects[0]?.object;
if (!object) throw new Error('no object planned');

/** An S3 error answer as the SDK raises it. */
const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });

describe('Adapter: s3AuditArchive', () => {
  beforeEach(() => s3Mock.reset());

  it('creates the object only if its key is new, with its SHA-256 as the checksum S3 verifies', async () => {
    // prepare
    s3Mock.on(PutObjectCommand).resolves({});

    // act
    const outcome = await archive.put(object);

    // assess
    expect(outcome).toBe('archived');
    expect(s3Mock).toHaveReceivedCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: 'audit-archive-bucket',
      Key: object.key,
      Body: object.body,
      IfNoneMatch: '*',
      ChecksumSHA256: object.sha256Base64,
      ContentType: 'application/x-ndjson',
      Metadata: { sha256: object.sha256Hex, records: '1' },
    });
  });

  it('answers alreadyArchived when S3 answers 412: the key, and so these lines, are there already', async () => {
    // prepare
    s3Mock.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));

    // act / assess
    await expect(archive.put(object)).resolves.toBe('alreadyArchived');
  });

  it.each([
    ['a concurrent conditional write (409, to retry)', s3Error('ConditionalRequestConflict', 409)],
    ['a refused write (403)', s3Error('AccessDenied', 403)],
    ['a checksum that does not match the bytes (400)', s3Error('BadDigest', 400)],
    ['S3 unavailable (503)', s3Error('ServiceUnavailable', 503)],
  ])('lets %s fail the write', async (_case, error) => {
    // prepare
    s3Mock.on(PutObjectCommand).rejects(error);

    // act / assess
    await expect(archive.put(object)).rejects.toMatchObject({ name: error.name });
  });
});
