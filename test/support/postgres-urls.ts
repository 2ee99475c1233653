/**
 * The PostgreSQL server the tests use; each run and each test file gets its own database on it.
 * CIAM_TEST_POSTGRES_URL, or the machine's server; when neither answers, the run's global set-up
 * starts a throw-away server and sets CIAM_TEST_POSTGRES_URL to it before any test file starts
 * (test workers inherit the environment).
 */
export function adminUrl(): string {
  return process.env.CIAM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}
