import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (no database: unit tests and provider adapters against local peers), and the database suites twice — once on the embedded
 * PGlite, once on the PostgreSQL server named by CIAM_TEST_POSTGRES_URL. CIAM_TEST_ENGINES
 * (e.g. `pglite`) narrows a local run to one engine.
 */
const engines = (process.env.CIAM_TEST_ENGINES ?? 'pglite,postgres').split(',').map((s) => s.trim());
const databaseSuites = ['test/api/**/*.test.ts', 'test/store/**/*.test.ts', 'test/jobs/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      // Unit tests and provider adapters against their local peers need no database.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/providers/**/*.test.ts'] } },
      ...engines.map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          include: databaseSuites,
          env: { CIAM_TEST_ENGINE: engine },
          globalSetup: ['test/support/global-setup.ts'],
        },
      })),
    ],
  },
});
