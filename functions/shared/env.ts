import { ENV } from '#contract/function-catalog.ts';

/** Reads a required environment variable by its logical name; a missing one is a deployment bug, so fail loudly. */
export function requireEnv(name: keyof typeof ENV): string {
  const value = process.env[ENV[name]];
  if (!value) throw new Error(`Environment variable ${ENV[name]} is not set`);
  return value;
}

/** Reads an optional environment variable by its logical name (unset or empty: undefined). */
export function optionalEnv(name: keyof typeof ENV): string | undefined {
  return process.env[ENV[name]] || undefined;
}
