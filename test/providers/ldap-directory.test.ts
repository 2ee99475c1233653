import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRefusedError, ProviderUnavailableError } from '../../src/providers/errors.js';
import { refusalOf } from '../../src/providers/directory/ldap-pools.js';
import { PasswordPolicyControl } from '../../src/providers/directory/password-policy-control.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/providers/directory/demo-directory.js';
import { LdapConnector } from '../../src/providers/directory/ldap-connector.js';
import { LdapDirectory } from '../../src/providers/directory/ldap-directory.js';
import { readLdapSettings } from '../../src/config/ldap.js';
import type { DirectoryUser } from '../../src/providers/directory/port.js';
import type { Env } from '../../src/config/settings.js';
import { startCountingProxy, startSilentServer, type CountingProxy } from '../support/counting-proxy.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { BASE_DN, CUSTOMERS_DN, DIRECTORY_MAX_FAILURES, SERVICE_DN, customerEntry, ldifEntry } from '../support/slapd-seed.js';
import { describeDirectoryContract } from './contracts/directory-contract.js';

/**
 * The LDAP adapter against a real OpenLDAP slapd holding the demo customers, plus a few entries
 * that must not log anyone in: a username held twice, an account state nobody mapped, a
 * customer without a CUPID. (Their passwords are stored in clear: slapd compares them as is.)
 */
const PARTNERS_DN = `ou=partners,${BASE_DN}`;
const active: DirectoryUser = { cupid: '', state: 'ACTIVE', mfaRequired: false, phones: [], mobileApproveStatus: 'NOT_REGISTERED' };
const extraLdif = [
  ldifEntry(PARTNERS_DN, { objectClass: 'organizationalUnit', ou: 'partners' }),
  customerEntry('twinuser', { ...active, cupid: 'CUPID_TWIN_001' }, DEMO_PASSWORD),
  customerEntry('twinuser', { ...active, cupid: 'CUPID_TWIN_002' }, DEMO_PASSWORD, PARTNERS_DN),
  customerEntry('strangeuser', { ...active, cupid: 'CUPID_STRANGE_001', state: 'ZOMBIE' as DirectoryUser['state'] }, DEMO_PASSWORD),
  ldifEntry(`uid=nocupiduser,${CUSTOMERS_DN}`, {
    objectClass: 'inetOrgPerson', uid: 'nocupiduser', cn: 'x', sn: 'x', userPassword: DEMO_PASSWORD,
  }),
  ldifEntry(`uid=twostateuser,${CUSTOMERS_DN}`, {
    objectClass: 'inetOrgPerson', uid: 'twostateuser', cn: 'x', sn: 'x', userPassword: DEMO_PASSWORD,
    employeeNumber: 'CUPID_TWOSTATE_001', employeeType: ['ACTIVE', 'restricted'], businessCategory: 'maybe',
    mobile: ['+15550100001', '+15550100002'], telephoneNumber: '+15550100003',
  }),
].join('\n');

let slapd: Slapd;
let directory: LdapDirectory;
const opened: LdapDirectory[] = [];

function directoryFor(env: Env = {}): LdapDirectory {
  const d = new LdapDirectory(readLdapSettings(slapd.env(env)));
  opened.push(d);
  return d;
}

beforeAll(async () => {
  slapd = await startSlapd({ extraLdif, tls: true });
  directory = directoryFor();
}, 300_000);

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await slapd?.close();
});

