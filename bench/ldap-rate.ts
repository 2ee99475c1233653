import { Client, EqualityFilter } from 'ldapts';
import { readLdapSettings } from '../src/config/ldap.js';

/**
 * The bare directory rate: what a login asks of the directory, and nothing else — a search for the
 * username over the service account's bound connections, then a bind as the entry found on a
 * connection of the worker's own — with as many logins in flight as the login benchmark has
 * connections. Same settings (CIAM_LDAP_*), filter, attributes and pool size as the adapter.
 *
 * Prints `measuring` when the measured window starts (the caller reads the directory's CPU
 * then), and one JSON line at its end.
 */
const seconds = Number(process.env.SECONDS ?? 5);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const username = process.env.USERNAME ?? 'simpleuser';
const password = process.env.PASSWORD ?? '';
const settings = readLdapSettings(process.env);
const { cupid, phones, state, mfaRequired, mobileApprove } = settings.attributes;
const attributes = [cupid, ...phones, state, mfaRequired, mobileApprove];
const client = () => new Client({ url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.connectTimeoutMs });

const searchers = await Promise.all(
  Array.from({ length: settings.poolSize }, async () => {
    const c = client();
    await c.bind(settings.bindDn, settings.bindPassword);
    return c;
  }),
);
const binders = Array.from({ length: concurrency }, client);
let next = 0;

async function login(binder: Client): Promise<void> {
  const searcher = searchers[next]!;
  next = (next + 1) % searchers.length;
  const { searchEntries } = await searcher.search(settings.baseDn, {
    scope: 'sub',
    filter: new EqualityFilter({ attribute: settings.userAttribute, value: username }),
    attributes,
    sizeLimit: 2,
  });
  if (searchEntries.length !== 1) throw new Error(`${username} is not in the directory exactly once`);
  await binder.bind(searchEntries[0]!.dn, password);
}

async function loop(until: number, latencies?: number[]): Promise<number> {
  let done = 0;
  await Promise.all(
    binders.map(async (binder) => {
      while (Date.now() < until) {
        const t0 = performance.now();
        await login(binder);
        latencies?.push(performance.now() - t0);
        done++;
      }
    }),
  );
  return done;
}

await loop(Date.now() + 1000); // warm-up
const latencies: number[] = [];
console.log('measuring');
const started = Date.now();
const done = await loop(started + seconds * 1000, latencies);
const elapsed = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(JSON.stringify({ rps: done / elapsed, p50: pct(50), p99: pct(99), count: done }));
await Promise.allSettled([...searchers, ...binders].map((c) => c.unbind()));
