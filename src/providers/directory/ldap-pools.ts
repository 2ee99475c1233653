import { InvalidCredentialsError, ResultCodeError, type Client, type Entry, type SearchOptions } from 'ldapts';
import { discard, isDropped, type LdapConnector } from './ldap-connector.js';
import { PasswordPolicyControl } from './password-policy-control.js';

/**
 * Why the directory refused a password it may have found right: its own lockout, an expired
 * password, or one that must be changed after a reset. Read from the password policy control
 * (slapd ppolicy and other draft-behera servers) or from Active Directory's sub-code in the bind
 * error's diagnostic message ("…, data 775, …").
 */
export type PasswordRefusal = 'LOCKED' | 'EXPIRED' | 'MUST_CHANGE';

export type BindCheck = { ok: true } | { ok: false; refusal?: PasswordRefusal };

/** Active Directory's sub-codes of a failed bind (the "data" of its diagnostic message). */
const AD_SUBCODES: Record<string, PasswordRefusal> = {
  '775': 'LOCKED', // ERROR_ACCOUNT_LOCKED_OUT
  '532': 'EXPIRED', // ERROR_PASSWORD_EXPIRED
  '773': 'MUST_CHANGE', // ERROR_PASSWORD_MUST_CHANGE
};

/**
 * Service-account connections for searches, bound once and reused round-robin (LDAP multiplexes
 * requests on one connection). A connection that failed below the LDAP protocol — dropped,
 * timed out — is thrown away and the next use opens and binds a fresh one; one unused for
 * `idleTimeoutMs` is closed, before anything between here and the directory drops it silently.
 * A search whose connection had worked and was lost under it is sent once more (see search()).
 */
export class ServiceConnections {
  private readonly slots: Slot[];
  private next = 0;
  private closed = false;
  /** Connections that have answered a search: only on those can a lost connection mean a stale one. */
  private readonly answered = new WeakSet<Client>();

  constructor(
    private readonly connector: LdapConnector,
    private readonly bindDn: string,
    private readonly bindPassword: string,
    private readonly pool: { size: number; idleTimeoutMs: number },
  ) {
    this.slots = Array.from({ length: pool.size }, () => ({ busy: 0 }));
  }

  async search(baseDn: string, options: SearchOptions): Promise<Entry[]> {
    const slot = this.slots[this.next]!;
    this.next = (this.next + 1) % this.slots.length;
    const client = await this.boundClient(slot);
    const reused = this.answered.has(client);
    try {
      return await this.searchOn(slot, client, baseDn, options);
    } catch (err) {
      // A connection that worked before and is lost now was most likely dropped while unused (a
      // firewall, a load balancer, a directory fail-over). A search changes nothing and counts
      // toward no lockout, so it is asked once more on a fresh connection. Not after a timeout
      // (the customer would wait twice as long), and not when the connection was opened for this
      // search: then the directory itself is failing, and the caller (its breaker) must see it.
      if (!reused || !isDropped(err)) throw err;
      return await this.searchOn(slot, await this.boundClient(slot), baseDn, options);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = this.slots.flatMap((slot) => (slot.client ? [slot.client] : []));
    for (const slot of this.slots) {
      clearTimeout(slot.expiry);
      slot.client = slot.expiry = undefined;
    }
    await Promise.allSettled(open.map((client) => client.unbind()));
  }

  private async searchOn(slot: Slot, client: Client, baseDn: string, options: SearchOptions): Promise<Entry[]> {
    slot.busy += 1;
    try {
      // No await between the isBound check and this call, so the connection cannot have dropped
      // in between (ldapts would silently re-open it unauthenticated).
      const { searchEntries } = await client.search(baseDn, options);
      this.answered.add(client);
      return searchEntries;
    } catch (err) {
      // An LDAP result code is an answer; anything else leaves the connection in doubt.
      if (!(err instanceof ResultCodeError)) this.forget(slot, client);
      throw err;
    } finally {
      slot.busy -= 1;
      slot.expiry?.refresh();
    }
  }

  private async boundClient(slot: Slot): Promise<Client> {
    if (slot.client?.isBound && this.connector.isOpen(slot.client)) return slot.client;
    if (slot.client) this.forget(slot, slot.client);
    // Concurrent callers on this slot share one connection attempt.
    slot.opening ??= this.openBound()
      .then((client) => {
        if (this.closed) {
          discard(client);
          throw new Error('directory closed');
        }
        this.keep(slot, client);
        return client;
      })
      .finally(() => {
        slot.opening = undefined;
      });
    return slot.opening;
  }

  private async openBound(): Promise<Client> {
    const client = await this.connector.open();
    try {
      await client.bind(this.bindDn, this.bindPassword);
      return client;
    } catch (err) {
      discard(client);
      throw err;
    }
  }

  /** Its timer is pushed back by every search and does not keep the process alive. */
  private keep(slot: Slot, client: Client): void {
    slot.client = client;
    slot.expiry = setTimeout(() => {
      // A search slower than the idle timeout is still a use.
      if (slot.busy > 0) slot.expiry?.refresh();
      else this.forget(slot, client);
    }, this.pool.idleTimeoutMs);
    slot.expiry.unref();
  }

  private forget(slot: Slot, client: Client): void {
    if (slot.client === client) {
      clearTimeout(slot.expiry);
      slot.client = slot.expiry = undefined;
    }
    discard(client);
  }
}

interface Slot {
  client?: Client;
  opening?: Promise<Client>;
  /** Closes `client` once it has been unused for the idle timeout. */
  expiry?: NodeJS.Timeout;
  /** Searches in flight on this slot. */
  busy: number;
}

/**
 * Connections for checking customers' passwords by binding as them. Each is used by one check at
 * a time (a bind changes who the connection is). After a check its connection waits for the next
 * one, up to `maxIdle` of them, and is closed once unused for `idleTimeoutMs`: a peak's connections
 * serve the next peak, and a quiet instance gives them back.
 *
 * Written here rather than taken from a pool library (tarn, generic-pool): those make a check wait
 * when their maximum is reached, and a login must never queue behind others for a connection — a
 * check beyond the idle ones simply opens its own.
 */
export class PasswordBinds {
  /** Unused connections, longest-unused first: checks take from the end, expiry closes from the start. */
  private readonly idle: IdleConnection[] = [];
  private expiry?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly connector: LdapConnector,
    private readonly pool: { maxIdle: number; idleTimeoutMs: number },
  ) {}

