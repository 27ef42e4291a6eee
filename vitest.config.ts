import { defineConfig } from 'vitest/config';

// Suites, each runnable alone: `npm run test:unit`, `test:timeskip`, `test:dev`, `test:browser`
// (together: `npm test`), and two that CI runs after `npm test`: `npm run test:faults` (the fault
// suite) and `npm run test:scale` (the 1,000-department plan).
// Servers are started once per run by the global set-up of the suite that needs them (unit,
// devserver and faults each start a throw-away PostgreSQL: test/setup/postgres.ts).
export default defineConfig({
  test: {
    // The suites mostly wait on their servers (Temporal, SMTP, chromium): with projects running in
    // parallel, three files at a time keep both cores busy (the default on 2 cores is one).
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // A throw-away PostgreSQL (about 1 s to start) for the storage's PostgreSQL tests.
          globalSetup: ['test/setup/postgres.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'timeskip',
          include: ['test/timeskip/**/*.test.ts'],
          globalSetup: ['test/setup/timeskip-server.ts'],
          setupFiles: ['test/setup/quiet-runtime.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'devserver',
          include: ['test/devserver/**/*.test.ts'],
          globalSetup: ['test/setup/dev-server.ts', 'test/setup/postgres.ts'],
          setupFiles: ['test/setup/quiet-runtime.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/setup/dev-server.ts'],
          setupFiles: ['test/setup/quiet-runtime.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The five seed campaigns from launch to summary on the time-skipping server, every
          // message's instant and recipients checked (about 2 minutes): CI runs it after `npm test`
          // (`npm run test:seeds`); every instant they state is pinned in npm test by test/unit/seeds.
          name: 'seeds',
          include: ['test/seeds/**/*.test.ts'],
          globalSetup: ['test/setup/timeskip-server.ts'],
          setupFiles: ['test/setup/quiet-runtime.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The 1,000-department plan (issue C's scale proof): about 4-5 minutes, so CI runs it as its
          // own step after `npm test` (`npm run test:scale`).
          name: 'scale',
          include: ['test/scale/**/*.test.ts'],
          globalSetup: ['test/setup/timeskip-server.ts'],
          setupFiles: ['test/setup/quiet-runtime.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // CI only, after `npm test` (`npm run test:faults`). Most fault tests start their own stack
          // (test/faults/stack.ts); worker-restart uses the suite's dev server.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/setup/dev-server.ts', 'test/setup/postgres.ts'],
          setupFiles: ['test/setup/quiet-runtime.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
