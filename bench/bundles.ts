import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { HOUSE_BUNDLING } from '#infra/constructs/patient-access-function.ts';

export interface BundleFigures {
  name: FunctionName;
  bytes: number;
  /** Median over runs of the time a fresh Node 24 process takes to import the bundle (module init, SDK clients). */
  coldImportMs: number;
}

/**
 * Bundles every handler the way the house construct does (same esbuild settings, SDK included) and measures the
 * bundle's size and its cold import time in a fresh process — the part of a Lambda cold start our code controls.
 */
export async function measureBundles(runs = 5): Promise<BundleFigures[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'patient-access-bench-'));
  const figures: BundleFigures[] = [];
  for (const [name, spec] of Object.entries(FUNCTIONS) as Array<[FunctionName, (typeof FUNCTIONS)[FunctionName]]>) {
    const outfile = join(outdir, `${name}.mjs`);
    await build({
      entryPoints: [spec.entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: HOUSE_BUNDLING.target,
      mainFields: [...HOUSE_BUNDLING.mainFields],
      banner: { js: HOUSE_BUNDLING.banner },
      minify: HOUSE_BUNDLING.minify,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
    });
    const samples = Array.from({ length: runs }, () => coldImport(outfile)).sort((a, b) => a - b);
    figures.push({ name, bytes: statSync(outfile).size, coldImportMs: samples[Math.floor(runs / 2)] ?? Number.NaN });
  }
  return figures;
}

const IMPORT_TIMER = `const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);`;

function coldImport(file: string): number {
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    TABLE_NAME: 'bench',
    JOURNEY_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:bench',
    STAFF_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench',
    CLEARINGHOUSE_BASE_URL: 'http://127.0.0.1:9',
    CLEARINGHOUSE_API_KEY: 'bench',
    PAYMENTS_BASE_URL: 'http://127.0.0.1:9',
    PAYMENTS_API_KEY: 'bench',
    SENDER_EMAIL: 'bench@example.com',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, file], { env, encoding: 'utf8' });
  return Number(out.trim());
}
