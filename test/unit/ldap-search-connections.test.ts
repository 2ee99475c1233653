import type { Client } from 'ldapts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LdapConnector } from '../../src/providers/directory/ldap-connector.js';
import { ServiceConnections } from '../../src/providers/directory/ldap-pools.js';

/**
 * The idle timers of the search connections, on a fake clock and fake connections (the behaviour
 * against a real slapd is in test/providers/ldap-directory.test.ts).
 */
function fakeConnector(): LdapConnector {
  const client = () =>
    ({
      isBound: true,
      isConnected: true,
      bind: async () => undefined,
      search: async () => ({ searchEntries: [], searchReferences: [] }),
      unbind: async () => undefined,
    }) as unknown as Client;
  return { open: async () => client(), isOpen: () => true } as unknown as LdapConnector;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('search connections', () => {
  it('keep one idle timer per connection, which does not keep the process alive, and leave none behind when closed', async () => {
    vi.useFakeTimers();
    const timers: NodeJS.Timeout[] = [];
    const fakeSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const timer = fakeSetTimeout(...args);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);

    const pool = new ServiceConnections(fakeConnector(), 'cn=service', 'secret', { size: 2, idleTimeoutMs: 60_000 });
    await pool.search('dc=bank,dc=test', {});
    await pool.search('dc=bank,dc=test', {});
    expect(vi.getTimerCount()).toBe(2);
    expect(timers.map((t) => t.hasRef())).toEqual([false, false]);

    await pool.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