  /**
   * ok: the password is right and usable; not ok: the directory said invalid credentials, with its
   * reason when it gave one (locked, expired, must change). Throws when the directory did not answer.
   */
  async check(dn: string, password: string): Promise<BindCheck> {
    const client = this.takeIdle() ?? (await this.connector.open());
    // Closed while this check was opening a connection: nothing may stay open after close().
    if (this.closed) {
      discard(client);
      throw new Error('directory closed');
    }
    const policy = new PasswordPolicyControl();
    try {
      await client.bind(dn, password, policy);
      this.giveBack(client);
      // A successful bind with a must-change-after-reset answer: the password works only to change it.
      if (policy.error === 'changeAfterReset') return { ok: false, refusal: 'MUST_CHANGE' };
      return { ok: true };
    } catch (err) {
      if (err instanceof InvalidCredentialsError) {
        this.giveBack(client);
        return { ok: false, ...refusalOf(policy, err.message) };
      }
      discard(client);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.expiry);
    await Promise.allSettled(this.idle.splice(0).map(({ client }) => client.unbind()));
  }

  // The most recently used: the one least likely to have been closed by the directory meanwhile,
  // and it leaves the others unused, to expire when the load has shrunk.
  private takeIdle(): Client | undefined {
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      if (this.connector.isOpen(entry.client)) return entry.client;
      discard(entry.client);
    }
    return undefined;
  }

  private giveBack(client: Client): void {
    if (this.closed || !this.connector.isOpen(client) || this.idle.length >= this.pool.maxIdle) {
      discard(client);
      return;
    }
    this.idle.push({ client, since: performance.now() });
    this.scheduleExpiry();
  }

  /** One timer, for the longest-unused connection; it does not keep the process alive. */
  private scheduleExpiry(): void {
    const oldest = this.idle[0];
    if (this.expiry || !oldest) return;
    const due = oldest.since + this.pool.idleTimeoutMs - performance.now();
    this.expiry = setTimeout(() => {
      this.expiry = undefined;
      const cutoff = performance.now() - this.pool.idleTimeoutMs;
      while (this.idle[0] && this.idle[0].since <= cutoff) discard(this.idle.shift()!.client);
      this.scheduleExpiry();
    }, Math.max(0, due));
    this.expiry.unref();
  }
}

interface IdleConnection {
  client: Client;
  /** performance.now() when it was given back. */
  since: number;
}

/** Exported for tests: the refusal a failed bind carries, by the control or by an AD sub-code. */
export function refusalOf(policy: PasswordPolicyControl, diagnostic: string): { refusal?: PasswordRefusal } {
  if (policy.error === 'accountLocked') return { refusal: 'LOCKED' };
  if (policy.error === 'passwordExpired') return { refusal: 'EXPIRED' };
  if (policy.error === 'changeAfterReset') return { refusal: 'MUST_CHANGE' };
  const subcode = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
  const refusal = subcode === undefined ? undefined : AD_SUBCODES[subcode];
  return refusal ? { refusal } : {};
}
