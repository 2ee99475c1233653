import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { rotateSigningKey } from '../../src/session/rotate-signing-key.js';
import { SigningKeys } from '../../src/session/signing-keys.js';
import { openTestSession } from '../support/sessions.js';
import { CLIENT_ID, useTestApp } from '../support/test-app.js';

const t = useTestApp();

async function publishedJwks(): Promise<JSONWebKeySet> {
  const res = await t.call({ method: 'GET', url: '/.well-known/jwks.json' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

const verifyIdToken = async (jwt: string) =>
  jwtVerify(jwt, createLocalJWKSet(await publishedJwks()), { issuer: t.settings.issuer, audience: CLIENT_ID });

describe('ID tokens and the JWKS', () => {
  it('publishes public keys only, and the ID token verifies against them', async () => {
    const s = await openTestSession(t);
    const jwks = await publishedJwks();
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(key).not.toHaveProperty('d');
    }
    const { payload } = await verifyIdToken(s.idToken);
    expect(payload).toMatchObject({ iss: t.settings.issuer, sub: s.cupid, aud: CLIENT_ID, sid: s.sessionId });
  });

  it('stores the private key sealed, never in clear', async () => {
    await openTestSession(t);
    const { rows } = await t.db.query<{ private_key_sealed: string; public_jwk: Record<string, unknown> }>('SELECT * FROM signing_keys');
    for (const row of rows) {
      expect(row.private_key_sealed).toMatch(/^v1\./);
      expect(row.private_key_sealed).not.toContain('"d"');
      expect(row.public_jwk).not.toHaveProperty('d');
    }
  });

  it('refuses a token with a tampered signature, a tampered payload, or alg none', async () => {
    const s = await openTestSession(t);
    const [header, payload, signature] = s.idToken.split('.') as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    await expect(verifyIdToken(`${header}.${payload}.${flipped}`)).rejects.toThrow();

    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'CUPID_SOMEONE_ELSE' })).toString('base64url');
    await expect(verifyIdToken(`${header}.${forged}.${signature}`)).rejects.toThrow();

    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: decodeProtectedHeader(s.idToken).kid })).toString('base64url');
    await expect(verifyIdToken(`${none}.${payload}.`)).rejects.toThrow();
  });

  it('after a key rotation new tokens use the new key, old tokens still verify, and an expired retired key leaves', async () => {
    const before = await openTestSession(t);
    const oldKid = decodeProtectedHeader(before.idToken).kid;
    const rotation = await rotateSigningKey(t.db, t.services.signingKeys, 'test');
    expect(rotation.retired).toContain(oldKid);

    const after = await openTestSession(t);
    expect(decodeProtectedHeader(after.idToken).kid).toBe(rotation.kid);
    await verifyIdToken(after.idToken);
    await verifyIdToken(before.idToken);
    expect((await publishedJwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotation.kid]));

    const { rows } = await t.db.query(`SELECT event_type, event_data FROM audit_logs WHERE event_type = 'SIGNING_KEY_ROTATED'`);
    expect(rows[0]?.event_data).toMatchObject({ new_kid: rotation.kid });

    const { rows: retired } = await t.db.query<{ lifetime: number }>(
      `SELECT extract(epoch FROM publish_until - retired_at)::int AS lifetime FROM signing_keys WHERE kid = $1`,
      [oldKid],
    );
    expect(retired[0]!.lifetime).toBeGreaterThanOrEqual(900);

    await t.db.query(`UPDATE signing_keys SET publish_until = now() - interval '1 second' WHERE kid = $1`, [oldKid]);
    expect((await publishedJwks()).keys.map((k) => k.kid)).not.toContain(oldKid);
    await expect(verifyIdToken(before.idToken)).rejects.toThrow();
  });

  it('two instances starting on one database agree on one signing key', async () => {
    await t.db.query('DELETE FROM signing_keys');
    const a = new SigningKeys(t.db, t.services.secrets.keyEncryptionKey, 900);
    const b = new SigningKeys(t.db, t.services.secrets.keyEncryptionKey, 900);
    const [ka, kb] = await Promise.all([t.db.transaction((tx) => a.signingKey(tx)), t.db.transaction((tx) => b.signingKey(tx))]);
    expect(ka.kid).toBe(kb.kid);
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM signing_keys');
    expect(rows[0]?.n).toBe(1);
  });
});

describe('discovery and userinfo', () => {
  it('serves the discovery document as an extension', async () => {
    const res = await t.call({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      issuer: t.settings.issuer,
      jwks_uri: `${t.settings.issuer}/.well-known/jwks.json`,
      userinfo_endpoint: `${t.settings.issuer}/userinfo`,
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
    });
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/.well-known/openid-configuration'].get['x-extension']).toBe(true);
  });

  it('GET /userinfo answers the CUPID for a live access token', async () => {
    const s = await openTestSession(t);
    const ok = await t.call({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${s.accessToken}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ sub: s.cupid, sid: s.sessionId });

    const missing = await t.call({ method: 'GET', url: '/userinfo' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ error_code: 'CIAM_E04_00_006' });
    const invalid = await t.call({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${s.refreshToken}` } });
    expect(invalid.statusCode).toBe(401);
    expect(invalid.json()).toEqual({ error_code: 'CIAM_E04_00_007' });
  });
});
