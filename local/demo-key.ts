import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { newApiKey } from '#shared/http/api-key.ts';

/** Where `npm start` keeps the generated demo API key, so it stays the same across restarts. */
export const DEMO_API_KEY_FILE = resolve(import.meta.dirname, '..', '.local', 'demo-api-key');
/** What `npm start` keeps across restarts: table data, workflow executions, the payment sandbox's ledger (`--fresh` deletes it). */
export const LOCAL_DATA_DIR = resolve(import.meta.dirname, '..', '.local', 'state');

/** DEMO_API_KEY when set; otherwise the persisted key, created on first use. */
export function demoApiKey(): string {
  const fromEnv = process.env.DEMO_API_KEY;
  if (fromEnv) return fromEnv;
  const existing = readPersistedDemoApiKey();
  if (existing) return existing;
  const key = newApiKey('pa_demo');
  mkdirSync(dirname(DEMO_API_KEY_FILE), { recursive: true });
  writeFileSync(DEMO_API_KEY_FILE, `${key}\n`, { mode: 0o600 });
  return key;
}

export function readPersistedDemoApiKey(): string | undefined {
  if (!existsSync(DEMO_API_KEY_FILE)) return undefined;
  const key = readFileSync(DEMO_API_KEY_FILE, 'utf8').trim();
  return key.length > 0 ? key : undefined;
}
