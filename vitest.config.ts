import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests in parallel, and tests that drive real SDKs / real sockets / child processes one
// file at a time (the service SDK can only dial port 443, so those files must not overlap).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/conformance/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/sdk/**/*.test.ts', 'test/reliability/**/*.test.ts', 'test/cli/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
