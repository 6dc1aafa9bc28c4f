import { createHash } from 'node:crypto';

/** Only this hash of a clinic's API key is stored (keys.apiKey); the key itself is shown once, when issued. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
