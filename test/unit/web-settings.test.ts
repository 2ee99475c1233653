import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/config/settings.js';
import { loadWebSettings } from '../../src/config/web.js';

describe('web settings', () => {
  it('allows no other origin by default and serves the pages', () => {
    const s = loadWebSettings({});
    expect(s.corsOrigins).toEqual([]);
    expect(s.pages).toBe(true);
    expect(s.clientId).toBe('web-banking');
  });

  it('reads a comma separated list of exact origins', () => {
    const s = loadWebSettings({ CIAM_CORS_ORIGINS: 'https://app.bank.example, http://localhost:5173,https://app.bank.example' });
    expect(s.corsOrigins).toEqual(['https://app.bank.example', 'http://localhost:5173']);
  });

  it.each([
    ['*'],
    ['https://*.bank.example'],
    ['https://app.bank.example/'],
    ['https://app.bank.example/login'],
    ['app.bank.example'],
    ['ftp://app.bank.example'],
    ['https://APP.bank.example'],
    ['https://app.bank.example:443'],
  ])('refuses %s, which is not an exact origin', (entry) => {
    expect(() => loadWebSettings({ CIAM_CORS_ORIGINS: entry })).toThrow(SettingsError);
    expect(() => loadWebSettings({ CIAM_CORS_ORIGINS: entry })).toThrow(/CIAM_CORS_ORIGINS/);
  });

  describe('the agent console\'s workforce sign-in (OpenID Connect)', () => {
    const agentApi = { CIAM_AGENT_JWKS_URL: 'https://idp.bank.example/jwks', CIAM_AGENT_ISSUER: 'https://idp.bank.example/', CIAM_AGENT_AUDIENCE: 'ciam-agent-api' };
    const oidc = { ...agentApi, CIAM_CONSOLE_OIDC_ISSUER: 'https://idp.bank.example/', CIAM_CONSOLE_OIDC_CLIENT_ID: 'ciam-console' };

    it('is off unless configured', () => {
      expect(loadWebSettings(agentApi).consoleOidc).toBeUndefined();
    });

    it('reads the issuer, client id, scope (default openid) and resource indicator', () => {
      expect(loadWebSettings(oidc).consoleOidc).toEqual({ issuer: 'https://idp.bank.example/', clientId: 'ciam-console', scope: 'openid' });
      expect(loadWebSettings({ ...oidc, CIAM_CONSOLE_OIDC_SCOPE: 'openid api://ciam/agent', CIAM_CONSOLE_OIDC_RESOURCE: 'https://ciam.bank.example/agent-api' }).consoleOidc).toMatchObject({
        scope: 'openid api://ciam/agent',
        resource: 'https://ciam.bank.example/agent-api',
      });
    });

    it('allows plain http only for a loopback IdP outside production', () => {
      expect(loadWebSettings({ ...oidc, CIAM_CONSOLE_OIDC_ISSUER: 'http://127.0.0.1:4000/' }).consoleOidc?.issuer).toBe('http://127.0.0.1:4000/');
      expect(() => loadWebSettings({ ...oidc, CIAM_CONSOLE_OIDC_ISSUER: 'http://127.0.0.1:4000/', NODE_ENV: 'production' })).toThrow(/https:\/\//);
      expect(() => loadWebSettings({ ...oidc, CIAM_CONSOLE_OIDC_ISSUER: 'http://idp.bank.example/' })).toThrow(/https:\/\//);
    });

    it.each([
      [{ ...oidc, CIAM_CONSOLE_OIDC_CLIENT_ID: undefined }, /go together/],
      [{ ...oidc, CIAM_CONSOLE_OIDC_ISSUER: undefined }, /go together/],
      [{ ...oidc, CIAM_CONSOLE_OIDC_ISSUER: 'not a url' }, /CIAM_CONSOLE_OIDC_ISSUER/],
      [{ ...oidc, CIAM_CONSOLE_OIDC_ISSUER: 'https://idp.bank.example/?tenant=1' }, /no query/],
      [{ ...oidc, CIAM_CONSOLE_OIDC_SCOPE: 'openid  "agent"' }, /CIAM_CONSOLE_OIDC_SCOPE/],
      [{ ...oidc, CIAM_AGENT_JWKS_URL: undefined }, /CIAM_AGENT_JWKS_URL/],
    ])('refuses an incomplete or unsafe configuration (%#)', (env, message) => {
      expect(() => loadWebSettings(env)).toThrow(SettingsError);
      expect(() => loadWebSettings(env)).toThrow(message);
    });
  });
});
