import { createHash, randomBytes } from 'node:crypto';

/** Only this hash of a clinic's API key is stored (keys.apiKey); the key itself is shown once, when issued. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** A new API key: 24 random bytes, URL-safe, with a prefix that says what it is when it turns up in a paste. */
export function newApiKey(prefix = 'pa'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}
