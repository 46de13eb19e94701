import { defineConfig } from 'vitest/config';

// Each project's global setup starts servers of its own (Temporal, PostgreSQL with FerretDB) and bundles the
// workflows; the root has none, so as not to start a third set. Vitest runs every project's setup before the first
// test, so the `alone` project's servers start up front (some 200 MB) and wait, idle, for their turn.
const globalSetup = ['test/globalSetup.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more files at once only queue for them and slow the servers down.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'suite', globalSetup, include: ['test/**/*.test.ts'], exclude: ['test/faults.test.ts'] },
      },
      // The burst of 1,000 requests with a worker killed runs last and alone, on servers of its own: files beside
      // it would slow its new worker past what it waits for, and its load would slow theirs.
      {
        extends: true,
        test: { name: 'alone', globalSetup, include: ['test/faults.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
