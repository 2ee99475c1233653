import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Env } from '../../src/config/settings.js';
import { DEMO_PASSWORD } from '../../src/providers/directory/demo-directory.js';
import { BASE_DN, passwordPolicyLdif, POLICY_DN, SERVICE_DN, seedLdif } from './slapd-seed.js';
import { freePort } from './free-port.js';

/**
 * A throwaway OpenLDAP slapd for one test file: its own temp directory, config, database and
 * loopback port, loaded with the demo customers (slapd-seed.ts) before it starts. It runs in the
 * foreground as our child with the `stats` log on stderr, so tests can see which binds reached
 * it, stop it (the directory is down) and start it again on the same port.
 */
export interface Slapd {
  url: string;
  /** With `tls: true`: the ldaps:// listener and the CA that signed its certificate. */
  ldapsUrl?: string;
  caFile?: string;
  servicePassword: string;
  /** CIAM_LDAP_* settings that reach this server with the adapter's default attribute map. */
  env(overrides?: Env): Env;
  /** DNs of every bind the server has received so far (from its stats log). */
  binds(): string[];
  /** The running server's process id (undefined while stopped). */
  pid(): number | undefined;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its files. */
  close(): Promise<void>;
}

export interface SlapdOptions {
  /** More LDIF entries to load after the seed. */
  extraLdif?: string;
  /** Also listen on ldaps:// and offer StartTLS, with a certificate from a throwaway CA. */
  tls?: boolean;
  /**
   * No per-operation log (binds() then sees nothing): for load measurements, where the log lines
   * of every search and bind would add their cost to the directory's and to the caller's.
   */
  quiet?: boolean;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SLAPPASSWD = '/usr/sbin/slappasswd';
const LDAPSEARCH = '/usr/bin/ldapsearch';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';
const SERVICE_PASSWORD = 'service-account-test-password';
const ROOT_PASSWORD = 'root-test-password';

const run = promisify(execFile);
const running = new Set<ChildProcess>();
// A test process that dies without its afterAll must not leave a directory server behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Installs slapd the way CI does when this machine lacks it (needs root or passwordless sudo). */
export function ensureSlapdInstalled(): void {
  if ([SLAPD, SLAPADD, SLAPPASSWD, LDAPSEARCH].every((p) => existsSync(p))) return;
  const script = fileURLToPath(new URL('../../scripts/ci-install-test-servers.sh', import.meta.url));
  execFileSync(script, { stdio: 'pipe', timeout: 300_000 });
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  ensureSlapdInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'ciam-slapd-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const tls = options.tls ? await makeCertificates(dir) : undefined;
  const ldapsUrl = tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;

  const [rootHash, serviceHash, customerHash] = await Promise.all(
    [ROOT_PASSWORD, SERVICE_PASSWORD, DEMO_PASSWORD].map(ssha),
  );
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir, rootHash!, tls, options.quiet));
  const ldif = join(dir, 'seed.ldif');
  writeFileSync(
    ldif,
    `${seedLdif({ service: serviceHash!, customer: customerHash! })}\n${passwordPolicyLdif(customerHash!)}\n${options.extraLdif ?? ''}`,
  );
  // Offline load before the first start: no network, no ordering problems with ACLs.
  await run(SLAPADD, ['-f', conf, '-l', ldif]);

  const log: string[] = [];
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const listeners = [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' ');
    const proc = spawn(SLAPD, ['-d', options.quiet ? '0' : 'stats', '-h', listeners, '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    running.add(proc);
    let pending = '';
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      log.push(...lines);
    });
    proc.once('exit', () => {
      running.delete(proc);
      if (child === proc) child = undefined;
    });
    await waitUntilAnswering(url, proc, log);
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    // Wait for the process itself: slapd removes its pidfile before it has finished exiting.
    const exited = new Promise<void>((done) => proc.once('exit', () => done()));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };

  await start();
  return {
    url,
    ldapsUrl,
    caFile: tls?.caFile,
    servicePassword: SERVICE_PASSWORD,
    env: (overrides = {}) => ({
      CIAM_LDAP_URL: url,
      CIAM_LDAP_BIND_DN: SERVICE_DN,
      CIAM_LDAP_BIND_PASSWORD: SERVICE_PASSWORD,
      CIAM_LDAP_BASE_DN: BASE_DN,
      CIAM_LDAP_TIMEOUT_MS: '2000',
      CIAM_LDAP_CONNECT_TIMEOUT_MS: '1000',
      ...overrides,
    }),
    binds: () => log.flatMap((line) => /BIND dn="([^"]*)" method=/.exec(line)?.[1] ?? []),
    pid: () => child?.pid,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function slapdConf(dir: string, rootHash: string, tls?: Certificates, quiet = false): string {
  return `
${quiet ? 'loglevel 0' : ''}
include ${SCHEMA_DIR}/core.schema
include ${SCHEMA_DIR}/cosine.schema
include ${SCHEMA_DIR}/nis.schema
include ${SCHEMA_DIR}/inetorgperson.schema
modulepath ${MODULE_DIR}
moduleload back_mdb
# The password policy overlay (draft-behera); in slapd 2.5 its schema is built into the module.
moduleload ppolicy
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
${tls ? `TLSCACertificateFile ${tls.caFile}\nTLSCertificateFile ${tls.certFile}\nTLSCertificateKeyFile ${tls.keyFile}` : ''}

database mdb
maxsize 16777216
suffix "${BASE_DN}"
rootdn "cn=admin,${BASE_DN}"
rootpw ${rootHash}
directory ${dir}/db

# The directory's own lockout, as a bank's directory runs it: the default policy locks an account
# after pwdMaxFailure wrong passwords until an administrator unlocks it, and — ppolicy_use_lockout —
# says "account locked" in the password policy control of the failed bind.
overlay ppolicy
ppolicy_default "${POLICY_DN}"
ppolicy_use_lockout

# Passwords: nobody reads them; anyone may present one to bind; a customer may change their own.
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
# The service account reads customers; nobody else reads anything.
access to *
  by dn.exact="${SERVICE_DN}" read
  by * none
`;
}

async function ssha(password: string): Promise<string> {
  const { stdout } = await run(SLAPPASSWD, ['-h', '{SSHA}', '-s', password]);
  return stdout.trim();
}


async function waitUntilAnswering(url: string, proc: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`slapd exited while starting:\n${log.slice(-20).join('\n')}`);
    }
    try {
      await run(LDAPSEARCH, ['-x', '-H', `${url}/`, '-s', 'base', '-b', '', '-LLL', 'namingContexts'], { timeout: 2000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`slapd did not answer at ${url}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface Certificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A one-day CA and a server certificate for 127.0.0.1 / localhost signed by it. */
async function makeCertificates(dir: string): Promise<Certificates> {
  const file = (name: string) => join(dir, name);
  const days = ['-days', '1'];
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), ...days,
    '-subj', '/CN=CIAM test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', [
    'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1',
  ]);
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.pem'), ...days, '-extfile', file('server.ext'),
  ]);
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key') };
}
