import { readLdapSettings } from '../src/config/ldap.js';
import { LdapDirectory } from '../src/providers/directory/ldap-directory.js';
import { loopOptions, runLoginLoop } from './ldap-loop.js';

/**
 * The adapter alone: LdapDirectory.authenticate() — the class the service runs, built from the
 * same CIAM_LDAP_* settings the service is given — in a loop in a process of its own, with the
 * bare loop's logins in flight. Its rate against the bare loop's is the adapter's own overhead
 * (pooling, the decoy-bind logic, reading the entry), without HTTP, tokens or the database.
 * See bench/ldap-loop.ts.
 */
const options = loopOptions(process.env);
const username = process.env.USERNAME ?? 'simpleuser';
const password = process.env.PASSWORD ?? '';
const directory = new LdapDirectory(readLdapSettings(process.env));

await runLoginLoop(async () => {
  const check = await directory.authenticate(username, password);
  if (!check.ok) throw new Error(`the adapter refused ${username}: ${JSON.stringify(check)}`);
}, options);
await directory.close();
