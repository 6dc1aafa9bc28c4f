import { defineConfig } from 'vitest/config';

/** The chaos scenarios `npm test` runs; the others (DynamoDB outage, stack restart) run with `npm run chaos` only. */
const CHAOS_FAST = [
  'test/chaos/fault-proxy.test.ts',
  'test/chaos/concurrent-decisions.test.ts',
  'test/chaos/lost-charge-response.test.ts',
  'test/chaos/path-parameters.test.ts',
  'test/chaos/load.test.ts',
];

/**
 * One root config, one project per kind of test; each runs alone with `vitest run --project <name>`.
 * integration and workflow share one DynamoDB Local and one SES emulator started by test/support/global-setup.ts.
 * chaos-fast is a subset of chaos with a smaller load: `npm test` excludes `chaos`, `npm run chaos` runs only it.
 */
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine, so every file ran one
    // after another. The light projects (unit, integration, workflow, infra) run first on two workers; the projects
    // that each start a whole local cloud run after them, one file at a time and alone (`sequence.groupOrder`).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/support/setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/setup.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'workflow',
          include: ['test/workflow/**/*.test.ts'],
          setupFiles: ['test/support/setup.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], setupFiles: ['test/support/setup.ts'], testTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file runs a whole local cloud: one at a time, after the light projects.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Fault injection (README.md, "Fault injection"): every scenario, the load at 200 journeys. `npm run chaos`.
        extends: true,
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Each file runs a whole local cloud (a JVM, worker environments): one at a time on a small machine.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          provide: { chaos: { loadJourneys: 200 } },
        },
      },
      {
        // The scenarios that take seconds, the load at 30 journeys: part of `npm test` (which runs every project but chaos).
        extends: true,
        test: {
          name: 'chaos-fast',
          include: CHAOS_FAST,
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          // Two execution environments per function instead of four: half the cold starts on a 2-core machine, and
          // still two of each function running at once, so the races the scenarios look for can happen.
          env: { LOCAL_LAMBDA_MAX_ENVIRONMENTS: '2' },
          provide: { chaos: { loadJourneys: 30 } },
        },
      },
    ],
  },
});
