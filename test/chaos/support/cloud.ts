import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '#local/cloud.ts';
import { ChaosApi } from './api.ts';

/** What `--project chaos` and `--project chaos-fast` tell the scenarios (vitest.config.ts). */
export interface ChaosProfile {
  /** Concurrent distinct submissions of the load scenario. */
  loadJourneys: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    chaos: ChaosProfile;
  }
}

export function chaosProfile(): ChaosProfile {
  return inject('chaos') ?? { loadJourneys: 30 };
}

/** Retries wait this long instead of their back-off: short, but long enough for a proxy switch to land between two. */
export const RETRY_DELAY_MS = 100;

export interface ChaosStack {
  cloud: LocalCloud;
  api: ChaosApi;
  /** The stack's data directory (a fresh temporary one), for a restart with the same data. */
  dataDir: string;
  /** Stops the running stack (not the data). */
  stop(): Promise<void>;
  /** Stops the stack and starts it again with the same data directory, API key and options (plus `changes`). */
  restart(changes?: Partial<LocalCloudOptions>): Promise<LocalCloud>;
  /** Stops the stack and deletes its data directory. */
  dispose(): Promise<void>;
}

/**
 * A whole local cloud for one scenario file: quiet, short retry delays, its own data directory (DynamoDB Local on
 * disk, executions and the processor's ledger persisted, as `npm start` runs it), fault proxies where asked.
 */
export async function startChaosStack(options: Partial<LocalCloudOptions> = {}): Promise<ChaosStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patient-access-chaos-'));
  const base: LocalCloudOptions = { quiet: true, retryDelayMs: RETRY_DELAY_MS, dataDir, ...options };
  let cloud = await startLocalCloud(base);
  const api = new ChaosApi(cloud);
  let running = true;
  const stack: ChaosStack = {
    get cloud() {
      return cloud;
    },
    api,
    dataDir,
    stop: async () => {
      if (!running) return;
      running = false;
      await cloud.stop();
    },
    restart: async (changes = {}) => {
      await stack.stop();
      cloud = await startLocalCloud({ ...base, apiKey: cloud.apiKey, ...changes });
      running = true;
      api.retarget(cloud);
      return cloud;
    },
    dispose: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
