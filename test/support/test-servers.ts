import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { available } from './requirements.js';

const SLAPD_BINARIES = ['/usr/sbin/slapd', '/usr/sbin/slapadd', '/usr/sbin/slappasswd', '/usr/bin/ldapsearch'];

/**
 * Whether the LDAP suites can run here: OpenLDAP is installed, or the project's install script
 * (Debian's packages; needs root or passwordless sudo) installs it now. Otherwise the suites are
 * skipped with the reason printed — a failure under CIAM_TEST_REQUIRE_ALL.
 */
export function slapdAvailable(): boolean {
  if (SLAPD_BINARIES.every((p) => existsSync(p))) return true;
  let missing: string | undefined;
  try {
    const script = fileURLToPath(new URL('../../scripts/ci-install-test-servers.sh', import.meta.url));
    execFileSync(script, { stdio: 'pipe', timeout: 300_000 });
    if (!SLAPD_BINARIES.every((p) => existsSync(p))) missing = 'the install script ran but slapd is still missing';
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop();
    missing = `not installed, and not installable from Debian's packages here${detail ? ` (${detail})` : ''}`;
  }
  return available('OpenLDAP slapd', missing);
}

const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser suites can run here: Debian's Chromium is installed, or the project's
 * install script installs it now. Otherwise they are skipped with the reason printed — a failure
 * under CIAM_TEST_REQUIRE_ALL.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  let missing: string | undefined;
  try {
    const script = fileURLToPath(new URL('../../scripts/ci-install-test-servers.sh', import.meta.url));
    execFileSync(script, { stdio: 'pipe', timeout: 600_000 });
    if (!existsSync(CHROMIUM)) missing = 'the install script ran but Chromium is still missing';
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop();
    missing = `not installed, and not installable from Debian's packages here${detail ? ` (${detail})` : ''}`;
  }
  return available('Chromium', missing);
}

const PGBOUNCER = '/usr/sbin/pgbouncer';

/**
 * Whether the `pgbouncer` project can run here: PgBouncer is installed, or the install script
 * installs it now. Otherwise the project is left out with the reason printed — a failure under
 * CIAM_TEST_REQUIRE_ALL.
 */
export function pgbouncerAvailable(): boolean {
  if (existsSync(PGBOUNCER)) return true;
  let missing: string | undefined;
  try {
    const script = fileURLToPath(new URL('../../scripts/ci-install-test-servers.sh', import.meta.url));
    execFileSync(script, { stdio: 'pipe', timeout: 300_000 });
    if (!existsSync(PGBOUNCER)) missing = 'the install script ran but pgbouncer is still missing';
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop();
    missing = `not installed, and not installable from Debian's packages here${detail ? ` (${detail})` : ''}`;
  }
  return available('PgBouncer', missing);
}
