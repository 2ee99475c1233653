import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenHash } from '../../src/session/token-values.js';
import { openTestSession } from '../support/sessions.js';
import { CLIENT_ID, useTestApp } from '../support/test-app.js';

const t = useTestApp();

describe('opening a session', () => {
  it('writes one session, three ACTIVE tokens stored as hashes, the journey finished, and LOGIN_SUCCESS naming them', async () => {
    const s = await openTestSession(t);
    expect(s.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.expiresIn).toBe(900);

    const session = await t.db.query('SELECT * FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(session.rows[0]).toMatchObject({ status: 'ACTIVE', cupid: s.cupid, client_id: CLIENT_ID, ip_address: '127.0.0.1' });
    const row = session.rows[0]!;
    const lifetime = (row.expires_at.getTime() - row.created_at.getTime()) / 1000;
    expect(lifetime).toBe(2_592_000);

    const tokens = await t.db.query(
      'SELECT token_type, token_value_hash, status, scopes FROM tokens WHERE session_id = $1 ORDER BY token_type::text',
      [s.sessionId],
    );
    expect(tokens.rows).toEqual([
      { token_type: 'ACCESS', token_value_hash: tokenHash(s.accessToken), status: 'ACTIVE', scopes: ['openid', 'profile'] },
      { token_type: 'ID', token_value_hash: tokenHash(s.idToken), status: 'ACTIVE', scopes: null },
      { token_type: 'REFRESH', token_value_hash: tokenHash(s.refreshToken), status: 'ACTIVE', scopes: null },
    ]);

    const journey = await t.db.query('SELECT auth_outcome, completed_at, client_id FROM auth_contexts WHERE context_id = $1', [s.contextId]);
    expect(journey.rows[0]).toMatchObject({ auth_outcome: 'SUCCESS', completed_at: expect.any(Date), client_id: CLIENT_ID });
    const ids = await t.db.query<{ token_type: string; token_id: string }>('SELECT token_type, token_id FROM tokens WHERE session_id = $1', [s.sessionId]);
    const audit = await t.db.query(`SELECT event_type, context_id, transaction_id, event_data FROM audit_logs WHERE session_id = $1`, [s.sessionId]);
    expect(audit.rows).toEqual([
      {
        event_type: 'LOGIN_SUCCESS',
        context_id: s.contextId,
        transaction_id: null,
        event_data: {
          client_id: CLIENT_ID,
          signing_kid: expect.any(String),
          expires_at: expect.any(String),
          token_ids: Object.fromEntries(ids.rows.map((r) => [r.token_type.toLowerCase(), r.token_id])),
        },
      },
    ]);
  });

  it('signs the ID token with a published key and the expected claims', async () => {
    const s = await openTestSession(t);
    const jwks = createLocalJWKSet({ keys: await t.services.signingKeys.publicKeys() });
    const { payload, protectedHeader } = await jwtVerify(s.idToken, jwks, { issuer: t.settings.issuer, audience: CLIENT_ID });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: s.cupid, sid: s.sessionId });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(typeof payload.auth_time).toBe('number');
  });
});
