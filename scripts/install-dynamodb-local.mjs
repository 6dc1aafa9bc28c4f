#!/usr/bin/env node
// Puts the official DynamoDB Local jar under .local/dynamodb-local/ (see docs/decisions.md: "DynamoDB Local from the npm registry").
// No npm package downloads the jar offline, but amplify-dynamodb-simulator ships the official build inside its tarball;
// we take only that folder (its own 280 dependencies are not installed) and verify the checksum it ships.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const JAR_SHA256 = '454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7';
const target = resolve(import.meta.dirname, '..', '.local', 'dynamodb-local');

if (existsSync(join(target, 'DynamoDBLocal.jar'))) process.exit(0);

const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
try {
  execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator']);
  const emulator = join(work, 'package', 'emulator');
  verifyChecksums(emulator);
  mkdirSync(resolve(target, '..'), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(emulator, target);
  console.log(`DynamoDB Local installed in ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * The `sha256` file inside the package is the digest of AWS's original download, not of the jar, so we pin
 * the jar's own digest (measured from DynamoDB Local 1.25.1 as shipped in that package).
 */
function verifyChecksums(dir) {
  const actual = createHash('sha256')
    .update(readFileSync(join(dir, 'DynamoDBLocal.jar')))
    .digest('hex');
  if (actual !== JAR_SHA256) throw new Error(`DynamoDBLocal.jar checksum mismatch: expected ${JAR_SHA256}, got ${actual}`);
}
