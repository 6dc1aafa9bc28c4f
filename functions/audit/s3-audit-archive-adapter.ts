import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveObject, AuditArchive } from './archive-audit-records.ts';

/**
 * The audit archive on S3 (the bucket of infra/constructs/audit-archive.ts: Object Lock in compliance mode, versioned,
 * KMS-encrypted by default). Each object is written with `If-None-Match: *`, so an object is created once and never
 * written over, even as a new version: a second write of the same key answers 412 Precondition Failed, which means this
 * batch's lines are already archived (the key holds their SHA-256). The object's SHA-256 goes as S3's checksum, which
 * S3 checks against the bytes it receives and keeps with the object (GetObjectAttributes returns it).
 *
 * What leaves for S3: audit records as stored, which carry IDs, actions and times only (no PHI).
 */
export function s3AuditArchive(client: S3Client, bucket: string): AuditArchive {
  return {
    async put(object: ArchiveObject) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: object.key,
            Body: object.body,
            IfNoneMatch: '*',
            ChecksumSHA256: object.sha256Base64,
            ContentType: 'application/x-ndjson',
            Metadata: { sha256: object.sha256Hex, records: String(object.sortKeys.length) },
          }),
        );
        return 'archived';
      } catch (error) {
        if (isPreconditionFailed(error)) return 'alreadyArchived';
        throw error;
      }
    },
  };
}

/** S3's answer to a conditional write whose key exists: 412 PreconditionFailed. (A 409 is a concurrent write: retried.) */
function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
}
