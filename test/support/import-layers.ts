import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The layer rules of README.md "Layout", over the imports of every source file. A test (test/unit/architecture) runs
 * them on the tree, so a wrong-way import fails `npm test`. Biome's noRestrictedImports could not hold them: its
 * overrides replace (not merge) the rule's options where folders overlap, and its patterns read specifiers, not files.
 */

export interface Import {
  /** The importing file, relative to the repository root. */
  from: string;
  /** The imported file (relative to the root) or package name. */
  to: string;
  /** `import type …`: erased at build time, so it loads nothing. */
  typeOnly: boolean;
}

const AWS_PACKAGES = /^(@aws-sdk|@aws-lambda-powertools|@middy|@smithy)\//;
/** Modules that may reach AWS: handlers (wiring), stores, adapters, and the kernel's client and table plumbing. */
const ADAPTER =
  /(\.handler|-store|-adapter)\.ts$|^functions\/shared\/(aws\/[\w-]+|table|stores|errors|handler|observability|http\/[\w-]+)\.ts$/;

/** Why this import breaks a layer rule, or undefined when it is fine. */
export function layerViolation({ from, to, typeOnly }: Import, stages: readonly string[]): string | undefined {
  const stageOf = (path: string) => stages.find((stage) => path.startsWith(`functions/${stage}/`));
  const ours = (path: string) => /^(contract|functions|infra|local|test|scripts|bench|workflows|docs)\//.test(path);
  if (from.startsWith('contract/') && ours(to) && !to.startsWith('contract/'))
    return 'contract/ is the bottom layer: it imports nothing of ours';
  if (from.startsWith('functions/') && /^(infra|local|test|scripts|bench|workflows)\//.test(to))
    return 'deployed code imports neither the CDK app, the local cloud nor the tests (names come from contract/)';
  if (from.startsWith('functions/model/') && ((ours(to) && !/^(contract|functions\/model)\//.test(to)) || AWS_PACKAGES.test(to)))
    return 'the model layer is plain types and pure rules: only contract/ and functions/model/';
  if (from.startsWith('functions/shared/') && stageOf(to)) return 'the kernel (functions/shared) depends on no stage';
  const stage = stageOf(from);
  if (stage && stageOf(to) && stageOf(to) !== stage) return "a stage never imports another stage's modules";
  if (from.startsWith('infra/') && /^(functions|local)\//.test(to)) return 'the CDK app builds from contract/, naming handlers by path';
  if (from.startsWith('functions/') && !ADAPTER.test(from) && !typeOnly) {
    if (AWS_PACKAGES.test(to) && to.startsWith('@aws-sdk/')) return 'only handlers, stores and adapters reach the AWS SDK';
    if (/(-store|-adapter)\.ts$|^functions\/shared\/aws\//.test(to))
      return 'a use case or rule reaches stores and adapters through its deps (type imports only)';
  }
  return undefined;
}

const SPECIFIER = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import of every TypeScript file under the given folders, resolved through package.json `imports` aliases. */
export function importsOf(root: string, folders: readonly string[]): Import[] {
  const aliases = Object.entries(
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports: Record<string, string> }).imports,
  ).map(([alias, target]) => [alias.replace('*', ''), normalize(target.replace('*', ''))] as const);
  const resolve = (specifier: string, file: string): string => {
    for (const [alias, target] of aliases) if (specifier.startsWith(alias)) return join(target, specifier.slice(alias.length));
    if (specifier.startsWith('.')) return normalize(join(dirname(file), specifier));
    return specifier;
  };
  return folders.flatMap((folder) =>
    sourceFiles(root, folder).flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(SPECIFIER)].map((m) => ({
        from: file,
        to: resolve((m[3] ?? m[4]) as string, file),
        typeOnly: m[2] !== undefined,
      })),
    ),
  );
}

function sourceFiles(root: string, folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(root, path);
    return path.endsWith('.ts') ? [relative('.', path)] : [];
  });
}

/** The stage folders of functions/: every folder but the kernel and the model. */
export function stagesIn(root: string): string[] {
  return readdirSync(join(root, 'functions')).filter(
    (name) => !['shared', 'model'].includes(name) && statSync(join(root, 'functions', name)).isDirectory(),
  );
}
