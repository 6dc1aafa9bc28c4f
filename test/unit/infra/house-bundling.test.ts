import { existsSync } from 'node:fs';
import path from 'node:path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { houseBuildOptions } from '#bench/bundles.ts';
import { FUNCTIONS } from '#contract/function-catalog.ts';
import { BUNDLE_ALIASES, HOUSE_BUNDLING, PatientAccessFunction, REPO_ROOT } from '#infra/constructs/patient-access-function.ts';

const CREDENTIAL_ALIAS = '@aws-sdk/credential-provider-node=./infra/bundling/env-credential-provider.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The Bundling object NodejsFunction hands to its asset, built without running esbuild (bundling skipped). */
function houseFunctionBundling(): { command?: string[]; workingDirectory?: string } {
  const fromAsset = vi.spyOn(Code, 'fromAsset');
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bundling');
  new PatientAccessFunction(stack, 'Fn', { spec: FUNCTIONS.authorizeApiKey, encryptionKey: new Key(stack, 'Key') });
  const options = fromAsset.mock.calls[0]?.[1] as { bundling?: { command?: string[]; workingDirectory?: string } } | undefined;
  if (!options?.bundling) throw new Error('NodejsFunction did not bundle through Code.fromAsset');
  return options.bundling;
}

describe('Bundling: HOUSE_BUNDLING', () => {
  it('aliases the SDK default credential chain to the environment-only provider, a file in this repository', () => {
    // Assess
    expect(HOUSE_BUNDLING.esbuildArgs['--alias']).toContain(CREDENTIAL_ALIAS);
    for (const target of Object.values(BUNDLE_ALIASES)) expect(existsSync(path.join(REPO_ROOT, target)), target).toBe(true);
  });

  it("reaches esbuild's command line through NodejsFunction, with the project as Docker's working directory", () => {
    // Act
    const bundling = houseFunctionBundling();

    // Assess: the Docker command shows the arguments CDK gives esbuild (local bundling runs the same steps in REPO_ROOT).
    expect(bundling.command?.join(' ')).toContain(`--alias:${CREDENTIAL_ALIAS}`);
    expect(bundling.workingDirectory).toBe(AssetStaging.BUNDLING_INPUT_DIR);
  });

  it('resolves the SDK credential chain to the environment-only provider when bundled as the bench does', async () => {
    // Act: a bundle of the one import every SDK client makes from @aws-sdk/credential-provider-node.
    const result = await build({
      ...houseBuildOptions(),
      stdin: { contents: "export { defaultProvider } from '@aws-sdk/credential-provider-node';", resolveDir: REPO_ROOT, loader: 'js' },
      write: false,
      outfile: 'out.mjs',
      metafile: true,
      logLevel: 'silent',
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('infra/bundling/env-credential-provider.ts');
    expect(
      inputs.filter((input) => /credential-provider-(node|ini|sso|process|web-identity)|client-sts|nested-clients/.test(input)),
    ).toEqual([]);
  });
});
