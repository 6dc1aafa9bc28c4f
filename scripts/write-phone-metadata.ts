import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PHONE_COUNTRIES, phoneMetadataFor } from './phone-metadata.ts';

/**
 * npm run phone-metadata: regenerates contract/api/phone-metadata.json, the phone metadata the handlers bundle, from
 * the installed libphonenumber-js for PHONE_COUNTRIES (scripts/phone-metadata.ts). Run it after updating
 * libphonenumber-js (a unit test compares the committed file with a fresh cut).
 */
const target = resolve(import.meta.dirname, '..', 'contract', 'api', 'phone-metadata.json');
writeFileSync(target, `${JSON.stringify(phoneMetadataFor(PHONE_COUNTRIES))}\n`);
execFileSync(
  process.execPath,
  [resolve(import.meta.dirname, '..', 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'format', '--write', target],
  {
    stdio: 'inherit',
  },
);
console.log(`Wrote ${target} (${PHONE_COUNTRIES.join(', ')}; ${(statSync(target).size / 1024).toFixed(1)} KiB)`);
