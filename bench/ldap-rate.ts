import { Client, EqualityFilter } from 'ldapts';
import { readLdapSettings } from '../src/config/ldap.js';
import { PasswordPolicyControl } from '../src/providers/directory/password-policy-control.js';
import { loopOptions, runLoginLoop } from './ldap-loop.js';

/**
 * The bare directory rate: what a login asks of the directory, and nothing else — a search for the
 * username over the service account's bound connections, then a bind as the entry found, with the
 * password policy control every login sends, on a connection of the worker's own. The same
 * settings (CIAM_LDAP_*), filter, attributes, limits and pool size as the adapter; no pooling
 * logic, no entry mapping, no error handling beyond "this must work". See bench/ldap-loop.ts.
 */
const options = loopOptions(process.env);
const username = process.env.USERNAME ?? 'simpleuser';
const password = process.env.PASSWORD ?? '';
const settings = readLdapSettings(process.env);
const { cupid, phones, state, mfaRequired, mobileApprove } = settings.attributes;
const attributes = [cupid, ...phones, state, mfaRequired, mobileApprove];
const client = () => new Client({ url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.connectTimeoutMs });

const searchers = await Promise.all(
  Array.from({ length: settings.pool.size }, async () => {
    const c = client();
    await c.bind(settings.bindDn, settings.bindPassword);
    return c;
  }),
);
const binders = Array.from({ length: options.concurrency }, client);
let next = 0;

await runLoginLoop(async (worker) => {
  const searcher = searchers[next]!;
  next = (next + 1) % searchers.length;
  const { searchEntries } = await searcher.search(settings.baseDn, {
    scope: 'sub',
    filter: new EqualityFilter({ attribute: settings.userAttribute, value: username }),
    attributes,
    sizeLimit: 2,
    timeLimit: Math.max(1, Math.ceil(settings.timeoutMs / 1000)),
  });
  if (searchEntries.length !== 1) throw new Error(`${username} is not in the directory exactly once`);
  const policy = new PasswordPolicyControl();
  await binders[worker]!.bind(searchEntries[0]!.dn, password, policy);
  if (policy.error) throw new Error(`the directory refused ${username}'s password: ${policy.error}`);
}, options);
await Promise.allSettled([...searchers, ...binders].map((c) => c.unbind()));
