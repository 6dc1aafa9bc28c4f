import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';
import { HOUSE_BUNDLING, REPO_ROOT } from '#infra/constructs/patient-access-function.ts';

export interface BundleFigures {
  name: FunctionName;
  bytes: number;
  /** The AWS SDK client packages the bundle holds (its esbuild inputs under node_modules/@aws-sdk/client-*). */
  clients: string[];
  /** Median over runs of the time a fresh Node 24 process takes to import the bundle (module init, SDK clients). */
  coldImportMs: number;
  /** Size of the baseline: a bundle that imports and constructs only those clients, bundled the same way. */
  baselineBytes: number;
  /** Median cold import of the baseline, measured the same way (in the same rounds as the handler). */
  baselineColdImportMs: number;
  /** coldImportMs / baselineColdImportMs; undefined for a handler that holds no AWS client (nothing to compare with). */
  coldImportRatio: number | undefined;
  /**
   * Median CPU time (user + system, every thread) of the same imports. Other work on a shared machine delays an
   * import's wall clock but hardly its CPU time, so the CPU ratio moves far less from run to run; and a function of
   * 128–512 MB gets a fraction of a vCPU, which V8's compiler and GC threads share with the main thread, so the CPU
   * time is also close to what an import takes there.
   */
  coldImportCpuMs: number;
  baselineColdImportCpuMs: number;
  /** coldImportCpuMs / baselineColdImportCpuMs, like coldImportRatio. */
  coldImportCpuRatio: number | undefined;
}

export interface BundleReport {
  handlers: BundleFigures[];
  /** The largest handler bundle, SDK included (goal: ≤ 400). */
  largestBundleKiB: number;
  /** The largest coldImportRatio over the handlers that hold an AWS client (goal: ≤ 1.5). */
  maxColdImportRatio: number;
  /** The largest coldImportCpuRatio, the steadier reading of the same goal. */
  maxColdImportCpuRatio: number;
}

/**
 * Bundles every handler the way the house construct does (same esbuild settings, SDK included) and, for each set of
 * AWS clients a handler holds, a baseline bundle that only constructs those clients; then measures each bundle's size
 * and its cold import in a fresh process — the part of a Lambda cold start our code controls — and how much a
 * handler's import costs over the SDK clients it cannot do without.
 */
export async function bundleReport(runs = 9): Promise<BundleReport> {
  const handlers = await measureBundles(runs);
  const ratios = handlers.flatMap((h) => (h.coldImportRatio === undefined ? [] : [h.coldImportRatio]));
  const cpuRatios = handlers.flatMap((h) => (h.coldImportCpuRatio === undefined ? [] : [h.coldImportCpuRatio]));
  return {
    handlers,
    largestBundleKiB: round(Math.max(...handlers.map((h) => h.bytes)) / 1024, 1),
    maxColdImportRatio: round(Math.max(...ratios), 2),
    maxColdImportCpuRatio: round(Math.max(...cpuRatios), 2),
  };
}

/** The per-handler figures of bundleReport. */
export async function measureBundles(runs = 9): Promise<BundleFigures[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'patient-access-bench-'));
  const handlers: Array<{ name: FunctionName; outfile: string; clients: string[] }> = [];
  for (const [name, spec] of Object.entries(FUNCTIONS) as Array<[FunctionName, (typeof FUNCTIONS)[FunctionName]]>) {
    const outfile = join(outdir, `${name}.mjs`);
    const metafile = await houseBuild({ entryPoints: [spec.entry], outfile });
    handlers.push({ name, outfile, clients: sdkClientsIn(metafile) });
  }

  const baselines = new Map<string, string>();
  for (const { clients } of handlers) {
    const key = clients.join('+');
    if (baselines.has(key)) continue;
    const outfile = join(outdir, `baseline-${key || 'none'}.mjs`);
    await houseBuild({ stdin: { contents: await baselineSource(clients), resolveDir: REPO_ROOT, loader: 'js' }, outfile });
    baselines.set(key, outfile);
  }

  // Round-robin over every bundle, so a handler and its baseline see the same machine load.
  const files = [...handlers.map((h) => h.outfile), ...baselines.values()];
  const samples = new Map<string, ColdImport[]>(files.map((file) => [file, []]));
  for (let run = 0; run < runs; run++) for (const file of files) samples.get(file)?.push(coldImport(file));
  const median = (file: string, of: keyof ColdImport) => {
    const sorted = (samples.get(file) ?? []).map((sample) => sample[of]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };

  return handlers.map(({ name, outfile, clients }) => {
    const baseline = baselines.get(clients.join('+')) as string;
    const ratio = (of: keyof ColdImport) => (clients.length > 0 ? round(median(outfile, of) / median(baseline, of), 2) : undefined);
    return {
      name,
      bytes: statSync(outfile).size,
      clients,
      coldImportMs: round(median(outfile, 'wallMs'), 1),
      baselineBytes: statSync(baseline).size,
      baselineColdImportMs: round(median(baseline, 'wallMs'), 1),
      coldImportRatio: ratio('wallMs'),
      coldImportCpuMs: round(median(outfile, 'cpuMs'), 1),
      baselineColdImportCpuMs: round(median(baseline, 'cpuMs'), 1),
      coldImportCpuRatio: ratio('cpuMs'),
    };
  });
}

