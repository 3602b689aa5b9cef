import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests in parallel, and tests that drive real SDKs / real sockets / child processes, two
// files at a time. The service SDK can only dial port 443, so every hub it talks to binds 443 on a loopback address
// of its own (test/helpers/loopback-hub.ts) and files never fight over a port; two workers, because the machines
// have two cores and these files mostly wait on sockets and the SDKs' retry timers.
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
          // Vitest runs projects with different worker counts as separate groups: the unit tests first.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/sdk/**/*.test.ts', 'test/reliability/**/*.test.ts', 'test/cli/**/*.test.ts'],
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
