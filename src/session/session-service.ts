import type { Settings } from '../config/settings.js';
import type { Queryable } from '../store/database.js';
import { openSession, type IssuedTokens, type OpenSessionInput, type SessionOpener } from './open-session.js';
import type { SigningKeys } from './signing-keys.js';

/** Sessions and their tokens: open, rotate, verify, end and revoke. */
export class SessionService implements SessionOpener {
  constructor(
    private readonly settings: Settings,
    private readonly signingKeys: SigningKeys,
  ) {}

  open(tx: Queryable, input: OpenSessionInput): Promise<IssuedTokens> {
    return openSession(
      {
        issuer: this.settings.issuer,
        clients: this.settings.clients,
        lifetimes: this.settings.lifetimes,
        signingKeys: this.signingKeys,
      },
      tx,
      input,
    );
  }
}
