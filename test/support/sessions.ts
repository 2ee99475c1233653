import type { IssuedTokens } from '../../src/session/open-session.js';
import type { TestApp } from './test-app.js';
import { CLIENT_ID } from './test-app.js';

export interface TestSession extends IssuedTokens {
  cupid: string;
  contextId: string;
}

/**
 * A session opened the way a finished login opens one, without going through the login journey:
 * a minimal completed journey row, then services.sessions.open in the same transaction.
 */
export async function openTestSession(
  t: TestApp,
  options: { cupid?: string; clientId?: string; deviceFingerprint?: string | null; ip?: string } = {},
): Promise<TestSession> {
  const cupid = options.cupid ?? 'CUPID_SIMPLE_001';
  return t.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ context_id: string }>(
      `INSERT INTO auth_contexts (cupid, app_id, app_version, ip_address, auth_outcome, completed_at)
       VALUES ($1, 'test-app', '1.0.0', $2, 'SUCCESS', now()) RETURNING context_id`,
      [cupid, options.ip ?? '127.0.0.1'],
    );
    const contextId = rows[0]!.context_id;
    const tokens = await t.services.sessions.open(tx, {
      contextId,
      cupid,
      clientId: options.clientId ?? CLIENT_ID,
      deviceFingerprint: options.deviceFingerprint ?? null,
      origin: { correlationId: crypto.randomUUID(), ipAddress: options.ip ?? '127.0.0.1', userAgent: 'vitest', clientId: options.clientId ?? CLIENT_ID },
    });
    return { ...tokens, cupid, contextId };
  });
}

/** The refresh cookie of a test session, as a browser would send it. */
export function refreshCookie(token: string): Record<string, string> {
  return { cookie: `refresh_token=${token}` };
}
