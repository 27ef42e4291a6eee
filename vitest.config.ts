import { defineConfig } from 'vitest/config';

// Three suites, each runnable alone: `npm run test:unit`, `test:timeskip`, `test:devserver`, `test:browser`.
// Servers are started once per run by the global set-up of the suite that needs them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
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
          globalSetup: ['test/setup/dev-server.ts'],
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
    ],
  },
});