describe("the directory's own password policy (slapd ppolicy, draft-behera control)", () => {
  it('an account the directory has locked answers locked, with the right password or a wrong one', async () => {
    const locked = { ok: false, locked: true, lockReason: 'PASSWORD_LOCKED' };
    await expect(directory.authenticate('dirlockeduser', DEMO_PASSWORD)).resolves.toEqual(locked);
    await expect(directory.authenticate('dirlockeduser', 'WrongPass123!')).resolves.toEqual(locked);
  });

  it('an expired password and one to change after a reset are not usable here', async () => {
    await expect(directory.authenticate('direxpireduser', DEMO_PASSWORD)).resolves.toEqual({ ok: false, locked: true, lockReason: 'PASSWORD_EXPIRED' });
    await expect(directory.authenticate('dirresetuser', DEMO_PASSWORD)).resolves.toEqual({ ok: false, locked: true, lockReason: 'PASSWORD_MUST_CHANGE' });
  });

  it(`locks after ${DIRECTORY_MAX_FAILURES} wrong passwords in the directory, and says so`, async () => {
    for (let i = 0; i < DIRECTORY_MAX_FAILURES; i++) {
      await expect(directory.authenticate('dirlockmeuser', 'WrongPass123!')).resolves.toMatchObject({ ok: false });
    }
    await expect(directory.authenticate('dirlockmeuser', DEMO_PASSWORD)).resolves.toEqual({ ok: false, locked: true, lockReason: 'PASSWORD_LOCKED' });
  });

  it("reads Active Directory's sub-codes from the bind error's diagnostic message", () => {
    const none = new PasswordPolicyControl();
    const ad = (data: string) => `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v2580 Code: 0x31`;
    expect(refusalOf(none, ad('775'))).toEqual({ refusal: 'LOCKED' });
    expect(refusalOf(none, ad('532'))).toEqual({ refusal: 'EXPIRED' });
    expect(refusalOf(none, ad('773'))).toEqual({ refusal: 'MUST_CHANGE' });
    expect(refusalOf(none, ad('52e'))).toEqual({}); // plain wrong password
  });
});

describeDirectoryContract('LDAP directory', () => directory);