/** Builds as the house construct does (infra/constructs/patient-access-function.ts) and returns esbuild's metafile. */
async function houseBuild(options: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'outfile'>): Promise<Metafile> {
  const result = await build({ ...options, ...houseBuildOptions(), metafile: true, logLevel: 'silent' });
  return result.metafile;
}

/**
 * HOUSE_BUNDLING as esbuild's API options, the way CDK turns it into esbuild's command line: same target, format,
 * banner, minification, source maps, externals and aliases (resolved from the project root, CDK's working directory
 * when it bundles locally). An esbuildArgs key this does not translate fails here, so the bench cannot drift from a
 * deployment in silence.
 */
export function houseBuildOptions(): BuildOptions {
  const { '--alias': aliases = [], ...unknown } = HOUSE_BUNDLING.esbuildArgs as Record<string, string[] | string | boolean>;
  if (Object.keys(unknown).length > 0) throw new Error(`bench/bundles.ts: translate esbuildArgs ${Object.keys(unknown).join(', ')}`);
  if (!Array.isArray(aliases)) throw new Error('bench/bundles.ts: esbuildArgs --alias must be a list of from=to');
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: HOUSE_BUNDLING.target,
    mainFields: [...HOUSE_BUNDLING.mainFields],
    banner: { js: HOUSE_BUNDLING.banner },
    minify: HOUSE_BUNDLING.minify,
    external: [...HOUSE_BUNDLING.externalModules],
    alias: Object.fromEntries(aliases.map((alias) => alias.split('=') as [string, string])),
    absWorkingDir: REPO_ROOT,
    sourcemap: 'linked',
    sourcesContent: false,
  };
}

/** The @aws-sdk/client-* packages whose code is in a bundle, sorted. */
function sdkClientsIn(metafile: Metafile): string[] {
  const packages = Object.keys(metafile.inputs).flatMap((input) => {
    const match = /(?:^|\/)node_modules\/(@aws-sdk\/client-[^/]+)\//.exec(input);
    return match?.[1] ? [match[1]] : [];
  });
  return [...new Set(packages)].sort();
}

/** An entry that imports each client package's client class and constructs it, as a handler's module scope does. */
async function baselineSource(clients: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const [i, pkg] of clients.entries()) {
    const exported = Object.keys(await import(pkg)).filter((key) => /^[A-Z]\w*Client$/.test(key));
    if (exported.length !== 1) throw new Error(`${pkg}: expected one *Client export, found ${exported.join(', ') || 'none'}`);
    lines.push(`import { ${exported[0]} as Client${i} } from '${pkg}';`);
  }
  lines.push(`export const clients = [${clients.map((_, i) => `new Client${i}({})`).join(', ')}];`);
  return lines.join('\n');
}

const IMPORT_TIMER =
  'const c = process.cpuUsage(); const t = performance.now(); await import(process.argv[1]); const w = performance.now() - t; ' +
  'const u = process.cpuUsage(c); console.log(JSON.stringify({ wallMs: w, cpuMs: (u.user + u.system) / 1000 }));';

interface ColdImport {
  wallMs: number;
  cpuMs: number;
}

function coldImport(file: string): ColdImport {
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
    AUDIT_ARCHIVE_BUCKET: 'bench',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, file], { env, encoding: 'utf8' });
  return JSON.parse(out) as ColdImport;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** The report as a table (npm run bench:bundles). */
export function formatBundleReport(report: BundleReport): string {
  const header = [
    'handler'.padEnd(24),
    'KiB'.padStart(6),
    'cold ms'.padStart(8),
    'baseline ms'.padStart(12),
    'ratio'.padStart(6),
    'cpu ms'.padStart(8),
    'baseline cpu'.padStart(13),
    'cpu ratio'.padStart(10),
    '  clients',
  ].join(' ');
  const rows = report.handlers.map((h) =>
    [
      h.name.padEnd(24),
      (h.bytes / 1024).toFixed(0).padStart(6),
      h.coldImportMs.toFixed(1).padStart(8),
      (h.clients.length > 0 ? h.baselineColdImportMs.toFixed(1) : '–').padStart(12),
      (h.coldImportRatio?.toFixed(2) ?? 'n/a').padStart(6),
      h.coldImportCpuMs.toFixed(1).padStart(8),
      (h.clients.length > 0 ? h.baselineColdImportCpuMs.toFixed(1) : '–').padStart(13),
      (h.coldImportCpuRatio?.toFixed(2) ?? 'n/a').padStart(10),
      `  ${h.clients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ') || '(no AWS client)'}`,
    ].join(' '),
  );
  return [
    header,
    ...rows,
    '',
    `largest bundle ${report.largestBundleKiB} KiB (goal ≤ 400); max cold-import ratio ${report.maxColdImportRatio} (goal ≤ 1.5, handlers with an AWS client); ` +
      `max CPU-time ratio ${report.maxColdImportCpuRatio}`,
  ].join('\n');
}

if (import.meta.main) {
  const runs = Number(process.argv[2] ?? 9);
  console.log(`Handler bundles (esbuild as the house construct, SDK included); cold import: median of ${runs} fresh Node processes\n`);
  console.log(formatBundleReport(await bundleReport(runs)));
}
