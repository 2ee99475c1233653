import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/config/settings.js';
import { readTransmitSettings } from '../../src/config/transmit.js';

const credentials = { CIAM_TRANSMIT_CLIENT_ID: 'client-1', CIAM_TRANSMIT_CLIENT_SECRET: 'secret-1' };

describe('readTransmitSettings', () => {
  it('defaults to the US host, its token endpoint, 2 s and the challenge policy', () => {
    expect(readTransmitSettings(credentials)).toEqual({
      baseUrl: 'https://api.transmitsecurity.io',
      tokenUrl: 'https://api.transmitsecurity.io/oidc/token',
      clientId: 'client-1',
      clientSecret: 'secret-1',
      timeoutMs: 2000,
      failurePolicy: 'challenge',
    });
  });

  it('picks the regional host, and the token endpoint with it', () => {
    const eu = readTransmitSettings({ ...credentials, CIAM_TRANSMIT_REGION: 'eu' });
    expect(eu.baseUrl).toBe('https://api.eu.transmitsecurity.io');
    expect(eu.tokenUrl).toBe('https://api.eu.transmitsecurity.io/oidc/token');
    expect(readTransmitSettings({ ...credentials, CIAM_TRANSMIT_REGION: 'CA' }).baseUrl).toBe('https://api.ca.transmitsecurity.io');
  });

  it('lets an explicit base URL and token URL win', () => {
    const s = readTransmitSettings({
      ...credentials,
      CIAM_TRANSMIT_REGION: 'eu',
      CIAM_TRANSMIT_BASE_URL: 'https://drs-proxy.bank.example/',
      CIAM_TRANSMIT_TOKEN_URL: 'https://egress.bank.example/transmit/oidc/token',
      CIAM_TRANSMIT_TIMEOUT_MS: '1500',
      CIAM_DRS_FAILURE_POLICY: 'unavailable',
    });
    expect(s).toMatchObject({
      baseUrl: 'https://drs-proxy.bank.example',
      tokenUrl: 'https://egress.bank.example/transmit/oidc/token',
      timeoutMs: 1500,
      failurePolicy: 'unavailable',
    });
  });

  it.each(['CIAM_TRANSMIT_CLIENT_ID', 'CIAM_TRANSMIT_CLIENT_SECRET'])('names %s when it is missing', (name) => {
    const env: Record<string, string | undefined> = { ...credentials, [name]: undefined };
    expect(() => readTransmitSettings(env)).toThrow(SettingsError);
    expect(() => readTransmitSettings(env)).toThrow(name);
  });

  it.each([
    ['CIAM_DRS_FAILURE_POLICY', 'deny'],
    ['CIAM_TRANSMIT_TIMEOUT_MS', '0'],
    ['CIAM_TRANSMIT_TIMEOUT_MS', 'fast'],
    ['CIAM_TRANSMIT_REGION', 'mars'],
    ['CIAM_TRANSMIT_BASE_URL', 'http://api.transmitsecurity.io'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => readTransmitSettings({ ...credentials, [name]: value })).toThrow(SettingsError);
    expect(() => readTransmitSettings({ ...credentials, [name]: value })).toThrow(name);
  });

  it('never puts the client secret in an error', () => {
    try {
      readTransmitSettings({ ...credentials, CIAM_TRANSMIT_TOKEN_URL: 'not a url' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('secret-1');
    }
  });
});