describe('LDAP directory against slapd', () => {
  it('answers a wrong password and an unknown user alike, each after one bind', async () => {
    const before = slapd.binds().length;
    await expect(directory.authenticate('mfauser', 'WrongPass123!')).resolves.toEqual({ ok: false });
    await expect(directory.authenticate('nosuchuser', DEMO_PASSWORD)).resolves.toEqual({ ok: false });
    const binds = await settledBinds(before, 2);
    expect(binds[0]).toBe(`uid=mfauser,${CUSTOMERS_DN}`);
    // The unknown user costs a bind too, against a DN that does not exist.
    expect(binds[1]).toMatch(new RegExp(`^cn=ciam-no-such-customer-[0-9a-f]+,${BASE_DN}$`));
  });

  it('refuses a username held by two entries', async () => {
    await expect(directory.authenticate('twinuser', DEMO_PASSWORD)).resolves.toEqual({ ok: false });
  });

  it('refuses an empty password without sending a single byte to the directory', async () => {
    const proxy = await startCountingProxy(Number(new URL(slapd.url).port));
    try {
      const viaProxy = directoryFor({ CIAM_LDAP_URL: proxy.url('ldap') });
      // Cold: nothing connected yet.
      await expect(viaProxy.authenticate('simpleuser', '')).resolves.toEqual({ ok: false });
      expect(proxy.connections).toBe(0);
      // Warm: pooled connections are open, and still nothing is sent.
      await expect(viaProxy.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
      const bytes = proxy.bytesFromClients;
      const binds = slapd.binds().length;
      expect(bytes).toBeGreaterThan(0);
      await expect(viaProxy.authenticate('simpleuser', '')).resolves.toEqual({ ok: false });
      await new Promise((r) => setTimeout(r, 100));
      expect(proxy.bytesFromClients).toBe(bytes);
      expect(slapd.binds().length).toBe(binds);
    } finally {
      await proxy.close();
    }
  });

  it('keeps several logins apart on shared connections', async () => {
    const names = Object.keys(DEMO_USERS);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const username = names[i % names.length]!;
        const password = i % 3 === 0 ? 'WrongPass123!' : DEMO_PASSWORD;
        return directory.authenticate(username, password).then((r) => ({ username, password, r }));
      }),
    );
    for (const { username, password, r } of results) {
      expect(r).toEqual(password === DEMO_PASSWORD ? { ok: true, user: DEMO_USERS[username] } : { ok: false });
    }
  });

  it('reads several state values as the most restrictive, and an odd MFA flag as MFA required', async () => {
    await expect(directory.authenticate('twostateuser', DEMO_PASSWORD)).resolves.toEqual({
      ok: true,
      user: {
        cupid: 'CUPID_TWOSTATE_001',
        state: 'RESTRICTED',
        mfaRequired: true,
        phones: [
          { optionId: 1, number: '+15550100001' },
          { optionId: 2, number: '+15550100002' },
          { optionId: 3, number: '+15550100003' },
        ],
        mobileApproveStatus: 'NOT_REGISTERED',
      },
    });
  });

  it('maps directory-specific state values through CIAM_LDAP_STATE_VALUES', async () => {
    const mapped = directoryFor({ CIAM_LDAP_STATE_VALUES: 'zombie=DECEASED' });
    await expect(mapped.authenticate('strangeuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true, user: { state: 'DECEASED' } });
  });

  it('refuses to guess: an unmapped account state or a missing CUPID is a refusal about that customer, not an outage', async () => {
    await expect(directory.authenticate('strangeuser', DEMO_PASSWORD)).rejects.toMatchObject({ name: 'ProviderRefusedError', reason: 'ENTRY_UNREADABLE' });
    await expect(directory.authenticate('nocupiduser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderRefusedError);
    // …but only once the password is right: a wrong one says nothing about the entry.
    await expect(directory.authenticate('strangeuser', 'WrongPass123!')).resolves.toEqual({ ok: false });
  });

  it('reports a refused service account as the directory being unavailable', async () => {
    const refused = directoryFor({ CIAM_LDAP_BIND_PASSWORD: 'not-the-service-password' });
    await expect(refused.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('reaches the directory over ldaps:// and StartTLS with the configured CA, and refuses an untrusted certificate', async () => {
    const ldaps = directoryFor({ CIAM_LDAP_URL: slapd.ldapsUrl!, CIAM_LDAP_TLS_CA_FILE: slapd.caFile! });
    await expect(ldaps.authenticate('mfauser', DEMO_PASSWORD)).resolves.toEqual({ ok: true, user: DEMO_USERS.mfauser });
    const startTls = directoryFor({ CIAM_LDAP_STARTTLS: 'true', CIAM_LDAP_TLS_CA_FILE: slapd.caFile! });
    await expect(startTls.authenticate('mfauser', DEMO_PASSWORD)).resolves.toEqual({ ok: true, user: DEMO_USERS.mfauser });
    await expect(startTls.authenticate('mfauser', 'WrongPass123!')).resolves.toEqual({ ok: false });
    const untrusted = directoryFor({ CIAM_LDAP_URL: slapd.ldapsUrl! });
    await expect(untrusted.authenticate('mfauser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('gives up on a server that accepts connections and never answers within the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const hanging = directoryFor({ CIAM_LDAP_URL: silent.url, CIAM_LDAP_TIMEOUT_MS: '300', CIAM_LDAP_CONNECT_TIMEOUT_MS: '300' });
      for (const call of [() => hanging.authenticate('simpleuser', DEMO_PASSWORD), () => hanging.findByCupid('CUPID_SIMPLE_001')]) {
        const started = performance.now();
        await expect(call()).rejects.toBeInstanceOf(ProviderUnavailableError);
        const elapsed = performance.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(250);
        expect(elapsed).toBeLessThan(1_000);
      }
    } finally {
      await silent.close();
    }
  });

  it('reports a stopped directory as unavailable and recovers when it is back', async () => {
    await expect(directory.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    await slapd.stop();
    try {
      await expect(directory.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
      await expect(directory.authenticate('nosuchuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
      await expect(directory.findByCupid('CUPID_SIMPLE_001')).rejects.toBeInstanceOf(ProviderUnavailableError);
    } finally {
      await slapd.start();
    }
    await expect(directory.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toEqual({ ok: true, user: DEMO_USERS.simpleuser });
    await expect(directory.authenticate('simpleuser', 'WrongPass123!')).resolves.toEqual({ ok: false });
    await expect(directory.findByCupid('CUPID_SIMPLE_001')).resolves.toEqual(DEMO_USERS.simpleuser);
  });

  it('never re-opens a dropped StartTLS connection in clear text, and replaces it at the next login', async () => {
    const settings = readLdapSettings(slapd.env({ CIAM_LDAP_STARTTLS: 'true', CIAM_LDAP_TLS_CA_FILE: slapd.caFile!, CIAM_LDAP_TIMEOUT_MS: '500' }));
    const connector = new LdapConnector(settings);
    const client = await connector.open();
    const startTls = directoryFor({ CIAM_LDAP_STARTTLS: 'true', CIAM_LDAP_TLS_CA_FILE: slapd.caFile! });
    await expect(startTls.authenticate('mfauser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    try {
      await slapd.stop();
      await slapd.start();
      expect(connector.isOpen(client)).toBe(false);
      const before = slapd.binds().length;
      // A plain ldap:// client would transparently reconnect here; this one must not.
      await expect(client.bind(`uid=simpleuser,${CUSTOMERS_DN}`, DEMO_PASSWORD)).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      expect(slapd.binds().length).toBe(before);
      // The pooled StartTLS connections died with the server: the next login opens new ones.
      await expect(startTls.authenticate('mfauser', DEMO_PASSWORD)).resolves.toEqual({ ok: true, user: DEMO_USERS.mfauser });
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });

  it('answers nothing after close', async () => {
    const closing = directoryFor();
    await expect(closing.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    await closing.close();
    await expect(closing.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe('connections for customer binds', () => {
  // One service-account connection, so that every further connection the proxy sees is for a bind.
  const viaProxy = async (env: Env = {}) => {
    const proxy = await startCountingProxy(Number(new URL(slapd.url).port));
    proxies.push(proxy);
    return { proxy, directory: directoryFor({ CIAM_LDAP_URL: proxy.url('ldap'), CIAM_LDAP_POOL_SIZE: '1', ...env }) };
  };
  const proxies: CountingProxy[] = [];
  afterAll(() => Promise.all(proxies.map((p) => p.close())));
  const burst = (d: LdapDirectory, logins: number) =>
    Promise.all(Array.from({ length: logins }, () => d.authenticate('simpleuser', DEMO_PASSWORD).then((r) => expect(r).toMatchObject({ ok: true }))));

  it('reuses one connection for the binds of logins one after another', async () => {
    const { proxy, directory: d } = await viaProxy();
    for (let i = 0; i < 8; i++) await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    // Refused binds and the decoy bind of an unknown username leave the connection usable too.
    await expect(d.authenticate('mfauser', 'WrongPass123!')).resolves.toEqual({ ok: false });
    await expect(d.authenticate('nosuchuser', DEMO_PASSWORD)).resolves.toEqual({ ok: false });
    await expect(d.authenticate('mfauser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    expect(proxy.connections).toBe(2);
  });

  it("keeps a peak's connections for the next peak, up to CIAM_LDAP_BIND_POOL_MAX_IDLE", async () => {
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_BIND_POOL_MAX_IDLE: '16' });
    for (let round = 0; round < 3; round++) await burst(d, 16);
    expect(proxy.connections).toBeLessThanOrEqual(1 + 16);
    expect(await settledOpen(proxy, proxy.connections)).toBe(proxy.connections);

    const { proxy: small, directory: capped } = await viaProxy({ CIAM_LDAP_BIND_POOL_MAX_IDLE: '4' });
    await burst(capped, 16);
    const afterFirst = small.connections;
    // Beyond the maximum, a connection is closed once its bind is done.
    expect(await settledOpen(small, 1 + 4)).toBe(1 + 4);
    await burst(capped, 16);
    expect(small.connections - afterFirst).toBeLessThanOrEqual(16 - 4);
    expect(await settledOpen(small, 1 + 4)).toBe(1 + 4);
  });

  it('with CIAM_LDAP_BIND_POOL_MAX_IDLE=0, gives every bind a connection of its own and closes it', async () => {
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_BIND_POOL_MAX_IDLE: '0' });
    for (let i = 0; i < 3; i++) await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    expect(proxy.connections).toBe(1 + 3);
    expect(await settledOpen(proxy, 1)).toBe(1);
  });

  it('closes connections left unused for CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS, and opens new ones when needed', async () => {
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS: '300' });
    await burst(d, 8);
    expect(proxy.open).toBeGreaterThan(2);
    // The service-account connection stays; the bind connections go.
    expect(await settledOpen(proxy, 1, 2_000)).toBe(1);
    const before = proxy.connections;
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    expect(proxy.connections).toBe(before + 1);
  });

  it('keeps the most recently used connection and lets the others expire when the load shrinks', async () => {
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS: '600' });
    await burst(d, 4);
    const opened = proxy.connections;
    // One login at a time, every 50 ms, for longer than the timeout: taking them in turn would keep
    // all four alive; taking the most recent keeps one.
    const until = performance.now() + 1_000;
    while (performance.now() < until) {
      await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(proxy.connections).toBe(opened);
    expect(proxy.open).toBe(1 + 1);
  });

  it('closes every connection, busy or idle, when the directory is closed', async () => {
    const { proxy, directory: d } = await viaProxy();
    await burst(d, 8);
    const busy = burst(d, 4);
    await d.close();
    await busy.catch(() => undefined);
    expect(await settledOpen(proxy, 0)).toBe(0);
  });
});

describe('connections for searches', () => {
  // One search connection, and no bind connection kept: every connection the proxy holds open is
  // the search connection, and every login past it opens one more for its bind.
  const viaProxy = async (env: Env = {}) => {
    const proxy = await startCountingProxy(Number(new URL(slapd.url).port));
    proxies.push(proxy);
    const settings = { CIAM_LDAP_URL: proxy.url('ldap'), CIAM_LDAP_POOL_SIZE: '1', CIAM_LDAP_BIND_POOL_MAX_IDLE: '0', ...env };
    return { proxy, directory: directoryFor(settings) };
  };
  const proxies: CountingProxy[] = [];
  afterAll(() => Promise.all(proxies.map((p) => p.close())));

  it('asks once more on a fresh connection when a search connection turns out to have been dropped', async () => {
    const { proxy, directory: d } = await viaProxy();
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    proxy.forgetConnections('reset');
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toEqual({ ok: true, user: DEMO_USERS.simpleuser });
    proxy.forgetConnections('reset');
    await expect(d.findByCupid('CUPID_SIMPLE_001')).resolves.toEqual(DEMO_USERS.simpleuser);
    // Per login: its bind; per drop: one new search connection.
    expect(proxy.connections).toBe(1 + 1 + 1 + 1 + 1);
  });

  it('does not ask again when the directory is down: one attempt on a fresh connection, then the error', async () => {
    const { proxy, directory: d } = await viaProxy();
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    proxy.forgetConnections('reset');
    proxy.resetNewAfter = 0;
    const before = proxy.connections;
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(proxy.connections - before).toBe(1);
    await expect(d.findByCupid('CUPID_SIMPLE_001')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(proxy.connections - before).toBe(2);
  });

  it('does not ask again when the search fails on a connection opened for it, nor when the second attempt fails', async () => {
    const { proxy, directory: d } = await viaProxy();
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    proxy.forgetConnections('reset');
    // New connections bind, then are reset at the search.
    proxy.resetNewAfter = 1;
    const before = proxy.connections;
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(proxy.connections - before).toBe(1);
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(proxy.connections - before).toBe(2);
  });

  it('does not ask again after a timeout, which would double the wait', async () => {
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_TIMEOUT_MS: '300' });
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    proxy.forgetConnections('silence');
    const before = proxy.connections;
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).rejects.toBeInstanceOf(ProviderUnavailableError);
    // A second attempt would have needed a fresh connection.
    expect(proxy.connections).toBe(before);
  });

  it('closes a search connection left unused for CIAM_LDAP_POOL_IDLE_TIMEOUT_MS, and opens a new one when needed', async () => {
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_POOL_IDLE_TIMEOUT_MS: '300' });
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toMatchObject({ ok: true });
    expect(await settledOpen(proxy, 1)).toBe(1);
    expect(await settledOpen(proxy, 0, 2_000)).toBe(0);
    const before = proxy.connections;
    await expect(d.authenticate('simpleuser', DEMO_PASSWORD)).resolves.toEqual({ ok: true, user: DEMO_USERS.simpleuser });
    expect(proxy.connections).toBe(before + 2);
  });

  it('keeps a search connection that is used more often than CIAM_LDAP_POOL_IDLE_TIMEOUT_MS', async () => {
    // Lookups 100 ms apart against a timeout ten times that: a busy test machine's pauses do not close it.
    const { proxy, directory: d } = await viaProxy({ CIAM_LDAP_POOL_IDLE_TIMEOUT_MS: '1000' });
    let lookups = 0;
    const until = performance.now() + 2_500;
    while (performance.now() < until) {
      await expect(d.findByCupid('CUPID_SIMPLE_001')).resolves.toEqual(DEMO_USERS.simpleuser);
      lookups += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lookups).toBeGreaterThan(10);
    expect(proxy.connections).toBe(1);
  });
});

/** The proxy's open connections once they have come down to `expected` (or the time is up). */
async function settledOpen(proxy: CountingProxy, expected: number, withinMs = 1_000): Promise<number> {
  const deadline = performance.now() + withinMs;
  while (proxy.open !== expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return proxy.open;
}

/** Customer binds slapd logged after `before`, once `count` have arrived (its log is a pipe). */
async function settledBinds(before: number, count: number): Promise<string[]> {
  const customerBinds = () => slapd.binds().slice(before).filter((dn) => dn !== SERVICE_DN);
  for (let i = 0; i < 50 && customerBinds().length < count; i++) await new Promise((r) => setTimeout(r, 20));
  return customerBinds();
}
