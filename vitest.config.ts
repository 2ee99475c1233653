import { configDefaults, defineConfig } from 'vitest/config';
import { chromiumAvailable, pgbouncerAvailable, slapdAvailable } from './test/support/test-servers.js';

/**
 * Projects: `unit` (no database: unit tests and provider adapters against local peers); `browser`
 * (the hosted pages in Debian's Chromium, once, on PGlite; needs `npm run build` first); the
 * database suites twice — once on the embedded PGlite, once on the PostgreSQL server named by
 * CIAM_TEST_POSTGRES_URL (a throw-away one when that does not answer; see
 * test/support/global-setup.ts); and `pgbouncer`, the walkthroughs and token paths with the
 * service reaching that server through PgBouncer in transaction pooling mode. CIAM_TEST_ENGINES
 * (e.g. `pglite`) narrows a local run to some of them.
 * The suites that need OpenLDAP's slapd are left out, with the reason printed, where it is neither
 * installed nor installable; CIAM_TEST_REQUIRE_ALL=true turns that into a failure (CI sets it).
 */
const engines = (process.env.CIAM_TEST_ENGINES ?? 'pglite,postgres,pgbouncer')
  .split(',')
  .map((s) => s.trim())
  .filter((engine) => engine !== 'pgbouncer' || pgbouncerAvailable());
const databaseSuites = ['test/api/**/*.test.ts', 'test/store/**/*.test.ts', 'test/jobs/**/*.test.ts'];
const ldapSuites = [
  'test/providers/ldap-directory.test.ts',
  'test/api/ldap-login.test.ts',
  'test/api/production-adapters.test.ts',
  'test/api/production-adapter-faults.test.ts',
];
const exclude = [...configDefaults.exclude, ...(slapdAvailable() ? [] : ldapSuites)];
// Through PgBouncer (transaction pooling) the walkthroughs and the token paths, the work the service does behind one in production.
const pooledSuites = ['test/api/journey-*.test.ts', 'test/api/refresh.test.ts', 'test/api/logout-verify.test.ts', 'test/api/isolation.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      // Unit tests and provider adapters against their local peers need no database.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/providers/**/*.test.ts'], exclude } },
      // The hosted pages in Debian's Chromium, once (on PGlite): needs `npm run build` first.
      ...(chromiumAvailable()
        ? [
            {
              extends: true as const,
              test: {
                name: 'browser',
                include: ['test/browser/**/*.test.ts'],
                env: { CIAM_TEST_ENGINE: 'pglite' },
                globalSetup: ['test/support/global-setup.ts'],
                // One browser at a time on a small machine: the files run one after another in one process.
                poolOptions: { forks: { singleFork: true } },
                testTimeout: 90_000,
              },
            },
          ]
        : []),
      ...engines.map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          include: engine === 'pgbouncer' ? pooledSuites : databaseSuites,
          exclude,
          env: { CIAM_TEST_ENGINE: engine },
          globalSetup: ['test/support/global-setup.ts'],
        },
      })),
    ],
  },
});
