import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { available } from './requirements.js';

/**
 * Whether the suites that need `name` can run here: its binaries are installed, or the project's
 * install script (Debian's packages; needs root or passwordless sudo) installs them now. Otherwise
 * they are left out with the reason printed — a failure under CIAM_TEST_REQUIRE_ALL.
 */
function installedOrInstallable(name: string, binaries: string[], installTimeoutMs: number): boolean {
  const present = () => binaries.every((p) => existsSync(p));
  if (present()) return true;
  let missing: string | undefined;
  try {
    const script = fileURLToPath(new URL('../../scripts/ci-install-test-servers.sh', import.meta.url));
    execFileSync(script, { stdio: 'pipe', timeout: installTimeoutMs });
    if (!present()) missing = `the install script ran but ${name} is still missing`;
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop();
    missing = `not installed, and not installable from Debian's packages here${detail ? ` (${detail})` : ''}`;
  }
  return available(name, missing);
}

/** The LDAP suites: OpenLDAP's slapd and its tools. */
export const slapdAvailable = () =>
  installedOrInstallable('OpenLDAP slapd', ['/usr/sbin/slapd', '/usr/sbin/slapadd', '/usr/sbin/slappasswd', '/usr/bin/ldapsearch'], 300_000);

/** The browser suites: Debian's Chromium. */
export const chromiumAvailable = () => installedOrInstallable('Chromium', ['/usr/bin/chromium'], 600_000);

/** The `pgbouncer` project. */
export const pgbouncerAvailable = () => installedOrInstallable('PgBouncer', ['/usr/sbin/pgbouncer'], 300_000);
