import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { bulkhead, type BulkheadPolicy } from 'cockatiel';
import type { AccountState, Directory, DirectoryUser, PasswordCheck } from './port.js';

/**
 * The demo directory of the development default: fixed users, one shared demo password, stored
 * as an argon2id hash (OWASP minimum: m=19 MiB, t=2, p=1). Refused in production mode.
 */
export const DEMO_PASSWORD = 'SecurePass123!';

export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Password checks that hash at once; the others wait their turn. Each check holds its own 19 MiB
 * while it runs, and libuv's pool (4 threads by default) would run four at once even on two
 * cores — no more checks per second than two, since the hashing is CPU-bound, but 38 MiB more
 * resident and the pool's threads taken from file and DNS work while logins come in.
 */
export const HASHING_CONCURRENCY = availableParallelism();

const mfaPhones = [
  { optionId: 1, number: '+15550101234' },
  { optionId: 2, number: '+15550105678' },
];

function user(cupid: string, extra: Partial<DirectoryUser> = {}): DirectoryUser {
  return { cupid, state: 'ACTIVE', mfaRequired: false, phones: [], mobileApproveStatus: 'NOT_REGISTERED', ...extra };
}

function blocked(cupid: string, state: AccountState): DirectoryUser {
  return user(cupid, { state, mfaRequired: true, phones: mfaPhones });
}

export const DEMO_USERS: Record<string, DirectoryUser> = {
  simpleuser: user('CUPID_SIMPLE_001', { phones: [{ optionId: 1, number: '+15550109999' }] }),
  mfauser: user('CUPID_MFA_001', { mfaRequired: true, phones: mfaPhones, mobileApproveStatus: 'ENABLED' }),
  esignuser: user('CUPID_ESIGN_001', { mfaRequired: true, phones: mfaPhones, mobileApproveStatus: 'ENABLED' }),
  nopushuser: user('CUPID_NOPUSH_001', { mfaRequired: true, phones: [{ optionId: 1, number: '+15550104321' }] }),
  lockeduser: blocked('CUPID_LOCKED_001', 'PASSWORD_LOCKED'),
  disableduser: blocked('CUPID_DISABLED_001', 'DISABLED'),
  blockeduser: blocked('CUPID_BLOCKED_001', 'ENTERPRISE_BLOCKED'),
  mfalockeduser: blocked('CUPID_MFALOCKED_001', 'MFA_LOCKED'),
  deceaseduser: blocked('CUPID_DECEASED_001', 'DECEASED'),
  restricteduser: blocked('CUPID_RESTRICTED_001', 'RESTRICTED'),
};

/** Documents each demo customer still has to accept (the embedded agreements default reads this). */
export const DEMO_PENDING_DOCUMENTS: Record<string, string[]> = {
  CUPID_ESIGN_001: ['terms-v1-2025'],
};

export class DemoDirectory implements Directory {
  /**
   * The demo password's hash and the decoy's, made at the first login rather than at start-up,
   * where their 0.09 s of CPU on both cores would be shared with compiling the routes.
   */
  private hashes: Promise<{ password: string; decoy: string }> | undefined;
  /** No bound on the queue: a login waits here as it would have waited in libuv's queue. */
  private readonly hashing: BulkheadPolicy;

  constructor(
    private readonly users: Record<string, DirectoryUser> = DEMO_USERS,
    concurrency: number = HASHING_CONCURRENCY,
  ) {
    this.hashing = bulkhead(concurrency, Number.POSITIVE_INFINITY);
  }

  async authenticate(username: string, password: string): Promise<PasswordCheck> {
    const found = Object.hasOwn(this.users, username) ? this.users[username] : undefined;
    const hashes = await this.storedHashes();
    // An unknown username is checked against the decoy, so both failures cost the same hashing work.
    const matches = await this.hashing.execute(() => verify(found ? hashes.password : hashes.decoy, password));
    return found && matches ? { ok: true, user: found } : { ok: false };
  }

  async findByCupid(cupid: string): Promise<DirectoryUser | undefined> {
    return Object.values(this.users).find((u) => u.cupid === cupid);
  }

  private storedHashes(): Promise<{ password: string; decoy: string }> {
    this.hashes ??= Promise.all([hash(DEMO_PASSWORD, ARGON2_PARAMS), hash('decoy password that matches nothing', ARGON2_PARAMS)]).then(
      ([password, decoy]) => ({ password, decoy }),
      (err: unknown) => {
        // A failed hash is not kept: the next login tries again.
        this.hashes = undefined;
        throw err;
      },
    );
    return this.hashes;
  }
}
