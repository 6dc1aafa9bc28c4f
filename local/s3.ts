import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local S3: s3rver (a filesystem-backed fake S3 for Node) on loopback, with the buckets the stack creates. Handlers
 * reach it through AWS_ENDPOINT_URL_S3; an IP-address endpoint makes the SDK send path-style requests by itself.
 *
 * What s3rver does not do, and what this adds or leaves:
 * - **Conditional creates.** s3rver ignores `If-None-Match` on PUT (it overwrites). This puts S3's rule in front of it:
 *   a PUT with `If-None-Match: *` on an existing key answers 412 PreconditionFailed, as S3 does, so the archive's
 *   idempotent write runs locally as deployed.
 * - **Checksums.** s3rver neither verifies `x-amz-checksum-sha256` nor keeps it: a wrong checksum is accepted locally
 *   (S3 refuses it with BadDigest). The adapter's unit test holds that the checksum is sent.
 * - **Object Lock, versioning, lifecycle, KMS.** Not emulated: a local object can be overwritten or deleted by anyone
 *   who bypasses the conditional create. Those properties are the deployed bucket's (infra tests hold them).
 *
 * s3rver knows one access key (S3RVER); the local cloud's dummy credentials (`local`) are registered with it here.
 */
export interface LocalS3 {
  endpoint: string;
  stop: () => Promise<void>;
}

/** The parts of s3rver (CommonJS, untyped) this uses. */
interface S3rverApp {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}
interface KoaContext {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  status: number;
  type: string;
  body: unknown;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverApp;

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverConstructor;
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js') as {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
};

export interface LocalS3Options {
  port: number;
  /** Buckets that exist from the start (as the stack creates them). */
  buckets: readonly string[];
  /** Where objects are kept across restarts; absent: a temporary directory removed on stop. */
  directory?: string;
  /** The access key pair handlers sign with (the local cloud's dummy credentials). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const { accessKeyId, secretAccessKey } = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const temporary = options.directory ? undefined : mkdtempSync(join(tmpdir(), 'patient-access-s3-'));
  const directory = options.directory ?? (temporary as string);
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  server.middleware.unshift(conditionalCreate(server));
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: async () => {
      await server.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}

/**
 * S3's `If-None-Match: *` on PutObject: 412 when the key exists. Writes of one key are taken one at a time, so two
 * concurrent conditional creates of a key cannot both succeed (S3 answers the loser 412 or 409).
 */
function conditionalCreate(server: S3rverApp) {
  const inFlight = new Map<string, Promise<void>>();
  return async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    const [bucket, ...keyParts] = ctx.path.split('/').slice(1).map(decodeURIComponent);
    const conditional = ctx.method === 'PUT' && ctx.headers['if-none-match'] === '*' && keyParts.length > 0 && !('uploadId' in ctx.query);
    if (!conditional || !bucket) return next();
    const key = keyParts.join('/');
    const id = `${bucket}/${key}`;
    const previous = inFlight.get(id) ?? Promise.resolve();
    const mine = previous.then(async () => {
      if (await server.store.existsObject(bucket, key)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';
        return;
      }
      await next();
    });
    const settled = mine.catch(() => undefined);
    inFlight.set(id, settled);
    try {
      await mine;
    } finally {
      if (inFlight.get(id) === settled) inFlight.delete(id);
    }
  };
}
