import { randomBytes } from 'node:crypto';
import { EqualityFilter, type Entry } from 'ldapts';
import { ProviderRefusedError, ProviderUnavailableError } from '../errors.js';
import { LdapConnector } from './ldap-connector.js';
import { toDirectoryUser } from './ldap-entry.js';
import { PasswordBinds, ServiceConnections, type PasswordRefusal } from './ldap-pools.js';
import type { LdapSettings } from '../../config/ldap.js';
import type { Directory, DirectoryUser, PasswordCheck } from './port.js';

const LOCK_REASONS = {
  LOCKED: 'PASSWORD_LOCKED',
  EXPIRED: 'PASSWORD_EXPIRED',
  MUST_CHANGE: 'PASSWORD_MUST_CHANGE',
} as const satisfies Record<PasswordRefusal, string>;

/**
 * The production directory: finds the customer with the service account, then checks the
 * password by binding as the customer — the directory alone compares passwords, under its own
 * lockout policy, which it is asked to explain (the password policy control; Active Directory's
 * "data 775"): a locked, expired or must-change password answers `locked` (423 CIAM_E01_01_002). Unknown, ambiguous and wrongly typed all answer `{ ok: false }` after the same
 * round trips. Throws ProviderUnavailableError when the directory is down, slow or refuses the
 * service account, and ProviderRefusedError (never counted by the breaker) for one customer's
 * entry that cannot be read safely.
 */
export class LdapDirectory implements Directory {
  private readonly service: ServiceConnections;
  private readonly binds: PasswordBinds;
  private readonly attributes: string[];
  /** Bound against when no single customer matched, so that case costs a bind like the others. */
  private readonly decoyDn: string;
  private closed = false;

  constructor(private readonly settings: LdapSettings) {
    const connector = new LdapConnector(settings);
    this.service = new ServiceConnections(connector, settings.bindDn, settings.bindPassword, settings.pool);
    this.binds = new PasswordBinds(connector, settings.bindPool);
    const { cupid, phones, state, mfaRequired, mobileApprove } = settings.attributes;
    this.attributes = [cupid, ...phones, state, mfaRequired, mobileApprove];
    this.decoyDn = `cn=ciam-no-such-customer-${randomBytes(8).toString('hex')},${settings.baseDn}`;
  }

  async authenticate(username: string, password: string): Promise<PasswordCheck> {
    // An empty password makes an LDAP simple bind "unauthenticated", which some servers accept
    // as success: refuse it before touching the network.
    if (password.length === 0) return { ok: false };
    if (this.closed) throw new ProviderUnavailableError('ldap', 'the directory client is closed');

    try {
      const entry = await this.findOne(this.settings.userAttribute, username);
      const bind = await this.binds.check(entry?.dn ?? this.decoyDn, password);
      if (entry && !bind.ok && bind.refusal) return { ok: false, locked: true, lockReason: LOCK_REASONS[bind.refusal] };
      if (!entry || !bind.ok) return { ok: false };
      return { ok: true, user: toDirectoryUser(entry, this.settings) };
    } catch (err) {
      throw unavailable(err);
    }
  }

  async findByCupid(cupid: string): Promise<DirectoryUser | undefined> {
    if (this.closed) throw new ProviderUnavailableError('ldap', 'the directory client is closed');
    try {
      const entry = await this.findOne(this.settings.attributes.cupid, cupid);
      return entry ? toDirectoryUser(entry, this.settings) : undefined;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.service.close(), this.binds.close()]);
  }

  /** The one entry whose `attribute` equals `value`; none or several → undefined. */
  private async findOne(attribute: string, value: string): Promise<Entry | undefined> {
    const entries = await this.service.search(this.settings.baseDn, {
      scope: 'sub',
      // EqualityFilter escapes the value: `*)(uid=*` is a username, not a filter.
      filter: new EqualityFilter({ attribute, value }),
      attributes: this.attributes,
      // Two are enough to know the value is ambiguous.
      sizeLimit: 2,
      timeLimit: Math.max(1, Math.ceil(this.settings.timeoutMs / 1000)),
    });
    return entries.length === 1 ? entries[0] : undefined;
  }
}

// The message names what failed, never the password or the customer.
function unavailable(err: unknown): ProviderUnavailableError | ProviderRefusedError {
  if (err instanceof ProviderUnavailableError || err instanceof ProviderRefusedError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderUnavailableError('ldap', typeof code === 'string' ? `${code}: ${message}` : message, { cause: err });
}
